// Run by CI: node --test scripts/*.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setImage } from './set-image.mjs';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const TAG = 'sha-0123456789abcdef0123456789abcdef01234567';

const values = `# Development values.

# -- The image (set by the delivery workflow).
image:
  repository: docker.io/acme/svc   # where it lives

  # -- Which build runs.
  digest: "" # by digest
  tag: latest # beside it
  pullPolicy: IfNotPresent
sidecar:
  image:
    digest: keep-me
    tag: keep-me
`;

test('changes only the image.digest and image.tag lines, keeping their comments and quotes', () => {
  const after = setImage(values, { digest: DIGEST, tag: TAG });
  assert.equal(
    after,
    values
      .replace('  digest: "" # by digest', `  digest: "${DIGEST}" # by digest`)
      .replace('  tag: latest # beside it', `  tag: ${TAG} # beside it`),
  );
});

test('keeps the quotes a value had, and quotes a tag YAML would not read as a string', () => {
  assert.match(setImage('image:\n  digest: ""\n  tag: "old"\n', { digest: DIGEST, tag: 'v2' }), /^ {2}tag: "v2"$/m);
  assert.match(setImage("image:\n  digest: ''\n  tag: 'old'\n", { digest: DIGEST, tag: 'v2' }), /^ {2}tag: 'v2'$/m);
  assert.match(setImage('image:\n  digest:\n  tag: old\n', { digest: DIGEST, tag: '1.10' }), /^ {2}tag: "1.10"$/m);
  assert.match(
    setImage('image:\n  digest:\n  tag:\n', { digest: DIGEST, tag: 'v2' }),
    new RegExp(`digest: ${DIGEST}\n`),
  );
});

test('keeps Windows line endings', () => {
  assert.equal(
    setImage('image:\r\n  tag: a\r\n  digest: ""\r\nx: 1\r\n', { digest: DIGEST, tag: 'b' }),
    `image:\r\n  tag: b\r\n  digest: "${DIGEST}"\r\nx: 1\r\n`,
  );
});

test('refuses a malformed digest or tag', () => {
  const set = (digest, tag) => () => setImage(values, { digest, tag });
  assert.throws(set('sha256:abc', TAG), /not an image digest/);
  assert.throws(set(DIGEST.toUpperCase().replace('SHA256', 'sha256'), TAG), /not an image digest/);
  assert.throws(set(`sha512:${'0'.repeat(64)}`, TAG), /not an image digest/);
  assert.throws(set('', TAG), /not an image digest/);
  assert.throws(set(DIGEST, 'bad tag'), /not a valid Docker image tag/);
  assert.throws(set(DIGEST, ''), /not a valid Docker image tag/);
});

test('refuses what it cannot update in place, saying why', () => {
  const set = text => () => setImage(text, { digest: DIGEST, tag: TAG });
  assert.throws(set('replicaCount: 1\n'), /no top-level "image:" key/);
  assert.throws(set('image:\n  tag: a\n  digest: ""\nimage:\n  tag: b\n'), /more than one top-level "image:"/);
  assert.throws(set('image:\n  repository: x\n  tag: v0\nother:\n  digest: ""\n'), /no "digest:" key under "image:"/);
  assert.throws(set('image:\n  digest: ""\nother:\n  tag: v0\n'), /no "tag:" key under "image:"/);
  assert.throws(set('image:\n  digest: ""\n  tag: a\n  tag: b\n'), /more than one "tag:" key/);
  assert.throws(set('image: { tag: v0, digest: "" }\n'), /block mapping/);
  assert.throws(set('image:\n  digest: ""\n  tag: |\n    v0\n'), /image.tag on line 3 is not a plain or quoted scalar/);
});

test('as a command: rewrites the file, and fails with a message on a bad digest or file', t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'set-image-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const script = fileURLToPath(new URL('./set-image.mjs', import.meta.url));
  const file = path.join(dir, 'values.yaml');
  const run = (...args) => execFileSync(process.execPath, [script, ...args], { stdio: 'pipe' }).toString();
  const fails = (pattern, ...args) =>
    assert.throws(
      () => run(...args),
      error => error.status === 1 && pattern.test(error.stderr.toString()),
    );
  fs.writeFileSync(file, values);
  assert.match(run(file, DIGEST, 'sha-abc'), /image set to sha-abc/);
  assert.match(fs.readFileSync(file, 'utf8'), /^ {2}tag: sha-abc # beside it$/m);
  assert.match(run(file, DIGEST, 'sha-abc'), /already sha-abc/);

  fails(/not an image digest/, file, 'latest', 'sha-abc');
  fs.writeFileSync(file, 'replicaCount: 1\n');
  fails(/has no top-level "image:" key/, file, DIGEST, 'sha-abc');
  fails(/no such file/, path.join(dir, 'missing.yaml'), DIGEST, 'sha-abc');
  assert.throws(
    () => run(file, DIGEST),
    error => error.status === 2 && /usage:/.test(error.stderr.toString()),
  );
  fs.rmSync(dir, { recursive: true });
});
