// An embedded Backstage for the checks that need the live catalog or scaffolder: booted before the file's
// tests, stopped after. Anything the template publishes goes to a temporary directory.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { BackstageApi } from '../../../packages/tooling/src/backstage/api';
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

/**
 * The backend's API, except that a dry-run asked again gets the scaffolder's first answer: one file's upgrades
 * render the same two releases with the same answers over and over, and the scaffolder renders the same request
 * the same way. Only what goes through this API is reused; a dry-run through the backend's own API renders anew.
 */
export function rendersOnce(backstage: () => EmbeddedBackstage): () => BackstageApi {
  let api: RendersOnce | undefined;
  return () => (api ??= new RendersOnce(backstage().api.baseUrl));
}

class RendersOnce extends BackstageApi {
  readonly #answers = new Map<string, ReturnType<BackstageApi['request']>>();

  override request(method: string, route: string, body?: unknown, signal?: AbortSignal) {
    if (method !== 'POST' || route !== 'scaffolder/v2/dry-run') return super.request(method, route, body, signal);
    const key = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    let answer = this.#answers.get(key);
    if (!answer) {
      answer = super.request(method, route, body, signal);
      this.#answers.set(key, answer);
      answer.catch(() => this.#answers.delete(key));
    }
    return answer;
  }
}
