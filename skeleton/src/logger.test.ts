import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from './logger.ts';

test('secrets are redacted by key at any depth, other fields are kept', async () => {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output += chunk.toString();
      callback();
    },
  });
  const logger = createLogger({ appName: 'ab', appEnv: 'dev', appVersion: '1', logLevel: 'info' }, stream);
  logger.info('with secrets', {
    headers: { authorization: 'Bearer abc', cookie: 'sid=def', accept: 'application/json' },
    nested: [{ apiKey: 'ghi', password: 'jkl' }],
    token: 'mno',
  });
  await new Promise(resolve => setImmediate(resolve));
  const line = JSON.parse(output) as Record<string, unknown>;
  assert.partialDeepStrictEqual(line, {
    message: 'with secrets',
    headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'application/json' },
    nested: [{ apiKey: '[REDACTED]', password: '[REDACTED]' }],
    token: '[REDACTED]',
    service: 'ab',
  });
  assert.equal((line.nested as unknown[]).length, 1);
});

test('the lines of one event-loop turn go out in one write, after the turn', async () => {
  const writes: string[] = [];
  const logger = createLogger(
    { appName: 'ab', appEnv: 'dev', appVersion: '1', logLevel: 'info' },
    { write: (chunk: string) => writes.push(chunk) },
  );
  for (let i = 0; i < 100; i++) logger.info('request', { i });
  assert.equal(writes.length, 0);
  await new Promise(resolve => setImmediate(resolve));
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0]
      ?.split('\n')
      .filter(Boolean)
      .map(line => (JSON.parse(line) as { i: number }).i),
    Array.from({ length: 100 }, (_, i) => i),
  );
});
