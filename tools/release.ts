// `npm run release`: records the version template.yaml declares as a release in releases.json, with the
// fingerprint of skeleton/ and the form. Set the new version and its CHANGELOG.md entry first; a version
// already released with other content is refused (choose a new one).
import path from 'node:path';
import { releaseTemplate } from './template-release';

const root = path.resolve(__dirname, '..');

try {
  console.log(releaseTemplate(root));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
