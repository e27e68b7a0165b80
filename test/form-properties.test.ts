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
import { dryRun, dryRunTemplated, verbatimProblems } from './support/backstage/dry-run';
import { readTemplate } from '../packages/tooling/src/template-repository';
import {
  EDGES,
  edgesOf,
  fieldSchemas,
  formValues,
  schemaAccepts,
  VALID,
  type FormValues,
} from './support/form/form-values';
import { defined, oneField, verdictProperty, Verdicts } from './support/form/verdicts';
import { MUTATIONS } from './support/form/mutations';
import {
  byRole,
  entitiesHoldTyped,
  onDisk,
  pagesKeepStructure,
  readersAgree,
  toolsAccept,
  type Files,
  type Rendered,
  writeFiles,
} from './support/form/repository-checks';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

describe('the create form, property-based, through the scaffolder', () => {
  const backstage = useBackstage();
  after(stopReaders);
  const baselines = new Map<string, Promise<Rendered>>();

  /** The repository of plain values with the same shape (environment, system or not) as the case. */
  const baseline = (values: FormValues) => {
    const key = `${String(values.app_env)}/${String(Boolean(values.system))}`;
    let rendered = baselines.get(key);
    if (!rendered) {
      const plain = { ...VALID, app_env: values.app_env, system: values.system ? VALID.system : undefined };
      // Rendered whole: it shows that each file the cases take as it is comes out of the scaffolder unchanged.
      rendered = render(plain, dryRun).then(r => {
        assert.deepEqual(verbatimProblems(r.files), []);
        return { ...r, dir: kept(r.files) };
      });
      baselines.set(key, rendered);
    }
    return rendered;
  };
  const render = async (values: FormValues, dryRunOf = dryRunTemplated) => {
    const result = await dryRunOf(backstage().api, defined(values));
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
          const repoUrl = new URLSearchParams(values.repoUrl?.split('?')[1]);
          const typed = {
            description: values.description ?? '',
            owner: values.owner ?? '',
            system: values.system || undefined,
            projectSlug: `${String(repoUrl.get('owner'))}/${String(repoUrl.get('repo'))}`,
          };
          // The checks at once: Python reads pages and YAML while helm lints and reads, and Node checks the rest.
          const problems = await onDisk(files, async dir =>
            (
              await Promise.all([
                pagesKeepStructure({ dir, files, appName }, reference),
                readersAgree(files),
                toolsAccept(dir, files, appName),
                entitiesHoldTyped(files, typed, reference.files),
              ])
            ).flat(),
          );
          problems.push(...pathsMatch(files, appName, reference), ...identifiersOnly(fetchValues));
          assert.deepEqual(
            problems.map(p => (p.length > 400 ? `${p.slice(0, 400)}…` : p)),
            [],
          );
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false },
      );
    },
  );

  test(
    `the scaffolder refuses exactly the values a field's downstream rule refuses (every edge, ${3 * RUNS} more runs)`,
    { timeout: 30 * 60_000 },
    async () => {
      const verdicts = new Verdicts(backstage().api, readTemplate());
      const edges = Object.entries(EDGES).flatMap(([field, values]) => values.map(value => [field, value] as const));
      await verdicts.prefetch(edges);
      await fc.assert(verdictProperty(verdicts, oneField), {
        // fast-check counts the examples among the runs.
        numRuns: edges.length + 3 * RUNS,
        seed: SEED,
        examples: edges.map(edge => [edge]),
      });
    },
  );

  // Each rule of the form moved by one, in a copy of the template sent with the dry-run requests: the verdict
  // property must fail on the edge values of the changed schema.
  for (const { field, change, mutate } of MUTATIONS) {
    test(`the verdict property fails when ${field}'s ${change}`, async t => {
      const template = structuredClone(readTemplate());
      const schema = fieldSchemas(template)[field];
      const before = JSON.stringify(schema);
      mutate(schema);
      assert.notEqual(JSON.stringify(schema), before, 'the mutation changed nothing');
      const verdicts = new Verdicts(backstage().api, template);
      const edges = edgesOf(field, schema).map(value => [field, value] as const);
      const result = await fc.check(verdictProperty(verdicts, oneField), {
        // fast-check counts the examples among the runs.
        numRuns: edges.length + 3 * RUNS,
        seed: SEED,
        examples: edges.map(edge => [edge]),
      });
      assert.ok(result.failed, `${result.numRuns} runs passed`);
      t.diagnostic(`fails on ${JSON.stringify(result.counterexample).slice(0, 160)}`);
    });
  }
});

function pathsMatch(files: Files, appName: string, reference: Rendered): string[] {
  const paths = [...byRole({ files, appName }).keys()].sort();
  const expected = [...byRole(reference).keys()].sort();
  return isDeepStrictEqual(paths, expected)
    ? []
    : [`files ${JSON.stringify(paths)} instead of ${JSON.stringify(expected)}`];
}

/** Whether a value is an identifier, or a list of them (the environments). */
const isIdentifier = (value: unknown): boolean =>
  Array.isArray(value)
    ? value.every(isIdentifier)
    : IDENTIFIER.test(typeof value === 'string' ? value : JSON.stringify(value));

function identifiersOnly(fetchValues: Record<string, unknown>): string[] {
  return Object.entries(fetchValues)
    .filter(([name, value]) => !FREE_TEXT_VALUES.includes(name) && value !== undefined && !isIdentifier(value))
    .map(([name, value]) => `fetch:template value ${name} = ${JSON.stringify(value)} is not an identifier`);
}

/** Baselines are kept on disk for the whole run (TechDocs snippets read the tree). */
function kept(files: Files): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'form-baseline-'));
  writeFiles(dir, files);
  process.on('exit', () => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
