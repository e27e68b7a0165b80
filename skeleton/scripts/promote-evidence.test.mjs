// Run by CI: node --test scripts/*.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  ATTESTATIONS,
  deliveryIdentity,
  OIDC_ISSUER,
  readSignatures,
  readStatements,
  refusalReason,
  SUMMARIES,
  verifier,
  verifyEvidence,
} from './promote-evidence.mjs';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = 'docker.io/acme/orders';
const IDENTITY = 'https://github.com/acme/orders/.github/workflows/delivery.yaml@refs/heads/main';

const statement = (type, predicate, digest = DIGEST) => ({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: IMAGE, digest: { sha256: digest.replace('sha256:', '') } }],
  predicateType: ATTESTATIONS.find(a => a.type === type).predicateType,
  predicate,
});
const envelope = s =>
  JSON.stringify({
    payloadType: 'application/vnd.in-toto+json',
    payload: Buffer.from(JSON.stringify(s)).toString('base64'),
  });

test("the delivery identity is this repository's Delivery workflow on main", () => {
  assert.equal(deliveryIdentity({ repository: 'acme/orders' }), IDENTITY);
  assert.equal(
    deliveryIdentity({ server: 'https://github.example.com/', repository: 'acme/orders' }),
    'https://github.example.com/acme/orders/.github/workflows/delivery.yaml@refs/heads/main',
  );
  assert.throws(() => deliveryIdentity({ repository: '' }), /GITHUB_REPOSITORY must be <owner>\/<repository>/);
});

test('keyless (the default) pins identity and issuer; key mode uses cosign.pub; anything else is refused', () => {
  assert.deepEqual(verifier({ signing: '', repository: 'acme/orders' }).args, [
    '--certificate-identity',
    IDENTITY,
    '--certificate-oidc-issuer',
    OIDC_ISSUER,
  ]);
  assert.deepEqual(verifier({ signing: 'keyless', repository: 'acme/orders' }).mode, 'keyless');
  assert.deepEqual(verifier({ signing: 'key', repository: 'acme/orders' }).args, [
    '--key',
    'cosign.pub',
    '--insecure-ignore-tlog=true',
  ]);
  assert.throws(() => verifier({ signing: 'none', repository: 'acme/orders' }), /SIGNING must be "keyless" or "key"/);
});

test("cosign's reason is its Error: line", () => {
  const stderr = 'Error: no signatures found\nmain.go:74: error during command execution: no signatures found\n';
  assert.equal(refusalReason(stderr), 'no signatures found');
  assert.equal(refusalReason('fetching: unauthorized\n'), 'fetching: unauthorized');
});

test('signatures are read from cosign verify and must be of the digest asked about', () => {
  const out = d =>
    JSON.stringify([
      { critical: { image: { 'docker-manifest-digest': d } }, optional: { Subject: IDENTITY, Issuer: OIDC_ISSUER } },
    ]);
  assert.deepEqual(readSignatures(out(DIGEST), DIGEST), [
    { subject: IDENTITY, issuer: OIDC_ISSUER, logIndex: undefined },
  ]);
  assert.throws(() => readSignatures(out(`sha256:${'cd'.repeat(32)}`), DIGEST), /not of sha256:abab/);
  assert.throws(() => readSignatures('[]', DIGEST), /no signature/);
});

test('statements are read from the envelopes, only of the asked predicate type, and about the digest', () => {
  const [provenance, sbom] = ATTESTATIONS;
  const lines = [envelope(statement('slsaprovenance1', {})), envelope(statement('spdxjson', {}))].join('\n');
  assert.equal(readStatements(lines, provenance, DIGEST).length, 1);
  assert.throws(() => readStatements(envelope(statement('spdxjson', {})), provenance, DIGEST), /no https:\/\/slsa/);
  const other = envelope(statement('spdxjson', {}, `sha256:${'cd'.repeat(32)}`));
  assert.throws(() => readStatements(other, sbom, DIGEST), /not about sha256:abab/);
});

