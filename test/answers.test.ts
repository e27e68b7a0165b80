// What a repository records of the template it was made from (.template-answers.yaml, and the catalog
// entity's annotation and spec.scaffoldedFrom): the template's own entity ref and release, the answers given
// to the form and every value the skeleton received. The proof that the answers are complete: given to the
// real scaffolder again (its dry-run API), they render the same repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { templateVersion } from '../packages/tooling/src/release';
import { useBackstage } from './support/backstage/backstage';
import { dryRun } from './support/backstage/dry-run';
import { renderedVariants, type Variant } from './support/backstage/rendered';

const ANSWERS_FILE = '.template-answers.yaml';
/** fetch:template values the file records on their own lines rather than under `values`. */
const RECORDED_APART = ['source_template', 'template_version', 'form_answers'];

const template = parseYaml(fs.readFileSync(path.join(repoRoot, 'template.yaml'), 'utf8'));
const fetchValues: Record<string, string> = template.spec.steps.find(
  (s: { action: string }) => s.action === 'fetch:template',
).input.values;
const formFields = template.spec.parameters.flatMap((page: { properties: object }) => Object.keys(page.properties));

let variants: Variant[];
before(async () => {
  variants = await renderedVariants();
});
/** The answers given: a field left empty has no answer. */
const given = (answers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(answers).filter(([, answer]) => answer !== null));
const recorded = (variant: Variant) => parseYaml(fs.readFileSync(path.join(variant.dir, ANSWERS_FILE), 'utf8'));

describe('what a repository records of the template it was made from', () => {
  for (const id of ['short-dev', 'long-prod']) {
    test(`${id}: the template's ref and release, the form's answers, every value the skeleton received`, () => {
      const variant = variants.find(v => v.id === id)!;
      const { template: ref, version, answers, values } = recorded(variant);
      assert.equal(
        stringifyEntityRef(parseEntityRef(ref)),
        stringifyEntityRef(template),
        "the template's own entity ref",
      );
      assert.equal(version, templateVersion(repoRoot));
      assert.deepEqual(
        Object.keys(values).sort(),
        Object.keys(fetchValues)
          .filter(k => !RECORDED_APART.includes(k))
          .sort(),
        "values vs the fetch step's",
      );
      for (const [key, value] of Object.entries(values))
        assert.deepEqual(value ?? undefined, variant.values[key] ?? undefined, key);
      assert.deepEqual(Object.keys(answers), formFields, "answers vs the form's fields, in order");
      assert.deepEqual(given(answers), variant.values.form_answers);

      const component = parseAllDocuments(
        fs.readFileSync(path.join(variant.dir, 'catalog-info.yaml'), 'utf8'),
      )[0].toJS();
      assert.equal(component.metadata.annotations['backstage.io/template-version'], version);
      assert.equal(component.spec.scaffoldedFrom, ref);
    });
  }
});

describe('the recorded answers, given to the scaffolder again', () => {
  const backstage = useBackstage();
  test('render the same repository (long-prod)', async () => {
    const variant = variants.find(v => v.id === 'long-prod')!;
    const result = await dryRun(backstage().api, given(recorded(variant).answers));
    assert.equal(result.verdict, 'accepted');
    if (result.verdict !== 'accepted') return;
    const differing = [...result.files]
      .filter(([file, text]) => fs.readFileSync(path.join(variant.dir, file), 'utf8') !== text)
      .map(([file]) => file);
    assert.ok(result.files.size > 50, `only ${result.files.size} files rendered`);
    assert.deepEqual(differing, []);
  });
});
