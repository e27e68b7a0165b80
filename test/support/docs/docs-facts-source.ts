// The other side of docs-facts.test.ts: what a rendered repository's service and API definition really have,
// read from its source (routes, configuration, middleware, error body) or by running it (metrics, the
// configuration error the entry point prints).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

const read = (repoDir: string, file: string) => fs.readFileSync(path.join(repoDir, file), 'utf8');

/** `GET /path` for every route of src/routes.ts. */
export function routerEndpoints(repoDir: string): string[] {
  return [...read(repoDir, 'src/routes.ts').matchAll(/router\.(get|post|put|patch|delete|head)\('([^']+)'/g)].map(
    m => `${m[1].toUpperCase()} ${m[2]}`,
  );
}

/** `GET /path` for every operation of openapi.yaml. */
export function openapiEndpoints(repoDir: string): string[] {
  const paths: Record<string, Record<string, unknown>> = parseYaml(read(repoDir, 'openapi.yaml')).paths;
  return Object.entries(paths).flatMap(([route, ops]) =>
    Object.keys(ops).map(method => `${method.toUpperCase()} ${route}`),
  );
}

/** openapi.yaml's Error schema: its required fields and all its fields. */
export function openapiError(repoDir: string): { required: string[]; properties: string[] } {
  const schema = parseYaml(read(repoDir, 'openapi.yaml')).components.schemas.Error;
  return { required: schema.required, properties: Object.keys(schema.properties) };
}

/** Field names of the body src/middleware/errors.ts renders. */
export function errorBodyFields(repoDir: string): string[] {
  const body = /ctx\.body = \{([^}]*)\}/.exec(read(repoDir, 'src/middleware/errors.ts'));
  if (!body) throw new Error('src/middleware/errors.ts no longer sets ctx.body = { ... }');
  return [...body[1].matchAll(/(?:^|,)\s*(\w+)/g)].map(m => m[1]);
}

export interface ConfigVariable {
  name: string;
  /** The default, for variables read as integers or as one of a list. */
  default?: string;
  /** `min to max` for integers, the allowed values for lists. */
  accepted?: string;
}

/** Every environment variable src/config.ts reads: text('X'), integer('X', fallback, min, max), oneOf('X', list, fallback). */
export function configVariables(repoDir: string): ConfigVariable[] {
  const source = read(repoDir, 'src/config.ts');
  const number = (text: string) => String(Number(text.replace(/_/g, '')));
  const list = (text: string) => {
    const literal = text.startsWith('[') ? text : new RegExp(`const ${text} = (\\[[^\\]]*\\])`).exec(source)?.[1];
    if (!literal) throw new Error(`src/config.ts: cannot find the list ${text}`);
    return [...literal.matchAll(/'([^']*)'/g)].map(m => m[1]).join(', ');
  };
  return [
    ...[...source.matchAll(/\btext\('([A-Z0-9_]+)'\)/g)].map(m => ({ name: m[1] })),
    ...[...source.matchAll(/\binteger\('([A-Z0-9_]+)', ([\d_]+), ([\d_]+), ([\d_]+)\)/g)].map(m => ({
      name: m[1],
      default: number(m[2]),
      accepted: `${number(m[3])} to ${number(m[4])}`,
    })),
    ...[...source.matchAll(/\boneOf\('([A-Z0-9_]+)', (\[[^\]]*\]|\w+), '([^']*)'\)/g)].map(m => ({
      name: m[1],
      default: m[3],
      accepted: list(m[2]),
    })),
  ];
}

/** The middleware src/app.ts registers, in order: requestId, observe, ..., router.routes, router.allowedMethods. */
export function middlewareOrder(repoDir: string): string[] {
  return [...read(repoDir, 'src/app.ts').matchAll(/\.use\(([\w.]+)\(/g)].map(m => m[1]);
}

/** Every single-quoted string literal of the service's non-test source. */
export function sourceLiterals(repoDir: string): Set<string> {
  const srcDir = path.join(repoDir, 'src');
  const files = fs
    .readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter(f => f.endsWith('.ts') && !f.includes('test'));
  return new Set(files.flatMap(file => [...read(srcDir, file).matchAll(/'([^'\n]*)'/g)].map(m => m[1])));
}

/**
 * The series the service exposes, from its own src/metrics.ts run against prom-client (resolved from the
 * template's node_modules, the version the service locks): name, and the labels it carries.
 */
export async function serviceSeries(repoDir: string): Promise<Map<string, string[]>> {
  const { createMetrics } = await import(path.join(repoDir, 'src', 'metrics.ts'));
  const series = new Map<string, string[]>();
  for (const metric of createMetrics().registry.getMetricsAsArray()) {
    const labels: string[] = metric.labelNames ?? [];
    const suffixes =
      metric.type === 'histogram'
        ? ['_bucket', '_sum', '_count']
        : metric.type === 'summary'
          ? ['', '_sum', '_count']
          : [''];
    for (const suffix of suffixes)
      series.set(`${metric.name}${suffix}`, suffix === '_bucket' ? [...labels, 'le'] : labels);
  }
  return series;
}

/** What src/main.ts prints (stderr) and its exit code when started with one extra environment variable. */
export function startWith(repoDir: string, name: string, value: string): { code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoDir, 'src', 'main.ts')], {
    cwd: repoRoot,
    // Should the value be valid, the service starts: on a free port, and killed after the timeout.
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', [name]: value },
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return { code: run.status, stderr: run.stderr.trim() };
}
