// The render matrix: every variant of the template rendered once through the embedded Backstage, kept in
// .cache/rendered/ and reused by every check until template.yaml, skeleton/ or the tooling change.
// Checks read the trees; none of them boots Backstage again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startBackstage } from '../../../packages/tooling/src/backstage/backend';
import { runTemplate } from '../../../packages/tooling/src/backstage/run-template';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export interface Variant {
  /** short-dev, short-prod, long-dev, long-prod */
  id: string;
  app_name: string;
  app_env: 'dev' | 'prod';
  /** The rendered repository (a git repository with one commit). */
  dir: string;
  /** The values fetch:template received, as its log reported them. */
  values: Record<string, unknown>;
}

export const SHORTEST_NAME = 'ab';
export const LONGEST_NAME = 'a-forty-character-service-name-for-tests';

const MATRIX = [
  { id: 'short-dev', app_name: SHORTEST_NAME, app_env: 'dev' },
  { id: 'short-prod', app_name: SHORTEST_NAME, app_env: 'prod' },
  { id: 'long-dev', app_name: LONGEST_NAME, app_env: 'dev' },
  { id: 'long-prod', app_name: LONGEST_NAME, app_env: 'prod' },
] as const;

const cacheDir = path.join(repoRoot, '.cache', 'rendered');
const manifestPath = path.join(cacheDir, 'manifest.json');

let rendered: Promise<Variant[]> | undefined;

/** Every variant, rendered at most once per change of the template's inputs. */
export function renderedVariants(): Promise<Variant[]> {
  rendered ??= loadOrRender();
  return rendered;
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

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = `${cacheDir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (const deadline = Date.now() + 300_000; ;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error: any) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than any render is left by a killed process.
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held by another test process`);
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function fetchValues(log: string): Record<string, unknown> {
  const match = /template files\/directories with input values (\{.*\})/.exec(log);
  if (!match) throw new Error('fetch:template no longer logs its input values; the engine-parity check needs them');
  return JSON.parse(match[1]);
}

function readManifest(): { inputs: string; variants: Variant[] } | undefined {
  try {
    return JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function inputsHash(): string {
  const hash = createHash('sha256');
  const roots = [
    'template.yaml',
    'catalog-info.yaml',
    'skeleton',
    'packages/tooling/src/backstage',
    'package-lock.json',
  ];
  for (const root of roots) {
    const abs = path.join(repoRoot, root);
    const files = fs.statSync(abs).isDirectory() ? listFiles(abs).map(f => path.join(abs, f)) : [abs];
    for (const file of files) hash.update(path.relative(repoRoot, file)).update('\0').update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}
