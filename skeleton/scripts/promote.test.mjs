// Run by CI: node --test scripts/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Refused, route } from './promote.mjs';

const ENVS = ['dev', 'staging', 'prod'].map(name => ({ name, valuesFile: `charts/orders/values-${name}.yaml` }));

test('a target is promoted from the environment before it', () => {
  assert.deepEqual(
    ['staging', 'prod'].map(name => route(ENVS, name)).map(({ target, previous }) => `${previous.name}>${target.name}`),
    ['dev>staging', 'staging>prod'],
  );
});

test('an unknown target, or the first environment, is refused with what can be promoted to', () => {
  assert.throws(
    () => route(ENVS, 'qa'),
    error => error instanceof Refused && /unknown environment qa/.test(error.message),
  );
  assert.throws(
    () => route(ENVS, 'dev'),
    error =>
      error instanceof Refused &&
      error.message.startsWith('dev is the first environment: Delivery deploys each push to main there') &&
      error.message.endsWith('Promote to one of: staging, prod'),
  );
});
