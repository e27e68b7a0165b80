// template.yaml as Backstage sees it: valid by the catalog model, ingested by a real catalog without
// processing errors, and built only from actions the scaffolder really has.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { readTemplate, repoRoot, TEMPLATE_REF } from '../packages/tooling/src/template-repository';
import { useBackstage } from './support/backstage/backstage';
import { fetchTemplateInput, formPages, outputLinks, type FormPage } from './support/backstage/template';
import { entityProblems } from './support/catalog/entities';
import { ENVS } from './support/chart/chart';

const template = readTemplate();
const { steps } = template.spec;
const pages = formPages(template);

describe('template.yaml, offline', () => {
  test('passes the catalog model policies and the v1beta3 template validator', async () => {
    assert.deepEqual(await entityProblems(template), []);
  });

  test('has unique step ids, and its outputs name only steps that exist', () => {
    const ids = steps.map(s => s.id);
    assert.deepEqual(ids, [...new Set(ids)]);
    const referenced = [...JSON.stringify(template.spec.output).matchAll(/steps\['([^']+)'\]/g)].map(m => m[1]);
    assert.ok(referenced.length > 0);
    for (const id of referenced) assert.ok(ids.includes(id), `output refers to unknown step ${id}`);
  });

  test('passes its own entity ref and release to the skeleton (backstage.io/source-template, template-version)', () => {
    const { values } = fetchTemplateInput(template);
    assert.equal(values.source_template, stringifyEntityRef(template));
    assert.equal(stringifyEntityRef(template), TEMPLATE_REF);
    assert.equal(
      values.template_version,
      template.metadata.annotations?.['backstage.io/template-version'],
      'template_version vs the annotation',
    );
  });

  test('passes the environments as one whole expression (a list keeps its type), links the first environment', () => {
    const { values } = fetchTemplateInput(template);
    // A value that is one whole expression keeps its type in the scaffolder; engine-parity.test renders it with
    // both engines, argocd.test checks the list each start gets.
    assert.match(values.environments, /^\$\{\{[^{}]*\}\}$/);
    const appEnv = pages.flatMap(page => Object.entries(page.properties)).find(([name]) => name === 'app_env')?.[1];
    assert.deepEqual(appEnv?.enum, [...ENVS]);
    for (const title of ['Argo CD application', 'Service']) {
      const link = outputLinks(template).find(l => l.title === title);
      assert.match(String(link?.url), /\$\{\{ parameters\.app_name \}\}-\$\{\{ parameters\.app_env \}\}/, title);
    }
  });

  test("the task page's next steps name the Node of the skeleton's .nvmrc and the README's Run it commands", () => {
    const text: unknown = (template.spec.output as Record<string, unknown> | undefined)?.text;
    const nextSteps = Array.isArray(text)
      ? (text as { title?: string; content?: string }[]).find(t => t.title === 'Next steps')?.content
      : undefined;
    assert.ok(nextSteps, 'template.yaml: output.text has no Next steps');
    const major = fs
      .readFileSync(path.join(repoRoot, 'skeleton', '.nvmrc'), 'utf8')
      .trim()
      .split('.')[0];
    assert.match(nextSteps, new RegExp(`\\bNode ${major}\\b`));
    const readme = fs.readFileSync(path.join(repoRoot, 'skeleton', 'README.md'), 'utf8');
    const runIt = /^## Run it\n\n```sh\n([\s\S]*?)^```/m.exec(readme)?.[1];
    assert.ok(runIt, 'skeleton/README.md has no Run it block');
    const commands = runIt
      .split('\n')
      .map(line => line.split('#')[0].trim())
      .filter(Boolean);
    assert.ok(commands.length >= 3, runIt);
    for (const command of commands)
      assert.ok(nextSteps.includes(`\`${command}\``), `the next steps lack \`${command}\``);
  });

  test('gives every form field a title and a description, and every required field exists', () => {
    for (const page of pages) {
      assert.ok(page.title, 'a page without a title');
      for (const [name, field] of Object.entries(page.properties)) {
        assert.ok(field.title && field.description, `${name} needs a title and a description`);
      }
      for (const name of page.required ?? []) assert.ok(page.properties[name], `required ${name} is not a field`);
    }
    const appName = pages.find(p => 'app_name' in p.properties)?.properties.app_name;
    assert.match(String(appName?.['ui:help']), /63/, 'app_name ui:help must say the rule');
  });
});

describe('template.yaml in an embedded Backstage', () => {
  const backstage = useBackstage();

  test('is ingested through catalog-info.yaml with no processing errors', async () => {
    const { api } = backstage();
    let errors: string[] = [];
    for (let waited = 0; waited < 20_000 && !errors.length; waited += 250) {
      if (await api.waitForEntity(TEMPLATE_REF, 0)) break;
      errors = await api.processingErrors();
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    assert.deepEqual(errors.concat(await api.processingErrors()), []);
    assert.ok(await api.waitForEntity(TEMPLATE_REF, 0), `${TEMPLATE_REF} was not ingested`);
    assert.ok(await api.waitForEntity('location:default/koa-service-template', 0), 'the Location was not ingested');
  });

  test('serves the create form: one page per parameter page, with the help texts', async () => {
    const schema = await backstage().api.parameterSchema(TEMPLATE_REF);
    assert.deepEqual(
      schema.steps.map(s => s.title),
      pages.map(p => p.title),
    );
    const firstPage = schema.steps[0].schema as FormPage;
    assert.match(String(firstPage.properties.app_name['ui:help']), /63/);
  });

  test('uses only actions the scaffolder has', async () => {
    const available = new Set((await backstage().api.actions()).map(a => a.id));
    for (const step of steps) assert.ok(available.has(step.action), `${step.id}: ${step.action} is not installed`);
  });

  test('runs publish:github through a stand-in with the real action id and input schema', async () => {
    const stand = (await backstage().api.actions()).find(a => a.id === 'publish:github');
    assert.ok(stand, 'no publish:github action');
    const real = createPublishGithubAction({
      integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      config: new ConfigReader({}),
    });
    assert.deepEqual(stand.schema?.input, JSON.parse(JSON.stringify(real.schema?.input)));
  });
});
