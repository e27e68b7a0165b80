// Run by CI: node --test scripts/*.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setImageTag } from './set-image-tag.mjs';

const values = `# Development values.

# -- The image (tag bumped by the delivery workflow).
image:
  repository: docker.io/acme/svc   # where it lives

  # -- Which build runs.
  tag: latest # bumped
  pullPolicy: IfNotPresent
sidecar:
  image:
    tag: keep-me
`;

test('changes only the image.tag line, keeping its comment', () => {
  const after = setImageTag(values, 'sha-0123456789abcdef0123456789abcdef01234567');
  assert.equal(
    after,
    values.replace('  tag: latest # bumped', '  tag: sha-0123456789abcdef0123456789abcdef01234567 # bumped'),
  );
});

test('keeps the quotes a tag had, and quotes a tag YAML would not read as a string', () => {
  assert.match(setImageTag('image:\n  tag: "old"\n', 'v2'), /^ {2}tag: "v2"$/m);
  assert.match(setImageTag("image:\n  tag: 'old'\n", 'v2'), /^ {2}tag: 'v2'$/m);
  assert.match(setImageTag('image:\n  tag: old\n', '1.10'), /^ {2}tag: "1.10"$/m);
  assert.match(setImageTag('image:\n  tag:\n', 'v2'), /^ {2}tag: v2$/m);
});

test('keeps Windows line endings', () => {
  assert.equal(setImageTag('image:\r\n  tag: a\r\nx: 1\r\n', 'b'), 'image:\r\n  tag: b\r\nx: 1\r\n');
});

test('refuses what it cannot update in place, saying why', () => {
  assert.throws(() => setImageTag('replicaCount: 1\n', 'v1'), /no top-level "image:" key/);
  assert.throws(
    () => setImageTag('image:\n  repository: x\nother:\n  tag: v0\n', 'v1'),
    /no "tag:" key under "image:"/,
  );
  assert.throws(() => setImageTag('image: { tag: v0 }\n', 'v1'), /block mapping/);
  assert.throws(() => setImageTag('image:\n  tag: |\n    v0\n', 'v1'), /not a plain or quoted scalar/);
  assert.throws(() => setImageTag(values, 'bad tag'), /not a valid Docker image tag/);
});

test('as a command: rewrites the file, and fails with a message when the key is missing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'set-image-tag-'));
  const script = fileURLToPath(new URL('./set-image-tag.mjs', import.meta.url));
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, values);
  execFileSync(process.execPath, [script, file, 'sha-abc'], { stdio: 'pipe' });
  assert.match(fs.readFileSync(file, 'utf8'), /^ {2}tag: sha-abc # bumped$/m);

  fs.writeFileSync(file, 'replicaCount: 1\n');
  assert.throws(
    () => execFileSync(process.execPath, [script, file, 'sha-abc'], { stdio: 'pipe' }),
    error => error.status === 1 && /has no top-level "image:" key/.test(error.stderr.toString()),
  );
  fs.rmSync(dir, { recursive: true });
});
