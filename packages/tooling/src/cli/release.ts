// `npm run release`: records the version template.yaml declares as a release in releases.json, with the
// fingerprint of skeleton/ and the form. Set the new version and its CHANGELOG.md entry first; a version
// already released with other content is refused (choose a new one).
import { releaseTemplate } from '../release';
import { repoRoot } from '../template-repository';

export function release(): Promise<number> {
  try {
    console.log(releaseTemplate(repoRoot));
    return Promise.resolve(0);
  } catch (error) {
    console.error((error as Error).message);
    return Promise.resolve(1);
  }
}