test('the summaries name the builder, the SBOM and the scan figures', () => {
  const provenance = SUMMARIES.slsaprovenance1(
    statement('slsaprovenance1', {
      buildDefinition: { resolvedDependencies: [{ digest: { gitCommit: 'c0ffee' } }] },
      runDetails: { builder: { id: IDENTITY } },
    }),
  );
  assert.equal(provenance.text, `builder ${IDENTITY}, source commit c0ffee`);
  assert.equal(
    SUMMARIES.spdxjson(statement('spdxjson', { spdxVersion: 'SPDX-2.3', name: 'orders', packages: [{}, {}] })).text,
    'SPDX-2.3 document "orders", 2 packages',
  );
  const scan = SUMMARIES.vuln(
    statement('vuln', {
      scanner: {
        uri: 'pkg:github/aquasecurity/trivy@v0.75.0',
        version: '0.75.0',
        result: { Results: [{ Vulnerabilities: [{ Severity: 'HIGH', FixedVersion: '2.0.1' }, { Severity: 'LOW' }] }] },
      },
      metadata: { scanFinishedOn: '2026-12-06T10:01:00Z' },
    }),
  );
  assert.equal(
    scan.text,
    'pkg:github/aquasecurity/trivy@v0.75.0 0.75.0, scanned 2026-12-06T10:01:00Z: ' +
      'CRITICAL 0 (0 fixable), HIGH 1 (1 fixable), MEDIUM 0 (0 fixable), LOW 1 (0 fixable), UNKNOWN 0 (0 fixable)',
  );
});

test('verifyEvidence runs cosign for the signature and each attestation, and refuses with the reason', t => {
  // A cosign on PATH that answers from files: verify.json, and one <type>.jsonl per attestation.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-evidence-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(
    path.join(dir, 'cosign'),
    [
      '#!/usr/bin/env bash',
      `dir=${JSON.stringify(dir)}`,
      'echo "$*" >> "$dir/calls"',
      'if [ "$1" = verify ]; then file="$dir/verify.json"; else for a; do type="$a"; done; ',
      '  while [ $# -gt 0 ]; do [ "$1" = --type ] && type="$2"; shift; done; file="$dir/$type.jsonl"; fi',
      'if [ -f "$file" ]; then cat "$file"; else echo "Error: none found for $(basename "$file")" >&2; exit 1; fi',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const path0 = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${path0}`;
  t.after(() => {
    process.env.PATH = path0;
  });
  const v = verifier({ repository: 'acme/orders' });

  let result = verifyEvidence({ image: IMAGE, digest: DIGEST, verifier: v });
  assert.equal(result.ok, false);
  assert.match(result.reason, /the signature of docker.io\/acme\/orders@sha256:abab\S+ does not verify \(keyless/);
  assert.match(result.reason, /none found for verify.json/);

  fs.writeFileSync(
    path.join(dir, 'verify.json'),
    JSON.stringify([{ critical: { image: { 'docker-manifest-digest': DIGEST } }, optional: { Subject: IDENTITY } }]),
  );
  fs.writeFileSync(path.join(dir, 'slsaprovenance1.jsonl'), envelope(statement('slsaprovenance1', {})));
  fs.writeFileSync(path.join(dir, 'spdxjson.jsonl'), envelope(statement('spdxjson', {})));
  result = verifyEvidence({ image: IMAGE, digest: DIGEST, verifier: v });
  assert.equal(result.ok, false);
  assert.match(result.reason, /^no verified vulnerability scan \(vuln\) for \S+: none found for vuln.jsonl$/);

  // An attestation of another type passed off as the scan is refused, whatever cosign's exit code.
  fs.writeFileSync(path.join(dir, 'vuln.jsonl'), envelope(statement('spdxjson', {})));
  assert.match(verifyEvidence({ image: IMAGE, digest: DIGEST, verifier: v }).reason, /no https:\/\/cosign.sigstore/);

  fs.writeFileSync(path.join(dir, 'vuln.jsonl'), envelope(statement('vuln', { scanner: {} })));
  result = verifyEvidence({ image: IMAGE, digest: DIGEST, verifier: v });
  assert.equal(result.ok, true, result.reason);
  assert.deepEqual(Object.keys(result.evidence.attestations), ['slsaprovenance1', 'spdxjson', 'vuln']);
  const calls = fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n').slice(-4);
  for (const call of calls) assert.ok(call.includes(`--certificate-identity ${IDENTITY}`), call);
});
