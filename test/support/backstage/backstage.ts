// An embedded Backstage for the checks that need the live catalog or scaffolder: booted before the file's
// tests, stopped after. Anything the template publishes goes to a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startBackstage, type EmbeddedBackstage } from '../../../packages/tooling/src/backstage/backend';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export function useBackstage(): () => EmbeddedBackstage {
  let backstage: EmbeddedBackstage | undefined;
  const published = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-published-'));
  before(async () => {
    backstage = await startBackstage({
      repoRoot,
      publishTarget: ({ repo }) => fs.mkdtempSync(path.join(published, `${repo}-`)),
    });
  });
  after(async () => {
    await backstage?.stop();
    fs.rmSync(published, { recursive: true, force: true });
  });
  return () => {
    if (!backstage) throw new Error('Backstage is not started yet: call this inside a test');
    return backstage;
  };
}
