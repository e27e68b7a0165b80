// Assertions node:assert has no one-call form for.
import assert from 'node:assert/strict';

const partiallyEqual = (actual: unknown, expected: unknown) => {
  try {
    assert.partialDeepStrictEqual(actual, expected);
    return true;
  } catch {
    return false;
  }
};

/** Some item of the list has every field of expected, with its value (assert.partialDeepStrictEqual). */
export function assertSomeMatch(list: readonly unknown[], expected: object, message?: string): void {
  if (list.some(item => partiallyEqual(item, expected))) return;
  assert.fail(
    `${message ? `${message}: ` : ''}no item has ${JSON.stringify(expected)}; the items:\n` +
      list.map(item => `  ${JSON.stringify(item)}`).join('\n'),
  );
}
