// The local GitHub stand-in. The one part of the template's run that needs the outside world is GitHub:
// `publish:github` pushes the rendered repository there, and the catalog then reads `catalog-info.yaml` back
// from it. Locally both are stood in for, and only those, so that everything else runs as Backstage's own
// code: the publish action (publish.ts) keeps the real action's id and input schema, so Backstage validates
// the step's input exactly as in production, but commits the workspace into a local git repository; the URL
// reader (reader.ts) answers the reads of https://github.com/OWNER/REPO/blob/BRANCH/... from that repository.
// `catalog:register` and the catalog itself stay the real ones.
import { createLocalPublishAction, type BrowseUrl, type PublishTarget } from './publish';
import type { PublishedRepositories } from './published';
import { createPublishedReader } from './reader';

export type { BrowseUrl, PublishTarget } from './publish';
export { PublishedRepositories } from './published';

/** The stand-in's parts, which record what they publish in PUBLISHED; BROWSE as in createLocalPublishAction. */
export function createLocalGithub(target: PublishTarget, published: PublishedRepositories, browse?: BrowseUrl) {
  return {
    publishAction: createLocalPublishAction(target, published, browse),
    published,
    readerFactory: { reader: createPublishedReader(published), predicate: (url: URL) => url.host === 'github.com' },
  };
}
