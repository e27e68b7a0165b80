// The form's answers a repository recorded at creation (.template-answers.yaml), and the answers a later
// release's form gets: the recorded ones, a default for each field the old form did not have, and nothing
// for a field the new form dropped.
import fs from 'node:fs';
import path from 'node:path';
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { parse as parseYaml } from 'yaml';
import { templateFormPages } from '../backstage/form-errors';

export const ANSWERS_FILE = '.template-answers.yaml';

export interface Recorded {
  /** The template's entity ref. */
  template: string;
  version: string;
  /** The answers given; a field left empty has none. */
  answers: Record<string, unknown>;
}

export function readRecorded(repoDir: string): Recorded {
  const file = path.join(repoDir, ANSWERS_FILE);
  if (!fs.existsSync(file))
    throw new Error(
      `${repoDir} has no ${ANSWERS_FILE}: it was not made from this template, or before its release 1.0.0`,
    );
  const { template, version, answers } = (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as Partial<
    Record<keyof Recorded, unknown>
  >;
  if (typeof version !== 'string' || typeof answers !== 'object' || answers === null)
    throw new Error(`${ANSWERS_FILE} has no version or answers`);
  return {
    template: typeof template === 'string' ? template : '',
    version,
    answers: Object.fromEntries(Object.entries(answers).filter(([, answer]) => answer !== null)),
  };
}

interface Field {
  name: string;
  title?: string;
  default?: unknown;
  required: boolean;
}

/** The form's fields, page by page, in order. */
export function formFields(template: TemplateEntityV1beta3): Field[] {
  return templateFormPages(template).flatMap(({ schema: page }) =>
    Object.entries(page.properties ?? {}).map(([name, schema]) => ({
      name,
      title: schema.title,
      default: schema.default,
      required: (page.required ?? []).includes(name),
    })),
  );
}

export interface NewAnswers {
  answers: Record<string, unknown>;
  /** Fields the old form did not have, answered with the new form's default. */
  defaulted: { name: string; value: unknown }[];
  /** Fields given on the command line. */
  given: string[];
  /** Recorded answers to fields the new form no longer has. */
  dropped: string[];
  /** Required new fields without a default and not given. */
  missing: Field[];
}

/** The answers for the new form: RECORDED, then GIVEN (--answer), then defaults for fields new to it. */
export function answersFor(
  oldTemplate: TemplateEntityV1beta3,
  newTemplate: TemplateEntityV1beta3,
  recorded: Record<string, unknown>,
  given: Record<string, unknown>,
): NewAnswers {
  const oldFields = new Set(formFields(oldTemplate).map(f => f.name));
  const fields = formFields(newTemplate);
  const names = new Set(fields.map(f => f.name));
  const answers: Record<string, unknown> = {};
  const result: NewAnswers = { answers, defaulted: [], given: Object.keys(given), dropped: [], missing: [] };
  for (const [name, answer] of Object.entries(recorded)) {
    if (names.has(name)) answers[name] = answer;
    else result.dropped.push(name);
  }
  Object.assign(answers, given);
  for (const field of fields) {
    if (oldFields.has(field.name) || field.name in answers) continue;
    if (field.default !== undefined) {
      answers[field.name] = field.default;
      result.defaulted.push({ name: field.name, value: field.default });
    } else if (field.required) {
      result.missing.push(field);
    }
  }
  return result;
}
