// A recorded `cosign` for the Promote checks: what cosign prints (stdout JSON, stderr errors, exit codes) for an
// image's signatures and attestations, replayed per case from a recordings file instead of asking a registry
// and Sigstore. It answers `verify` and `verify-attestation` with the identity flags or `--key`, and refuses as
// cosign refuses: no signature, a certificate of another identity, no attestation of the asked predicate type.
// Every call is logged (one JSON line each), so a check can see what the script asked.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** What a registry and Sigstore hold for one image digest. */
interface Recording {
  /** The keyless certificate's identity that signed the image and its attestations; none: unsigned. */
  signer?: { subject: string; issuer: string };
  /** The in-toto statements attached, by cosign's `--type` name. */
  attestations: Partial<Record<'slsaprovenance1' | 'spdxjson' | 'vuln', object>>;
}

export type Recordings = Record<string, Recording>;

/** A digest that stands for an image built from COMMIT. */
export const digestOf = (commit: string) => `sha256:${createHash('sha256').update(commit).digest('hex')}`;

/** The statements Delivery attaches to an image built from COMMIT of REPOSITORY by its workflow IDENTITY. */
export function deliveryStatements(image: string, digest: string, commit: string, identity: string) {
  const subject = [{ name: image, digest: { sha256: digest.replace('sha256:', '') } }];
  const statement = (predicateType: string, predicate: object) => ({
    _type: 'https://in-toto.io/Statement/v1',
    subject,
    predicateType,
    predicate,
  });
  return {
    slsaprovenance1: statement('https://slsa.dev/provenance/v1', {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: { workflow: { ref: 'refs/heads/main', path: '.github/workflows/delivery.yaml' } },
        resolvedDependencies: [
          { uri: 'git+https://github.com/acme/service@refs/heads/main', digest: { gitCommit: commit } },
        ],
      },
      runDetails: {
        builder: { id: identity },
        metadata: { invocationId: 'https://github.com/acme/service/actions/runs/1' },
      },
    }),
    spdxjson: statement('https://spdx.dev/Document', {
      spdxVersion: 'SPDX-2.3',
      name: `${image}@${digest}`,
      packages: [{ name: 'koa' }, { name: 'prom-client' }, { name: 'node' }],
    }),
    vuln: statement('https://cosign.sigstore.dev/attestation/vuln/v1', {
      invocation: { uri: 'https://github.com/acme/service/actions/runs/1' },
      scanner: {
        uri: 'pkg:github/aquasecurity/trivy@v0.75.0',
        version: '0.75.0',
        result: {
          Results: [
            {
              Target: 'node_modules',
              Vulnerabilities: [
                { VulnerabilityID: 'CVE-2026-0001', Severity: 'HIGH', FixedVersion: '' },
                { VulnerabilityID: 'CVE-2026-0002', Severity: 'LOW', FixedVersion: '1.2.4' },
              ],
            },
          ],
        },
      },
      metadata: { scanStartedOn: '2026-12-06T10:00:00Z', scanFinishedOn: '2026-12-06T10:01:00Z' },
    }),
  };
}

// The stand-in itself, run by Node: cosign's predicate types for `--type`, its messages and output shapes.
const STAND_IN = String.raw`#!/usr/bin/env node
const fs = require('node:fs');
const TYPES = {
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdxjson: 'https://spdx.dev/Document',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
};
const args = process.argv.slice(2);
fs.appendFileSync(process.env.COSIGN_STAND_IN_LOG, JSON.stringify(args) + '\n');
const fail = (message, code = 1) => {
  process.stderr.write('Error: ' + message + '\nmain.go:74: error during command execution: ' + message + '\n');
  process.exit(code);
};
const [command, ...rest] = args;
const flags = {};
let reference;
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i];
  if (arg.startsWith('--')) {
    const [name, inline] = arg.slice(2).split('=');
    flags[name] = inline ?? rest[++i];
  } else if (reference === undefined) reference = arg;
  else fail('too many arguments', 2);
}
const known = ['certificate-identity', 'certificate-oidc-issuer', 'key', 'insecure-ignore-tlog', 'output', 'type'];
for (const name of Object.keys(flags)) if (!known.includes(name)) fail('unknown flag: --' + name, 2);
if (!['verify', 'verify-attestation'].includes(command)) fail('the stand-in answers verify and verify-attestation', 2);
if (!reference || !/@sha256:[0-9a-f]{64}$/.test(reference)) fail('a digest reference is required', 2);
if (flags.key === undefined && (!flags['certificate-identity'] || !flags['certificate-oidc-issuer'])) {
  fail('--certificate-identity or --certificate-identity-regexp is required for verification in keyless mode');
}
const recording = JSON.parse(fs.readFileSync(process.env.COSIGN_RECORDINGS, 'utf8'))[reference];
if (!recording || !recording.signer) fail('no signatures found');
const { subject, issuer } = recording.signer;
if (flags.key !== undefined) fail('no matching signatures: failed to verify signature');
if (subject !== flags['certificate-identity'] || issuer !== flags['certificate-oidc-issuer']) {
  fail('no matching signatures: none of the expected identities matched what was in the certificate, got subjects [' +
    subject + '] with issuer ' + issuer);
}
const [repository, digest] = reference.split('@');
process.stderr.write('\nVerification for ' + reference + ' --\n' +
  'The following checks were performed on each of these signatures:\n' +
  '  - The cosign claims were validated\n  - Existence of the claims in the transparency log was verified offline\n' +
  '  - The code-signing certificate was verified using trusted certificate authority certificates\n');
if (command === 'verify') {
  process.stdout.write(JSON.stringify([{
    critical: { identity: { 'docker-reference': repository }, image: { 'docker-manifest-digest': digest },
      type: 'https://sigstore.dev/cosign/sign/v1' },
    optional: { Issuer: issuer, Subject: subject, Bundle: { Payload: { logIndex: 123456789 } } },
  }]) + '\n');
  process.exit(0);
}
const wanted = TYPES[flags.type];
if (!wanted) fail('invalid predicate type: ' + flags.type, 2);
const statements = Object.values(recording.attestations);
const matching = statements.filter(s => s.predicateType === wanted);
if (matching.length === 0) {
  fail('none of the attestations matched the predicate type: ' + wanted + ', found: ' +
    statements.map(s => s.predicateType).join(','));
}
for (const statement of matching) {
  const payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  process.stdout.write(JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload,
    signatures: [{ keyid: '', sig: 'MEUCIQ' }] }) + '\n');
}
`;

export interface CosignStandIn {
  /** Replaces the recordings (a digest reference's signatures and attestations). */
  record(recordings: Recordings): void;
  /** The calls since the last `record`, each as its arguments. */
  calls(): string[][];
  env: Record<string, string>;
}

/** Writes the stand-in as `cosign` in BIN, its recordings and log in STATE. */
export function cosignStandIn(bin: string, state: string): CosignStandIn {
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(state, { recursive: true });
  fs.writeFileSync(path.join(bin, 'cosign'), STAND_IN, { mode: 0o755 });
  const recordings = path.join(state, 'recordings.json');
  const log = path.join(state, 'calls.jsonl');
  return {
    record(value) {
      fs.writeFileSync(recordings, JSON.stringify(value));
      fs.writeFileSync(log, '');
    },
    calls: () =>
      fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line) as string[]),
    env: { COSIGN_RECORDINGS: recordings, COSIGN_STAND_IN_LOG: log },
  };
}
