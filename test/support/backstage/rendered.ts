// The render matrix: every variant of the template rendered once through the embedded Backstage, kept in
// .cache/rendered/ and reused by every check until template.yaml, skeleton/ or the tooling change.
// Checks read the trees; none of them boots Backstage again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before } from 'node:test';
import { startBackstage } from '../../../packages/tooling/src/backstage/backend';
import { LOGGED_INPUT_VALUES } from '../../../packages/tooling/src/backstage/dry-run';
import { runTemplate } from '../../../packages/tooling/src/backstage/run-template';
import { repoRoot, TEMPLATE_FILES } from '../../../packages/tooling/src/template-repository';

const SHORTEST_NAME = 'ab';
export const LONGEST_NAME = 'a-forty-character-service-name-for-tests';

/** The render matrix: the shortest and the longest valid name, each in dev and in prod. */
export const MATRIX = [
  { id: 'short-dev', app_name: SHORTEST_NAME, app_env: 'dev' },
  { id: 'short-prod', app_name: SHORTEST_NAME, app_env: 'prod' },
  { id: 'long-dev', app_name: LONGEST_NAME, app_env: 'dev' },
  { id: 'long-prod', app_name: LONGEST_NAME, app_env: 'prod' },
] as const;

export type VariantId = (typeof MATRIX)[number]['id'];

/** Every variant's id, in the matrix's order. */
export const VARIANT_IDS: readonly VariantId[] = MATRIX.map(({ id }) => id);

/**
 * Two variants that between them cover both names and both environments, for checks too slow to run on all
 * four: the shortest name in dev, the longest in prod.
 */
export const CORNER_VARIANT_IDS: readonly VariantId[] = ['short-dev', 'long-prod'];

export interface Variant {
  id: VariantId;
  app_name: string;
  app_env: (typeof MATRIX)[number]['app_env'];
  /** The rendered repository (a git repository with one commit). */
  dir: string;
  /** The values fetch:template received, as its log reported them. */
  values: Record<string, unknown>;
}

const cacheDir = path.join(repoRoot, '.cache', 'rendered');
const manifestPath = path.join(cacheDir, 'manifest.json');

let rendered: Promise<Variant[]> | undefined;

/** Every variant, rendered at most once per change of the template's inputs. */
export function renderedVariants(): Promise<Variant[]> {
  rendered ??= loadOrRender();
  return rendered;
}

/**
 * The render matrix for one test file: read (or rendered) before its tests, then `variant(id)` inside them.
 */
export function useRenderedVariants(): (id: VariantId) => Variant {
  let variants: Variant[] | undefined;
  before(async () => {
    variants = await renderedVariants();
  });
  return id => {
    const variant = variants?.find(v => v.id === id);
    if (!variant) throw new Error(`variant ${id} is not rendered yet: call this inside a test`);
    return variant;
  };
}

/** Files of a tree, relative, sorted, without .git. */
export function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter(file => !file.split(path.sep).includes('.git'))
    .sort();
}

async function loadOrRender(): Promise<Variant[]> {
  const inputs = inputsHash();
  const fresh = () => {
    const manifest = readManifest();
    return manifest?.inputs === inputs && manifest.variants.every(v => fs.existsSync(v.dir))
      ? manifest.variants
      : undefined;
  };
  // Test processes may run side by side: one renders, the others wait for it and read its result.
  return fresh() ?? (await withLock(async () => fresh() ?? (await renderAll(inputs))));
}

async function renderAll(inputs: string): Promise<Variant[]> {
  // Rendered aside and swapped in whole, so no reader ever sees a half-written cache.
  const staging = `${cacheDir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const variants: Variant[] = [];
  for (const { id, app_name, app_env } of MATRIX) {
    // One Backstage per variant: dev and prod of one name are two repositories registering the same
    // component, which a shared catalog rightly refuses.
    const backstage = await startBackstage({ repoRoot, publishTarget: () => path.join(staging, id) });
    try {
      const result = await runTemplate(backstage.api, {
        app_name,
        app_env,
        repoUrl: `github.com?owner=local&repo=${app_name}`,
      });
      const log = result.events.map(e => e.body.message).join('\n');
      if (result.status !== 'completed') throw new Error(`rendering ${id} ended ${result.status}:\n${log}`);
      variants.push({ id, app_name, app_env, dir: path.join(cacheDir, id), values: fetchValues(log) });
    } finally {
      await backstage.stop();
    }
  }
  fs.writeFileSync(path.join(staging, 'manifest.json'), JSON.stringify({ inputs, variants }, null, 2));
  const old = `${cacheDir}.old-${process.pid}`;
  if (fs.existsSync(cacheDir)) fs.renameSync(cacheDir, old);
  fs.renameSync(staging, cacheDir);
  fs.rmSync(old, { recursive: true, force: true });
  return variants;
}

/** How long a test process waits for another one's render: four renders on a busy machine. */
const RENDER_WAIT_MS = 20 * 60_000;

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = `${cacheDir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (const deadline = Date.now() + RENDER_WAIT_MS; ;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock whose process has ended was left by a killed test process.
      if (!lockHolderAlive(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another test process`, { cause: error });
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Whether the process that took LOCK still runs. A lock without a pid is being taken this moment, or was
 * taken by a process that records none: it counts as held for as long as one render may take.
 */
function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    const taken = fs.statSync(lock, { throwIfNoEntry: false });
    return taken !== undefined && Date.now() - taken.mtimeMs < 300_000;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fetchValues(log: string): Record<string, unknown> {
  const match = LOGGED_INPUT_VALUES.exec(log);
  if (!match) throw new Error('fetch:template logged no input values; the engine-parity check needs them');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

interface Manifest {
  inputs: string;
  variants: Variant[];
}

/** The cache's manifest, as renderAll wrote it; undefined when there is none yet. */
function readManifest(): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function inputsHash(): string {
  const hash = createHash('sha256');
  // What renders a repository: the template's release files, the catalog entry that finds the template, the
  // embedded Backstage that runs it and the packages it is built from.
  const roots = [...TEMPLATE_FILES, 'catalog-info.yaml', 'packages/tooling/src/backstage', 'package-lock.json'];
  for (const root of roots) {
    const abs = path.join(repoRoot, root);
    const files = fs.statSync(abs).isDirectory() ? listFiles(abs).map(f => path.join(abs, f)) : [abs];
    for (const file of files) hash.update(path.relative(repoRoot, file)).update('\0').update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}
