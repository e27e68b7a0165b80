// The parts of template.yaml the checks read, typed: the form's pages, the fetch:template step's input and the
// output links. The Template entity type leaves these open (JSON objects); each reader here checks the shape
// it returns, so a template.yaml that changes shape fails with a sentence rather than an undefined.
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { readTemplate } from '../../../packages/tooling/src/template-repository';

/** A form field as the template declares it: JSON Schema with Backstage's ui: keys. */
interface FormField {
  title?: string;
  description?: string;
  'ui:help'?: string;
  [key: string]: unknown;
}

/** One page of the create form. */
export interface FormPage {
  title: string;
  required?: string[];
  properties: Record<string, FormField>;
}

/** The input of the fetch:template step, before the scaffolder fills in its expressions. */
export interface FetchTemplateStepInput {
  url: string;
  values: Record<string, string>;
  copyWithoutTemplating?: string[];
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
}

/** A link the task page shows once the task has ended. */
export interface OutputLink {
  title: string;
  url?: string;
  entityRef?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The form's pages, in order. */
export function formPages(template: TemplateEntityV1beta3 = readTemplate()): FormPage[] {
  const pages: unknown[] = [template.spec.parameters ?? []].flat();
  return pages.map((page, i) => {
    if (!isRecord(page) || typeof page.title !== 'string' || !isRecord(page.properties))
      throw new Error(`template.yaml: parameters[${i}] is not a page with a title and properties`);
    return page as unknown as FormPage;
  });
}

/** The input of the template's one fetch:template step. */
export function fetchTemplateInput(template: TemplateEntityV1beta3 = readTemplate()): FetchTemplateStepInput {
  const steps = template.spec.steps.filter(step => step.action === 'fetch:template');
  const input = steps.at(0)?.input;
  if (steps.length !== 1 || !isRecord(input) || typeof input.url !== 'string' || !isRecord(input.values))
    throw new Error('template.yaml: expected one fetch:template step with a url and values');
  return input as unknown as FetchTemplateStepInput;
}

/** The output links, in order. */
export function outputLinks(template: TemplateEntityV1beta3 = readTemplate()): OutputLink[] {
  const links: unknown = (template.spec.output as Record<string, unknown> | undefined)?.links;
  if (!Array.isArray(links) || !links.every(link => isRecord(link) && typeof link.title === 'string'))
    throw new Error('template.yaml: output.links is not a list of titled links');
  return links as OutputLink[];
}
