// The evidence a digest must carry before Promote moves it: its signature and its three signed attestations
// (SLSA build provenance, SPDX SBOM, vulnerability scan), verified by cosign against this repository's Delivery
// workflow, then read for the pull request's body. cosign does the cryptography; this module builds its command
// lines, turns a refusal into a reason a person can act on, and reads the JSON cosign prints for what it verified.
import { spawnSync } from 'node:child_process';

export const OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

/** The attestations Delivery signs, by cosign's `--type` name, with the in-toto predicate type each one carries. */
export const ATTESTATIONS = [
  { type: 'slsaprovenance1', predicateType: 'https://slsa.dev/provenance/v1', what: 'build provenance' },
  { type: 'spdxjson', predicateType: 'https://spdx.dev/Document', what: 'SBOM' },
  { type: 'vuln', predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1', what: 'vulnerability scan' },
];

/** The certificate identity of a keyless signature made by this repository's Delivery workflow on main. */
export function deliveryIdentity({ server = 'https://github.com', repository }) {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository ?? '')) {
    throw new Error(`GITHUB_REPOSITORY must be <owner>/<repository>, got "${repository ?? ''}"`);
  }
  return `${server.replace(/\/+$/, '')}/${repository}/.github/workflows/delivery.yaml@refs/heads/main`;
}

/**
 * What a signature must be checked against. SIGNING is the repository variable Delivery signs by: `keyless`
 * (the default; GitHub's OIDC identity, Sigstore's public log) or `key` (cosign.pub, no transparency log).
 */
export function verifier({ signing = '', server, repository }) {
  const mode = signing === '' ? 'keyless' : signing;
  if (mode === 'keyless') {
    const identity = deliveryIdentity({ server, repository });
    return {
      mode,
      describe: `keyless, identity ${identity}, issuer ${OIDC_ISSUER}`,
      args: ['--certificate-identity', identity, '--certificate-oidc-issuer', OIDC_ISSUER],
    };
  }
  if (mode === 'key') {
    // Delivery signs with --tlog-upload=false in this mode, so there is no log entry to require.
    return { mode, describe: 'key cosign.pub', args: ['--key', 'cosign.pub', '--insecure-ignore-tlog=true'] };
  }
  throw new Error(`SIGNING must be "keyless" or "key", got "${signing}"`);
}

/** cosign's own reason for a failed verification: its `Error:` line, without the Go source location after it. */
export function refusalReason(stderr) {
  const lines = stderr.split('\n').map(line => line.trim());
  const error = lines.find(line => line.startsWith('Error: '));
  return (error ?? lines.filter(Boolean).at(-1) ?? 'cosign failed without a message').replace(/^Error: /, '');
}

/** Reads `cosign verify`'s JSON: the verified signatures' identities, checked to be of DIGEST. */
export function readSignatures(stdout, digest) {
  const signatures = JSON.parse(stdout);
  if (!Array.isArray(signatures) || signatures.length === 0) throw new Error('cosign verify printed no signature');
  return signatures.map(({ critical, optional = {} }) => {
    const signed = critical?.image?.['docker-manifest-digest'];
    if (signed !== digest) throw new Error(`cosign verified a signature of ${signed}, not of ${digest}`);
    return {
      subject: optional.Subject ?? '',
      issuer: optional.Issuer ?? '',
      logIndex: optional.Bundle?.Payload?.logIndex,
    };
  });
}

/** Reads `cosign verify-attestation`'s output (one DSSE envelope a line): the in-toto statements, checked. */
export function readStatements(stdout, { predicateType }, digest) {
  const statements = stdout
    .split('\n')
    .filter(line => line.trim() !== '')
    .map(line => JSON.parse(Buffer.from(JSON.parse(line).payload, 'base64').toString('utf8')))
    .filter(statement => statement.predicateType === predicateType);
  if (statements.length === 0) throw new Error(`cosign printed no ${predicateType} statement`);
  const hex = digest.replace(/^sha256:/, '');
  for (const { subject = [] } of statements) {
    if (!subject.some(({ digest: d }) => d?.sha256 === hex)) throw new Error(`a statement is not about ${digest}`);
  }
  return statements;
}

