// GitHub Actions expressions and Backstage's template expressions share the `${{ }}` syntax. In the skeleton
// a GitHub expression must be escaped, as a string literal `${{ '${{ github.sha }}' }}` (or with double
// quotes) or inside `{% raw %}...{% endraw %}`, or the scaffolder renders it to an empty string.
const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g;
const RAW_BLOCK = /\{%-?\s*raw\s*-?%\}([\s\S]*?)\{%-?\s*endraw\s*-?%\}/g;
const SINGLE_QUOTED = /\$\{\{\s*'(\$\{\{[^']*?\}\})'\s*\}\}/;
const DOUBLE_QUOTED = /\$\{\{\s*"(\$\{\{[^"]*?\}\})"\s*\}\}/;
const ESCAPED = new RegExp([RAW_BLOCK.source, SINGLE_QUOTED.source, DOUBLE_QUOTED.source].join('|'), 'g');

/** fetch:template's syntax: an expression, a tag or a comment. Text without any renders to itself. */
const TEMPLATE_SYNTAX = /\$\{\{|\{%|\{#/;

/** Whether fetch:template's rendering can change the text (a file's contents or its path). */
export const isTemplated = (text: string) => TEMPLATE_SYNTAX.test(text);

/** Every `${{ ... }}` in a rendered file, in order. */
export function githubExpressions(text: string): string[] {
  return text.match(EXPRESSION) ?? [];
}

/** The GitHub expressions a skeleton file renders to: its escaped ones, in order. */
export function escapedGithubExpressions(source: string): string[] {
  return [...source.matchAll(ESCAPED)].flatMap(([, raw, single, double]: (string | undefined)[]) =>
    raw !== undefined ? githubExpressions(raw) : [single ?? double ?? ''],
  );
}

/** GitHub's expression contexts: a template loop variable named like one could not be told from it. */
const GITHUB_CONTEXTS = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
];
/** `{% for x in values.y %}`: the names a file's loops bind to a value's items. */
const LOOP = /\{%-?\s*for\s+([A-Za-z_]\w*)\s+in\s+values\./g;

/**
 * Template expressions that are not the template's own: the skeleton's expressions read `values.*`, a loop
 * variable over one (not named like a GitHub context), or start with a literal; anything else
 * (`${{ github.sha }}`, `${{ secrets.X }}`, `${{ env.X }}`) is an unescaped GitHub one.
 */
export function unescapedExpressions(source: string): string[] {
  const loops = [...source.matchAll(LOOP)]
    .map(([, name]) => name)
    .filter(name => !GITHUB_CONTEXTS.includes(name));
  const own = new RegExp(`^\\$\\{\\{-?\\s*(values\\.|['"(]${loops.map(name => `|${name}\\b`).join('')})`);
  return githubExpressions(source.replace(RAW_BLOCK, '')).filter(expression => !own.test(expression));
}
