// fetch:template as Backstage ran it before scaffolder-backend 4.0.3: classic nunjucks, configured as its
// SecureTemplater configured it (autoescape off, `${{ }}` variables, trimBlocks/lstripBlocks from the step,
// Backstage's own filters with results passed through JSON), walking the skeleton as its handler did.
// The only thing left out is the isolated-vm sandbox, which changes no output.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import globby from 'globby';
import nunjucks from 'nunjucks';

export interface FetchTemplateInput {
  values: Record<string, unknown>;
  copyWithoutTemplating?: string[];
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
}

const requireFromScaffolder = createRequire(require.resolve('@backstage/plugin-scaffolder-backend'));

/** A template filter as the scaffolder's templating registers it: a name and a function of the piped value. */
interface BackstageFilter {
  id: string;
  filter: (...args: unknown[]) => unknown;
}
interface DefaultFiltersModule {
  createDefaultFilters(options: { integrations: ScmIntegrations }): BackstageFilter[];
}

function backstageFilters(): BackstageFilter[] {
  // Not exported by the package; the same module the current engine uses.
  const filters = requireFromScaffolder('./lib/templating/filters/createDefaultFilters.cjs.js') as DefaultFiltersModule;
  return filters.createDefaultFilters({ integrations: ScmIntegrations.fromConfig(new ConfigReader({})) });
}

/** A value as it comes out of JSON: how the scaffolder passes values and filter results into the sandbox. */
const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** Backstage's template delimiters: `${{ }}` for expressions. */
const TAGS = { variableStart: '${{', variableEnd: '}}' };

function classicEnvironment(input: FetchTemplateInput): nunjucks.Environment {
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    trimBlocks: input.trimBlocks,
    lstripBlocks: input.lstripBlocks,
    tags: TAGS,
  });
  for (const { id, filter } of backstageFilters()) {
    env.addFilter(id, (...args: unknown[]) => {
      const result = filter(...args);
      return result === undefined ? undefined : throughJson(result);
    });
  }
  return env;
}

/** A nunjucks syntax tree node, as far as the runner looked at it (nunjucks/src/nodes.js). */
interface ParsedNode {
  children?: ParsedNode[];
}
/** The parser and node classes the nunjucks module carries; @types/nunjucks leaves them out. */
const { parser, nodes } = nunjucks as unknown as {
  parser: { parse(source: string, extensions: unknown[], options: nunjucks.ConfigureOptions): ParsedNode };
  nodes: { TemplateData: new () => unknown };
};

/**
 * A step's input as the workflow runner rendered it before 4.0.3: a string that is one whole `${{ }}`
 * expression was rendered through `dump` and parsed back, so it kept its type (a list, a boolean); any other
 * string was rendered as text, and an empty result left the key out.
 */
export function renderClassicStepInput(input: unknown, context: Record<string, unknown>): unknown {
  const env = classicEnvironment({ values: {} });
  const render = (text: string) => env.renderString(text, throughJson(context) as object);
  const isSingleExpression = (text: string) => {
    const { children = [] } = parser.parse(text, [], { autoescape: false, tags: TAGS });
    return children.length === 1 && !(children[0].children?.[0] instanceof nodes.TemplateData);
  };
  return JSON.parse(JSON.stringify(input), (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (isSingleExpression(value)) {
      const dumped = render(value.replace(/\$\{\{(.+)\}\}/g, '${{ ( $1 ) | dump }}'));
      return dumped === '' ? undefined : (JSON.parse(dumped) as unknown);
    }
    const text = render(value);
    return text === '' ? undefined : text;
  }) as unknown;
}

export async function renderClassic(skeletonDir: string, outputDir: string, input: FetchTemplateInput) {
  const env = classicEnvironment(input);
  const context = { values: throughJson(input.values) };
  const render = (text: string) => env.renderString(text, context);
  const options = { cwd: skeletonDir, dot: true, onlyFiles: false, markDirectories: true, followSymbolicLinks: false };
  const entries = await globby('**/*', options);
  const copyOnly = new Set(await globby(input.copyWithoutTemplating ?? [], options));

  for (const entry of entries) {
    const target = render(entry);
    if (target === '' || target.startsWith('/') || target.includes('//')) continue;
    const outputPath = path.join(outputDir, target);
    if (entry.endsWith('/')) {
      fs.mkdirSync(outputPath, { recursive: true });
      continue;
    }
    const source = path.join(skeletonDir, entry);
    const contents = fs.readFileSync(source);
    if (contents.includes(0)) throw new Error(`${entry} is binary: the classic walk here handles text only`);
    fs.mkdirSync(path.dirname(outputPath), { recursive: true });
    const text = contents.toString('utf8');
    fs.writeFileSync(outputPath, copyOnly.has(entry) ? text : render(text), { mode: fs.statSync(source).mode });
  }
}
