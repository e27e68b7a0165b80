// What a repository records of the template it was made from (.template-answers.yaml, and the catalog
// entity's annotation and spec.scaffoldedFrom): the template's own entity ref and release, the answers given
// to the form and every value the skeleton received. The proof that the answers are complete: given to the
// real scaffolder again (its dry-run API), they render the same repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { parse as parseYaml } from 'yaml';
import { readTemplate, repoRoot } from '../packages/tooling/src/template-repository';
import { templateVersion } from '../packages/tooling/src/release';
import { ANSWERS_FILE, formFields, readRecorded } from '../packages/tooling/src/upgrade/answers';
import { useBackstage } from './support/backstage/backstage';
import { dryRun } from './support/backstage/dry-run';
import { CORNER_VARIANT_IDS, useRenderedVariants } from './support/backstage/rendered';
import { fetchTemplateInput } from './support/backstage/template';
import { catalogEntities } from './support/catalog/entities';

/** fetch:template values the file records on their own lines rather than under `values`. */
const RECORDED_APART = ['source_template', 'template_version', 'form_answers'];

const template = readTemplate();
const fetchValues = fetchTemplateInput(template).values;
const formFieldNames = formFields(template).map(field => field.name);

/** The answers file as written, empty answers included. */
interface AnswersFile {
  template: string;
  version: string;
  answers: Record<string, unknown>;
  values: Record<string, unknown>;
}
const answersFile = (dir: string) => parseYaml(fs.readFileSync(path.join(dir, ANSWERS_FILE), 'utf8')) as AnswersFile;

const variant = useRenderedVariants();

describe('what a repository records of the template it was made from', () => {
  for (const id of CORNER_VARIANT_IDS) {
    test(`${id}: the template's ref and release, the form's answers, every value the skeleton received`, () => {
      const { dir, values: received } = variant(id);
      const { template: ref, version, answers, values } = answersFile(dir);
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
        assert.deepEqual(value ?? undefined, received[key] ?? undefined, key);
      assert.deepEqual(Object.keys(answers), formFieldNames, "answers vs the form's fields, in order");
      assert.deepEqual(readRecorded(dir).answers, received.form_answers, 'the answers given');

      const [component] = catalogEntities(dir);
      assert.equal(component.metadata.annotations?.['backstage.io/template-version'], version);
      assert.equal(component.spec?.scaffoldedFrom, ref);
    });
  }
});

describe('the recorded answers, given to the scaffolder again', () => {
  const backstage = useBackstage();
  test('render the same repository (long-prod)', async () => {
    const { dir } = variant('long-prod');
    const result = await dryRun(backstage().api, readRecorded(dir).answers);
    assert.equal(result.verdict, 'accepted');
    const differing = [...result.files]
      .filter(([file, text]) => fs.readFileSync(path.join(dir, file), 'utf8') !== text)
      .map(([file]) => file);
    assert.ok(result.files.size > 50, `only ${result.files.size} files rendered`);
    assert.deepEqual(differing, []);
  });
});
