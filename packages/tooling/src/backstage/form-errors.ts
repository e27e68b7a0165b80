// The create form's verdict on a set of values, all pages at once, in words: the scaffolder's own check
// (jsonschema, page by page) stops at the first failing page and names a rule by its regular expression.
import { validate } from 'jsonschema';

export interface FormPage {
  title: string;
  schema: { properties?: Record<string, any>; required?: string[] };
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
const shown = (value: unknown) =>
  JSON.stringify(value)?.replace(
    /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/gu,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** A repository given as a URL or path, answered with the form the picker writes. */
function repoUrlHint(value: unknown): string {
  const match = /^(?:https?:\/\/|git@)?github\.com[/:]([^/?#\s]+)\/([^/?#\s]+?)(?:\.git)?\/?$/.exec(String(value));
  return match ? ` Written as the form takes it: github.com?owner=${match[1]}&repo=${match[2]}` : '';
}
