// The create form's verdict on a set of values, all pages at once, in words: the scaffolder's own check
// (jsonschema, page by page) stops at the first failing page and names a rule by its regular expression.
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { validate } from 'jsonschema';

/** A field of the form, as its JSON schema describes it (with the form's own ui: keys). */
interface FieldSchema {
  title?: string;
  description?: string;
  'ui:help'?: string;
  default?: unknown;
  [keyword: string]: unknown;
}

/** A page of the form: a JSON schema of an object, one property a field. */
interface PageSchema {
  title?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  [keyword: string]: unknown;
}

export interface FormPage {
  title: string;
  schema: PageSchema;
}

/** The form of a template, page by page, as the scaffolder serves it (a page's title is its schema's). */
export function templateFormPages(template: TemplateEntityV1beta3): FormPage[] {
  const { parameters = [] } = template.spec;
  return (Array.isArray(parameters) ? parameters : [parameters]).map(page => {
    const schema = page as PageSchema;
    return { title: schema.title ?? '', schema };
  });
}

/** One sentence per failing field: its title, the value given, and the rule in words. */
export function formErrors(pages: FormPage[], values: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const page of pages) {
    for (const error of validate(values, page.schema).errors) {
      const name = error.name === 'required' ? String(error.argument) : error.path.join('.');
      const field = page.schema.properties?.[name] ?? {};
      const title = `${field.title ?? name} (${name}, page "${page.title}")`;
      if (error.name === 'required') {
        errors.push(`${title}: required, and missing.`);
        continue;
      }
      const rule = field['ui:help'] ?? field.description ?? error.message;
      const hint = name === 'repoUrl' ? repoUrlHint(values[name]) : '';
      errors.push(`${title}: ${shown(values[name])} is refused. ${rule}${hint}`);
    }
  }
  return [...new Set(errors)];
}

/** A value as JSON, with every character a terminal would act on or hide written as \uXXXX. */
function shown(value: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its declared type says.
  const json = JSON.stringify(value) as string | undefined;
  return (json ?? 'undefined').replace(
    /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/gu,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A repository given as a URL or path, answered with the form the picker writes. */
function repoUrlHint(value: unknown): string {
  const match = /^(?:https?:\/\/|git@)?github\.com[/:]([^/?#\s]+)\/([^/?#\s]+?)(?:\.git)?\/?$/.exec(String(value));
  return match ? ` Written as the form takes it: github.com?owner=${match[1]}&repo=${match[2]}` : '';
}
