// A real Prometheus (Debian's `prometheus`, on loopback, a free port) loaded with a generated repository's rules
// for an environment and fed a history of series: written as OpenMetrics, turned into TSDB blocks by
// `promtool tsdb create-blocks-from openmetrics` before it starts, so its rules evaluate over hours of data from
// their first evaluation. An alert whose `for` has run out in that history is restored as firing from its
// ALERTS_FOR_STATE series, as Prometheus restores alerts across its own restarts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freeLoopbackPort } from '../../../packages/tooling/src/free-port';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const INSTALL = 'apt-get install -y prometheus';

/** One series: its name and labels, and its value at each time (seconds before now; undefined: no sample). */
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: (ago: number) => number | undefined;
}

export interface History {
  /** How far back the history goes, in seconds. */
  span: number;
  /** Seconds between samples. */
  step: number;
  series: Series[];
}

export interface RunningPrometheus {
  url: string;
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
  /** The server's log, for an assertion's message. */
  log(): string;
}

const escape = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

function openMetrics({ span, step, series }: History, now: number): string {
  const lines: string[] = [];
  for (const { name, labels, value } of series) {
    const selector = Object.entries(labels)
      .map(([key, v]) => `${key}="${escape(v)}"`)
      .join(',');
    for (let ago = span; ago >= step; ago -= step) {
      const v = value(ago);
      if (v !== undefined) lines.push(`${name}{${selector}} ${String(v)} ${String(now - ago)}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

/** Starts Prometheus in DIR with RULES (a rules file's text) and HISTORY backfilled up to now. */
export async function startPrometheus(dir: string, rules: string, history: History): Promise<RunningPrometheus> {
  for (const tool of [PROMETHEUS, PROMTOOL]) {
    if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: ${INSTALL}`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const now = Math.floor(Date.now() / 1000);
  const data = path.join(dir, 'data');
  fs.writeFileSync(path.join(dir, 'history.om'), openMetrics(history, now));
  const blocks = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', 'history.om', data], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (blocks.status !== 0) throw new Error(`promtool could not backfill:\n${blocks.stdout}${blocks.stderr}`);
  fs.writeFileSync(path.join(dir, 'rules.yaml'), rules);
  // Rules every second, so a test waits seconds for what a production Prometheus evaluates each minute.
  fs.writeFileSync(path.join(dir, 'prometheus.yaml'), 'global:\n  evaluation_interval: 1s\nrule_files: [rules.yaml]\n');

  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${String(port)}`;
  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yaml')}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${String(port)}`,
      '--storage.tsdb.retention.time=30d',
      // Prometheus 2 restores the `for` state of an alert only if its `for` is at least this grace period
      // (default 10m), and NoReadyPods waits 5m.
      '--rules.alert.for-grace-period=0s',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>(resolve => {
    child.once('exit', () => {
      resolve();
    });
  });

  const query: RunningPrometheus['query'] = async promql => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error ?? 'failed'}`);
    return body.data.result;
  };
  const running: RunningPrometheus = {
    url,
    query,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    log: () => log,
  };

  // Evaluations run every second: the first records, the second restores alerts' `for` state, the third raises
  // what was restored. Three seconds after every group's first evaluation, the alerts are what the history says.
  const deadline = Date.now() + 30_000;
  let evaluated: number | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${String(child.exitCode)}:\n${log}`);
    try {
      if (evaluated === undefined && (await fetch(`${url}/-/ready`)).ok && (await allEvaluated(url))) {
        evaluated = Date.now();
      }
    } catch (error) {
      if (error instanceof RuleError) throw error;
      // not listening yet
    }
    if (evaluated !== undefined && Date.now() - evaluated >= 3000) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`prometheus had not evaluated its rules after 30 s:\n${log}`);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

class RuleError extends Error {}

interface RuleGroups {
  data: { groups: { lastEvaluation: string; rules: { health: string; lastError?: string; name: string }[] }[] };
}

/** True once every rule group has been evaluated; throws if a rule is in error (a rule the data cannot feed). */
async function allEvaluated(url: string): Promise<boolean> {
  const { data } = (await (await fetch(`${url}/api/v1/rules`)).json()) as RuleGroups;
  const broken = data.groups.flatMap(g => g.rules).filter(r => r.health === 'err');
  if (broken.length > 0) {
    throw new RuleError(`rules in error: ${broken.map(r => `${r.name}: ${r.lastError ?? ''}`).join('; ')}`);
  }
  return data.groups.length > 0 && data.groups.every(g => Date.parse(g.lastEvaluation) > 0);
}
