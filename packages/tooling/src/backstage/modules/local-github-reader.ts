// The local GitHub stand-in's URL reader (local-github/), for github.com: Backstage consults the readers
// given here before its own, so it answers every read of github.com in place of Backstage's GitHub reader.
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import type { createLocalGithub } from '../local-github/index';

export function localGithubReaderService(factory: ReturnType<typeof createLocalGithub>['readerFactory']) {
  return createServiceFactory({
    service: urlReaderFactoriesServiceRef,
    deps: {},
    factory: () => () => [factory],
  });
}
