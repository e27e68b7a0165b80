// `npm run create`, the project's main job, as a newcomer runs it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { taskPrinter } from '../packages/tooling/src/backstage/task-log';
import { git } from '../packages/tooling/src/git';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { node24Bin, node24Env, run } from './support/service/node24';

const KEPT = 'keep.txt';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-create-'));
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function create(...args: string[]) {
  // The bin on this process's Node, the one npm run puts first on PATH.
  const run = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', '.bin', 'koa-template'), 'create', ...args],
    {
      cwd: work,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: run.status, out: run.stdout + run.stderr };
}

/** The HTTP status URL answers with, asked again until it answers or TIMEOUT ms have passed (0: never answered). */
async function statusWithin(url: URL, timeout: number): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return (await fetch(url)).status;
    } catch {
      if (Date.now() > deadline) return 0;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }
}

/** A directory of the work area that already holds a file of its own (KEPT). */
function occupiedDir(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, KEPT), 'mine');
  return dir;
}

/** What the first run printed: its next steps are followed as printed. */
let printed = '';

describe('npm run create', () => {
  test('renders a repository with one commit, the step log and the next steps', () => {
    const { status, out } = create('--app-name', 'orders', '--app-env', 'prod');
    printed = out;
    assert.equal(status, 0, out);
    const dir = path.join(work, 'out', 'orders');
    assert.equal(git(dir, ['rev-list', '--count', 'HEAD']), '1');
    // One line per step, as the portal's task page shows them; no per-file log without --verbose.
    assert.match(out, /✔ Render the repository \(fetch\) completed in \d+\.\d s\n/);
    assert.match(
      out,
      /✔ Publish to GitHub \(publish\) completed in \d+\.\d s\n\s+LOCAL STAND-IN: publish:github committed/,
    );
    assert.match(out, /✔ Register in the catalog \(register\) completed in \d+\.\d s\n/);
    assert.doesNotMatch(out, /Writing (file|directory)|Beginning step/);
    assert.match(out, /Stood in locally: publish:github/);
    assert.match(out, /Open in catalog: component:default\/orders/);
    assert.match(out, /Next steps \(the repository needs Node >=24[\d.]* \(\.nvmrc: 24\)\):\n {2}cd out\/orders\n/);
  });

  test('its next steps, run as printed, install and start the service, which answers 200', async () => {
    const steps = /^Next steps[^\n]*\n((?: {2}\S.*\n?)+)/m.exec(printed)?.[1];
    assert.ok(steps, printed);
    const commands = steps
      .split('\n')
      .map(line => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    // The service listens on PORT (8080 when unset, as the steps' URL says): a free one here, the URL's port with it.
    const port = await freeLoopbackPort();
    const env = node24Env({ PORT: String(port) });
    let cwd = work;
    let server: ReturnType<typeof spawn> | undefined;
    let serverLog = '';
    try {
      for (const command of commands) {
        const [program, ...args] = command.split(/\s+/);
        if (program === 'cd') {
          cwd = path.resolve(cwd, args[0]);
        } else if (program === 'nvm' && args[0] === 'use') {
          // What nvm would switch to: the Node .nvmrc names, which node24Env puts first on PATH.
          const version = spawnSync(path.join(node24Bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout;
          assert.equal(version.slice(1).split('.')[0], fs.readFileSync(path.join(cwd, '.nvmrc'), 'utf8').trim());
        } else if (program === 'curl') {
          const url = new URL(`http://${args[0].replace(/^https?:\/\//, '')}`);
          url.port = String(port);
          assert.equal(await statusWithin(url, 60_000), 200, `${command}\n${serverLog}`);
        } else if (command === 'npm run dev' || command === 'npm start') {
          // The service runs until stopped: started in the background, then asked by the next step.
          server = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
          server.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
          server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
        } else {
          const result = await run(program, args, cwd, env);
          assert.equal(result.code, 0, `${command}\n${result.output.slice(-3000)}`);
        }
      }
      assert.ok(server, `no step starts the service: ${commands.join('; ')}`);
      assert.ok(commands.includes('npm ci'), commands.join('; '));
    } finally {
      server?.kill('SIGTERM');
    }
  });

  test('refuses a non-empty directory without --force, and keeps its contents', () => {
    const dir = occupiedDir('taken');
    const { status, out } = create('--app-name', 'orders', '--app-env', 'dev', '--out', dir);
    assert.equal(status, 2, out);
    assert.match(out, /is not empty.*--force/);
    assert.equal(fs.readFileSync(path.join(dir, KEPT), 'utf8'), 'mine');
  });

  test('rejects an invalid value with the scaffolder message naming the field and the rule, and writes nothing', () => {
    const dir = occupiedDir('invalid');
    const values = path.join(work, 'bad-values.yaml');
    fs.writeFileSync(
      values,
      'owner: "group:default/a\\nspec.dependsOn: [x]"\nrepoUrl: https://github.com/acme/orders\n',
    );
    const { status, out } = create(
      '--app-name',
      'Orders_API',
      '--app-env',
      'dev',
      '--values',
      values,
      '--out',
      dir,
      '--force',
    );
    assert.equal(status, 1, out);
    // Every failing field, of every page, by title, with the value given and the rule in words.
    assert.match(
      out,
      /Name \(app_name, page "Service"\): "Orders_API" is refused\. 2 to 40 characters: lowercase letters/,
    );
    assert.match(
      out,
      /Owner \(owner, page "Service"\): "group:default\/a\\nspec\.dependsOn: \[x\]" is refused\. A group or user/,
    );
    assert.match(
      out,
      /Repository location \(repoUrl, page "Repository"\): .* form takes it: github\.com\?owner=acme&repo=orders/,
    );
    assert.doesNotMatch(out, /\^\[a-z\]|does not match pattern/, 'a regular expression reached the user');
    assert.deepEqual(fs.readdirSync(dir), [KEPT]);
  });

  test('with --force, replaces the contents of --out only once the whole run has succeeded', () => {
    const dir = occupiedDir('replaced');
    const { status, out } = create('--app-name', 'orders', '--app-env', 'dev', '--out', dir, '--force');
    assert.equal(status, 0, out);
    assert.ok(fs.existsSync(path.join(dir, 'catalog-info.yaml')) && !fs.existsSync(path.join(dir, KEPT)));
    assert.deepEqual(
      fs.readdirSync(work).filter(f => /\.(creating|replaced)-/.test(f)),
      [],
      'a staging directory was left behind',
    );
  });

  test('takes the other form values from --values', () => {
    const valuesFile = path.join(work, 'values.yaml');
    fs.writeFileSync(valuesFile, 'app_env: prod\ndescription: Takes orders\ningress_domain: svc.acme.io\n');
    const { status, out } = create(
      '--app-name',
      'billing',
      '--values',
      valuesFile,
      '--out',
      path.join(work, 'billing'),
    );
    assert.equal(status, 0, out);
    assert.match(out, /Service: https:\/\/billing-prod\.svc\.acme\.io/);
  });
});

describe("npm run create's step log", () => {
  const events = (status: 'completed' | 'failed') =>
    [
      { message: 'Starting up task with 1 steps' },
      { message: 'Beginning step Render the repository', stepId: 'fetch', status: 'processing' },
      { message: 'info: Writing file README.md to template output path.', stepId: 'fetch' },
      { message: 'error: Failed to render README.md', stepId: 'fetch' },
      { message: 'Finished step Render the repository', stepId: 'fetch', status },
    ].map((body, id) => ({ id, type: 'log' as const, body }));
  const print = (verbose: boolean, status: 'completed' | 'failed') => {
    const lines: string[] = [];
    const onEvent = taskPrinter({ verbose, write: line => lines.push(line) });
    events(status).forEach(onEvent);
    return lines;
  };

  test('a step that succeeds is one line', () => {
    assert.deepEqual(
      print(false, 'completed').map(l => l.replace(/[\d.]+ s$/, 'T')),
      ['  ✔ Render the repository (fetch) completed in T'],
    );
  });

  test('a step that fails is shown with its own lines', () => {
    const lines = print(false, 'failed');
    assert.match(lines[0], /✖ Render the repository \(fetch\) failed in/);
    assert.deepEqual(lines.slice(1), [
      '      Writing file README.md to template output path.',
      '      error: Failed to render README.md',
    ]);
  });

  test('--verbose shows every line as the scaffolder logged it', () => {
    assert.equal(print(true, 'completed').length, 5);
  });
});
