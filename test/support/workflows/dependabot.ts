// A Dependabot configuration held against SchemaStore's published schema, through the TypeScript types the
// schema is compiled into (@schemastore/dependabot-2.0): the configuration becomes a literal that must satisfy
// the types, and a mapped type turns any key they do not name into an error. Run by this repository's tsc.
// Also: which of an update's groups a dependency's update falls into, by Dependabot's documented rules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export interface Update {
  'package-ecosystem': string;
  directory: string;
  schedule: { interval: string; [key: string]: unknown };
  groups?: Record<
    string,
    {
      patterns?: string[];
      'exclude-patterns'?: string[];
      'dependency-type'?: 'production' | 'development';
      'update-types'?: string[];
    }
  >;
  ignore?: { 'dependency-name': string; 'update-types'?: string[] }[];
  [key: string]: unknown;
}
export interface DependabotConfig {
  version: 2;
  updates: Update[];
}

const CHECK = `import type { GitHubDependabotV2Config as Config } from '@schemastore/dependabot-2.0';

/** The keys a type names, index signatures left out (of a union: any member's). */
type Named<T> = T extends unknown ? keyof { [K in keyof T as string extends K ? never : K]: 0 } : never;
/** The type of key K in S (of a union: in any member that has it). */
type At<S, K extends PropertyKey> = S extends unknown ? (K extends keyof S ? S[K] : never) : never;
/** T with each key S does not name made an error, at every depth; under a record (index only) any key goes. */
type Exact<T, S> = T extends readonly (infer E)[]
  ? readonly Exact<E, NonNullable<S> extends readonly (infer SE)[] ? SE : never>[]
  : T extends object
    ? [Named<NonNullable<S>>] extends [never]
      ? { [K in keyof T]: Exact<T[K], At<NonNullable<S>, string>> }
      : {
          [K in keyof T]: K extends Named<NonNullable<S>>
            ? Exact<T[K], At<NonNullable<S>, K>>
            : 'not a key of the schema';
        }
    : T;

const config = CONFIG satisfies Config;
export const exact: Exact<typeof config, Config> = config;
`;

/** tsc's errors for CONFIG, each with its elaboration; none when it satisfies the schema's types, every key named. */
export function dependabotTypeErrors(config: unknown): string[] {
  const dir = fs.mkdtempSync(path.join(repoRoot, '.cache', 'dependabot-'));
  try {
    fs.writeFileSync(path.join(dir, 'check.ts'), CHECK.replace('CONFIG', JSON.stringify(config, null, 2)));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          noErrorTruncation: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: [],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    if (tsc.error) throw tsc.error;
    // Each error with its elaboration (the indented lines under it), the path of the scratch file dropped.
    return tsc.stdout
      .split(/\n(?=\S)/)
      .filter(error => /error TS\d+/.test(error))
      .map(error => error.replace(/^.*check\.ts/, 'dependabot.yml as TypeScript'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Dependabot's patterns: `*` matches any run of characters, `/` included. */
const matches = (name: string, pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map(part => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
  ).test(name);

/** The group an update of DEPENDENCY of the given semver level joins: the first whose rules take it. */
export function groupOf(
  update: Update,
  dependency: { name: string; type: 'production' | 'development' },
  level: 'major' | 'minor' | 'patch',
): string | undefined {
  return Object.entries(update.groups ?? {}).find(
    ([, group]) =>
      (!group.patterns || group.patterns.some(p => matches(dependency.name, p))) &&
      !(group['exclude-patterns'] ?? []).some(p => matches(dependency.name, p)) &&
      (!group['dependency-type'] || group['dependency-type'] === dependency.type) &&
      (!group['update-types'] || group['update-types'].includes(level)),
  )?.[0];
}
