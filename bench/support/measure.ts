// What the benchmarks read and drive: a process tree's CPU time and resident memory from /proc, and load
// from the second core (the server under test is pinned to the first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SERVER_CORE = '0';
export const LOAD_CORE = '1';

/** Refuses to measure on one core: the server and its load would share it. */
export function requireTwoCores(bench: string): void {
  if (os.availableParallelism() < 2)
    throw new Error(`${bench} needs two cores: the server on one, the load on the other`);
}

/** Moves this process, the load's driver, to the load core. */
export function pinToLoadCore(): void {
  spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
}

/** The machine the figures were measured on, for a report's first line. */
export const machine = () => `${os.availableParallelism()} × ${os.cpus()[0].model.trim()}`;
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
const autocannon = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'autocannon');

/** The process and all its descendants (gunicorn's master and workers, say). */
function processTree(pid: number): number[] {
  const children = fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap(tid => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
  return [pid, ...children.flatMap(processTree)];
}

/** User + system CPU seconds used so far by the process tree. */
export function cpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }, 0);
}

/** Resident memory of the process tree, in MB. */
export function rssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    const vmRss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
    if (!vmRss) throw new Error(`/proc/${p}/status has no VmRSS`);
    return sum + Number(vmRss[1]) / 1024;
  }, 0);
}

/**
 * Saturating closed-loop load (autocannon, 32 kept-alive connections); returns the requests answered 2xx.
 * A server that closes every connection (gunicorn's sync worker) makes autocannon count an error whenever
 * the close races its next request; up to 25% are tolerated, and only 2xx answers are counted.
 */
export function saturate(url: string, seconds: number, connections = 32): number {
  const run = spawnSync(
    'taskset',
    ['-c', LOAD_CORE, autocannon, '-c', String(connections), '-d', String(seconds), '-j', url],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`autocannon failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { '2xx': number; non2xx: number; errors: number };
  if (result.non2xx || result.errors > 0.25 * result['2xx'])
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result['2xx'];
}

export interface PacedResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** Open-loop load at an even RATE per second for SECONDS; latencies in ms from each request's due time. */
export function paced(url: string, rate: number, seconds: number): PacedResult {
  const run = spawnSync(
    'taskset',
    ['-c', LOAD_CORE, process.execPath, path.join(__dirname, 'paced-load.mjs'), url, String(rate), String(seconds)],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`paced load failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as PacedResult;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
