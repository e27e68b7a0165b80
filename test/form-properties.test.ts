// Property-based tests over the whole create form, through the real scaffolder's dry-run API: generated
// value sets, biased toward hostile text. What the form accepts must give a repository every downstream
// tool reads as the skeleton meant it; what it must refuse, the scaffolder refuses. A failure prints the
// shrunk value set that reproduces it, and the seed to replay the run (FC_SEED=<seed>).
// FC_RUNS scales both properties (default 100 accepted repositories, 3 x as many verdicts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { useBackstage } from './support/backstage/backstage';
import { stopReaders } from './support/form/readers';
import { FREE_TEXT_VALUES, IDENTIFIER } from './support/skeleton/skeleton-escapes';
import { dryRun } from './support/backstage/dry-run';
import { FIELDS, formValues, ORACLE, schemaAccepts, VALID, type FormValues } from './support/form/form-values';
import {
  byRole,
  entitiesHoldTyped,
  onDisk,
  pagesKeepStructure,
  readersAgree,
  toolsAccept,
  type Files,
  type Rendered,
  writeTree,
} from './support/form/repository-checks';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

describe('the create form, property-based, through the scaffolder', () => {
  const backstage = useBackstage();
  after(stopReaders);
  const baselines = new Map<string, Promise<Rendered>>();

  /** The repository of plain values with the same shape (environment, system or not) as the case. */
  const baseline = (values: FormValues) => {
    const key = `${values.app_env}/${Boolean(values.system)}`;
    if (!baselines.has(key)) {
      const plain = { ...VALID, app_env: values.app_env, system: values.system ? VALID.system : undefined };
      baselines.set(
        key,
        render(plain).then(r => ({ ...r, dir: kept(r.files) })),
      );
    }
    return baselines.get(key)!;
  };
  const render = async (values: FormValues) => {
    const result = await dryRun(backstage().api, defined(values));
    if (result.verdict === 'rejected') throw new Error(`rejected: ${JSON.stringify(result.errors.map(e => e.stack))}`);
    return { files: result.files, fetchValues: result.fetchValues, appName: String(result.fetchValues.app_name) };
  };

  test(
    `every accepted value set renders a repository that every reader takes as the skeleton meant it (${RUNS} runs)`,
    { timeout: 60 * 60_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(formValues.filter(schemaAccepts), async values => {
          const { files, fetchValues, appName } = await render(values);
          const reference = await baseline(values);
          const [owner, repo] = ['owner', 'repo'].map(k => new URLSearchParams(values.repoUrl!.split('?')[1]).get(k));
          const problems = [
            ...pathsMatch(files, appName, reference),
            ...identifiersOnly(fetchValues),
            ...(await readersAgree(files)),
            ...(await entitiesHoldTyped(
              files,
              {
                description: values.description!,
                owner: values.owner!,
                system: values.system || undefined,
                projectSlug: `${owner}/${repo}`,
              },
              reference.files,
            )),
            ...(await onDisk(files, async dir => [
              ...(await toolsAccept(dir, files, appName)),
              ...(await pagesKeepStructure({ dir, files, appName }, reference)),
            ])),
          ];
          assert.deepEqual(
            problems.map(p => (p.length > 400 ? `${p.slice(0, 400)}…` : p)),
            [],
          );
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false, verbose: 0 },
      );
    },
  );

  test(
    `the scaffolder refuses exactly the values a field's downstream rule refuses (${3 * RUNS} runs)`,
    { timeout: 30 * 60_000 },
    async () => {
      const oneField = fc
        .constantFrom(...Object.keys(FIELDS))
        .chain(field => FIELDS[field].map(value => [field, value] as const));
      await fc.assert(
        fc.asyncProperty(oneField, async ([field, value]) => {
          const values = { ...VALID, [field]: value };
          const result = await dryRun(backstage().api, defined(values), { render: false });
          const expected = ORACLE[field](value) ? 'accepted' : 'rejected';
          assert.equal(result.verdict, expected, `${field} = ${JSON.stringify(value)}`);
          assert.equal(
            schemaAccepts(values),
            expected === 'accepted',
            'the local schema check disagrees with the scaffolder',
          );
        }),
        { numRuns: 3 * RUNS, seed: SEED },
      );
    },
  );
});

const defined = (values: FormValues) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));

function pathsMatch(files: Files, appName: string, reference: Rendered): string[] {
  const paths = [...byRole({ files, appName }).keys()].sort();
  const expected = [...byRole(reference).keys()].sort();
  return isDeepStrictEqual(paths, expected)
    ? []
    : [`files ${JSON.stringify(paths)} instead of ${JSON.stringify(expected)}`];
}

function identifiersOnly(fetchValues: Record<string, unknown>): string[] {
  return Object.entries(fetchValues)
    .filter(
      ([name, value]) => !FREE_TEXT_VALUES.includes(name) && value !== undefined && !IDENTIFIER.test(String(value)),
    )
    .map(([name, value]) => `fetch:template value ${name} = ${JSON.stringify(value)} is not an identifier`);
}

/** Baselines are kept on disk for the whole run (TechDocs snippets read the tree). */
function kept(files: Files): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'form-baseline-'));
  writeTree(dir, files);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
