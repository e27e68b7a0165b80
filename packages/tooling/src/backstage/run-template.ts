// Runs this repository's template in an embedded Backstage the way the create form does: the form's
// defaults filled in from the template's own parameter schema, the values submitted as one task.
import type { BackstageApi, TaskEvent, TaskResult } from './api';
import { TEMPLATE_REF } from '../template-repository';

/** What a developer would type into the fields that have no default in the form. */
function typedValues(name: unknown): Record<string, unknown> {
  const appName = String(name);
  return {
    description: `${appName}: a Koa TypeScript service`,
    owner: 'group:default/platform-team',
    repoUrl: `github.com?owner=local&repo=${appName}`,
  };
}

/** The values the form would submit: the template's defaults, then what was typed. */
export async function formValues(api: BackstageApi, typed: Record<string, unknown>) {
  const schema = await api.parameterSchema(TEMPLATE_REF);
  const defaults: Record<string, unknown> = {};
  for (const page of schema.steps) {
    for (const [name, field] of Object.entries(page.schema.properties ?? {})) {
      if (field.default !== undefined) defaults[name] = field.default;
    }
  }
  return { ...defaults, ...typedValues(typed.app_name), ...typed };
}

export async function waitForTemplate(api: BackstageApi) {
  const template = await api.waitForEntity(TEMPLATE_REF);
  if (!template) throw new Error(`the catalog did not ingest ${TEMPLATE_REF} from catalog-info.yaml`);
  return template;
}

export async function runTemplate(
  api: BackstageApi,
  typed: Record<string, unknown>,
  onEvent?: (event: TaskEvent) => void,
): Promise<TaskResult> {
  await waitForTemplate(api);
  const taskId = await api.createTask(TEMPLATE_REF, await formValues(api, typed));
  return api.followTask(taskId, onEvent);
}
