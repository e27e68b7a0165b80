// Waits for a server under test to answer, as a readiness probe would: GET until a 2xx, bounded in time.
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether URL answers 2xx now. */
export const answers = (url: string): Promise<boolean> =>
  fetch(url).then(
    response => response.ok,
    () => false,
  );

/** Resolves once URL answers 2xx; rejects after LIMIT_MS. */
export async function answering(url: string, { limitMs = 20_000, pollMs = 20 } = {}): Promise<void> {
  const started = Date.now();
  while (!(await answers(url))) {
    if (Date.now() - started > limitMs) throw new Error(`${url} did not answer within ${limitMs} ms`);
    await sleep(pollMs);
  }
}