/** What the pull request says about each attestation, from its newest statement. */
export const SUMMARIES = {
  slsaprovenance1({ predicate }) {
    const builder = predicate.runDetails?.builder?.id ?? '(none)';
    const commit = (predicate.buildDefinition?.resolvedDependencies ?? []).find(d => d.digest?.gitCommit)?.digest
      .gitCommit;
    return { builder, commit, text: `builder ${builder}${commit ? `, source commit ${commit}` : ''}` };
  },
  spdxjson({ predicate }) {
    const packages = predicate.packages?.length ?? 0;
    return {
      packages,
      text: `${predicate.spdxVersion ?? 'SPDX'} document "${predicate.name ?? ''}", ${packages} packages`,
    };
  },
  vuln({ predicate }) {
    const { scanner = {}, metadata = {} } = predicate;
    const counts = {};
    for (const { Vulnerabilities = [] } of scanner.result?.Results ?? []) {
      for (const { Severity = 'UNKNOWN', FixedVersion } of Vulnerabilities) {
        counts[Severity] ??= { found: 0, fixable: 0 };
        counts[Severity].found += 1;
        if (FixedVersion) counts[Severity].fixable += 1;
      }
    }
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
    const figures = order.map(s => `${s} ${counts[s]?.found ?? 0} (${counts[s]?.fixable ?? 0} fixable)`).join(', ');
    const when = metadata.scanFinishedOn ? `, scanned ${metadata.scanFinishedOn}` : '';
    return { counts, text: `${scanner.uri ?? 'scanner'} ${scanner.version ?? ''}`.trim() + `${when}: ${figures}` };
  },
};

/** Runs cosign; never throws on its exit code (a refusal is a result). */
function cosign(args) {
  // Without the App's token: cosign needs no credential of this repository to read the registry's signatures.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'GH_TOKEN'));
  const result = spawnSync('cosign', args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error?.code === 'ENOENT') throw new Error('cosign is not installed (sigstore/cosign-installer)');
  if (result.error) throw result.error;
  return result;
}

/**
 * Verifies IMAGE@DIGEST's signature and attestations. Returns `{ ok: true, evidence }` or `{ ok: false, reason }`
 * naming which check refused and cosign's reason.
 */
export function verifyEvidence({ image, digest, verifier: v }) {
  const reference = `${image}@${digest}`;
  const verified = cosign(['verify', ...v.args, '--output', 'json', reference]);
  if (verified.status !== 0) {
    return {
      ok: false,
      reason: `the signature of ${reference} does not verify (${v.describe}): ${refusalReason(verified.stderr)}`,
    };
  }
  const evidence = { reference, verifier: v.describe, signatures: [], attestations: {} };
  try {
    evidence.signatures = readSignatures(verified.stdout, digest);
  } catch (error) {
    return { ok: false, reason: `cosign's verification of ${reference} does not hold: ${error.message}` };
  }
  for (const attestation of ATTESTATIONS) {
    const run = cosign(['verify-attestation', ...v.args, '--type', attestation.type, reference]);
    const refused = reason => ({
      ok: false,
      reason: `no verified ${attestation.what} (${attestation.type}) for ${reference}: ${reason}`,
    });
    if (run.status !== 0) return refused(refusalReason(run.stderr));
    // Read, not trusted: cosign before GHSA-w6c6-c85g-mmv6 let an attestation of another predicate type through.
    try {
      const statements = readStatements(run.stdout, attestation, digest);
      evidence.attestations[attestation.type] = SUMMARIES[attestation.type](statements.at(-1));
    } catch (error) {
      return refused(error.message);
    }
  }
  return { ok: true, evidence };
}
