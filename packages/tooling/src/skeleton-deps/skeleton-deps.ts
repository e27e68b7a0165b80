// skeleton:deps: changes the skeleton's dependencies the way a template author would by hand, without the hand
// work. The skeleton is rendered with sample answers into a scratch directory, npm changes the package files
// there (lock file only, no install script), and the result goes back to skeleton/ with the template expressions
// restored, but only once rendering the new skeleton gives, byte for byte, the files npm wrote. On any failure
// skeleton/ is left exactly as it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackstageApi } from '../backstage/api';
import { templateSource } from '../backstage/dry-run';
import { dependabotPolicy, plan, planSummary, type Candidate, type DependencyType } from './dependabot';
import { npm, npmEnv, npmFailure, SkeletonDepsRefused } from './npm';
import {
  PACKAGE_FILES,
  render,
  restoreExpressions,
  sampleValues,
  withPackageFiles,
  writeRendered,
  type PackageTexts,
} from './render';

export type Request =
  | { command: 'install'; spec: string; dev: boolean }
  | { command: 'uninstall'; names: string[] }
  | { command: 'update' };

export interface SkeletonDepsOptions {
  api: BackstageApi;
  /** The template repository whose skeleton/ changes. */
  templateDir: string;
  /** npm's environment (default: this process's, npm run's own settings left out). */
  env?: NodeJS.ProcessEnv;
  /** The moment the cooldown counts back from (default: now). */
  now?: Date;
  log?: (line: string) => void;
}

export interface Outcome {
  changed: boolean;
  /** What changed, as Markdown. */
  summary: string;
  /** The package files npm wrote in the rendered copy. */
  rendered: PackageTexts;
  /** The package files written to skeleton/ (or left there). */
  skeleton: PackageTexts;
}

/** A registry package's name: nothing npm would read as a path, URL or option. */
const NAME = String.raw`(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*`;
const PACKAGE_NAME = new RegExp(`^${NAME}$`, 'i');
/** A registry package, with a version, range or tag. */
const REGISTRY_SPEC = new RegExp(String.raw`^${NAME}(?:@[\w.^~<>=| -]+)?$`, 'i');

const readTexts = (dir: string): PackageTexts =>
  Object.fromEntries(PACKAGE_FILES.map(file => [file, fs.readFileSync(path.join(dir, file), 'utf8')])) as PackageTexts;

export async function skeletonDeps(request: Request, options: SkeletonDepsOptions): Promise<Outcome> {
  const { api, templateDir } = options;
  const log = options.log ?? (() => undefined);
  const env = npmEnv(options.env);
  const skeletonDir = path.join(templateDir, 'skeleton');
  if (request.command === 'install' && !REGISTRY_SPEC.test(request.spec)) {
    throw new SkeletonDepsRefused(
      `${JSON.stringify(request.spec)}: install takes a package of the npm registry, e.g. undici or undici@^7`,
    );
  }
  const original = readTexts(skeletonDir);
  const source = templateSource(templateDir);
  const values = await sampleValues(api);
  const rendered = await render(api, source, values);
  const before = Object.fromEntries(
    PACKAGE_FILES.map(file => [file, rendered.get(file)?.toString('utf8') ?? '']),
  ) as PackageTexts;
  if (request.command === 'uninstall') {
    const present = dependencyNames(before['package.json']);
    const unknown = request.names.filter(name => !PACKAGE_NAME.test(name) || !present.has(name));
    if (!request.names.length || unknown.length) {
      throw new SkeletonDepsRefused(
        `${unknown.map(name => JSON.stringify(name)).join(', ') || 'nothing given'}: uninstall takes the names of ` +
          "the skeleton's dependencies",
      );
    }
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'skeleton-deps-'));
  try {
    writeRendered(scratch, rendered);
    log(`Rendered the skeleton with sample answers into ${scratch}`);
    let summary: string;
    if (request.command === 'install') {
      const args = ['install', '--package-lock-only', '--ignore-scripts', ...(request.dev ? ['--save-dev'] : [])];
      log(`npm ${[...args, request.spec].join(' ')}`);
      const run = await npm([...args, request.spec], scratch, env);
      if (run.code !== 0) throw npmFailure(`npm install ${request.spec}`, run);
      summary = installSummary(request.spec, before['package.json'], readTexts(scratch)['package.json']);
    } else if (request.command === 'uninstall') {
      const args = ['uninstall', '--package-lock-only', '--ignore-scripts', ...request.names];
      log(`npm ${args.join(' ')}`);
      const run = await npm(args, scratch, env);
      if (run.code !== 0) throw npmFailure(`npm uninstall ${request.names.join(' ')}`, run);
      summary = `npm uninstall:\n\n${request.names.map(name => `- \`${name}\` removed`).join('\n')}\n`;
    } else {
      summary = await update(scratch, env, options.now ?? new Date(), log);
    }
    const written = readTexts(scratch);
    if (PACKAGE_FILES.every(file => written[file] === before[file])) {
      return { changed: false, summary, rendered: written, skeleton: original };
    }
    const restored = Object.fromEntries(
      PACKAGE_FILES.map(file => [file, restoreExpressions(file, original[file], before[file], written[file])]),
    ) as PackageTexts;
    log('Rendering the new skeleton again to compare with what npm wrote');
    const again = await render(api, withPackageFiles(source, restored), values);
    for (const file of PACKAGE_FILES) {
      const difference = firstDifference(again.get(file)?.toString('utf8') ?? '', written[file]);
      if (difference) {
        throw new SkeletonDepsRefused(
          `the new skeleton/${file} does not render to what npm wrote (${difference}): skeleton/ is unchanged`,
        );
      }
    }
    // Both files are in place before either replaces its original: a failure leaves neither half-written.
    for (const file of PACKAGE_FILES)
      fs.writeFileSync(path.join(skeletonDir, `.${file}.skeleton-deps`), restored[file]);
    for (const file of PACKAGE_FILES) {
      fs.renameSync(path.join(skeletonDir, `.${file}.skeleton-deps`), path.join(skeletonDir, file));
    }
    return { changed: true, summary, rendered: written, skeleton: restored };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    for (const file of PACKAGE_FILES) fs.rmSync(path.join(skeletonDir, `.${file}.skeleton-deps`), { force: true });
  }
}

/** Where two texts first differ, as a line number and both lines. */
function firstDifference(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, n) => line !== e[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: rendered ${JSON.stringify(a[at])}, npm wrote ${JSON.stringify(e[at])}`;
}

