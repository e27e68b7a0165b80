// PLACEHOLDER test, replaced with the service's jest suite.
const { test } = require('node:test');
const assert = require('node:assert');

test('the placeholder names its service', () => {
  assert.strictEqual(require('../package.json').name, '${{ values.app_name }}');
});