type Manifest = Partial<Record<'dependencies' | 'devDependencies', Record<string, string>>>;

const DEPENDENCY_FIELDS = { production: 'dependencies', development: 'devDependencies' } as const;

/** The names a package.json depends on, production and development. */
function dependencyNames(packageJson: string): Set<string> {
  const manifest = JSON.parse(packageJson) as Manifest;
  return new Set(Object.values(DEPENDENCY_FIELDS).flatMap(field => Object.keys(manifest[field] ?? {})));
}

function installSummary(spec: string, before: string, after: string): string {
  const old = JSON.parse(before) as Manifest;
  const now = JSON.parse(after) as Manifest;
  const lines = Object.values(DEPENDENCY_FIELDS).flatMap(field =>
    Object.entries(now[field] ?? {})
      .filter(([name, range]) => old[field]?.[name] !== range)
      .map(([name, range]) => `- \`${name}\`: \`${range}\` in ${field}`),
  );
  return `npm install ${spec}:\n\n${lines.length ? lines.join('\n') : '- nothing changed'}\n`;
}

/** At most this many `npm view` at once. */
const VIEWS_AT_ONCE = 8;

/** Minor and patch updates as Dependabot groups them, in the rendered copy DIR; returns the plan's summary. */
async function update(dir: string, env: NodeJS.ProcessEnv, now: Date, log: (line: string) => void) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Partial<Record<string, { version?: string }>>;
  };
  const direct = (Object.entries(DEPENDENCY_FIELDS) as [DependencyType, keyof Manifest][]).flatMap(
    ([dependencyType, field]) =>
      Object.entries(manifest[field] ?? {}).map(([name, range]) => ({ name, range, dependencyType })),
  );
  log(`Asking the registry for the versions of ${direct.length} dependencies`);
  const candidates: Candidate[] = [];
  for (let i = 0; i < direct.length; i += VIEWS_AT_ONCE) {
    const batch = direct.slice(i, i + VIEWS_AT_ONCE);
    const viewed = await Promise.all(
      batch.map(async dependency => {
        const run = await npm(['view', dependency.name, 'versions', 'time', '--json'], dir, env);
        if (run.code !== 0) throw npmFailure(`npm view ${dependency.name}`, run);
        const { versions, time } = JSON.parse(run.stdout) as { versions: string[]; time: Record<string, string> };
        const locked = lock.packages[`node_modules/${dependency.name}`]?.version;
        if (!locked) throw new SkeletonDepsRefused(`${dependency.name} is not in the skeleton's package-lock.json`);
        const published = Object.fromEntries(versions.filter(v => v in time).map(v => [v, time[v]]));
        return { ...dependency, locked, published };
      }),
    );
    candidates.push(...viewed);
  }
  const policy = dependabotPolicy(fs.readFileSync(path.join(dir, '.github', 'dependabot.yml'), 'utf8'));
  const planned = plan(candidates, policy, now);
  if (planned.updates.length) {
    // First the exact versions, so that npm resolves each to the version the plan chose (a range would take a
    // newer one the cooldown holds back), then the ranges, which the locked versions already satisfy.
    for (const exact of [true, false]) {
      for (const u of planned.updates) {
        const field = DEPENDENCY_FIELDS[u.dependencyType];
        (manifest[field] ??= {})[u.name] = exact ? u.to : u.range;
      }
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      log(`npm install --package-lock-only (${exact ? 'the chosen versions' : 'their ranges'})`);
      const run = await npm(['install', '--package-lock-only', '--ignore-scripts'], dir, env);
      if (run.code !== 0) throw npmFailure('npm install', run);
    }
    const updated = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as typeof lock;
    for (const u of planned.updates) {
      const locked = updated.packages[`node_modules/${u.name}`]?.version;
      if (locked !== u.to) throw new SkeletonDepsRefused(`npm locked ${u.name} at ${String(locked)}, not ${u.to}`);
    }
  }
  return planSummary(planned);
}
