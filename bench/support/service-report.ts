// bench:service's figures: medians over rounds, ratios to the baselines, where the CPU goes, and the
// issue's targets with pass or fail. Returns the markdown table and the same figures as JSON.
import os from 'node:os';
import { median } from './measure';

export interface Subject {
  id: string;
  label: string;
  argv: string[];
  env: Record<string, string>;
  measures: readonly ('start' | 'cpu' | 'paced')[];
  /** Concurrent connections of the saturating load (32 unless set). */
  connections?: number;
}

export interface Sample {
  firstOkMs?: number;
  idleRssMb?: number;
  cpuMicrosPerRequest?: number;
  requestsPerSecond?: number;
  millicoresAt100?: number;
  p50At1000?: number;
  p99At1000?: number;
  rssAfterLoadMb?: number;
}

type Figures = Partial<Record<keyof Sample, number>>;
const KEYS: (keyof Sample)[] = [
  'firstOkMs',
  'idleRssMb',
  'cpuMicrosPerRequest',
  'requestsPerSecond',
  'millicoresAt100',
  'p50At1000',
  'p99At1000',
  'rssAfterLoadMb',
];

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '' : value.toFixed(digits));
const ratio = (value: number | undefined, base: number | undefined) =>
  value === undefined || base === undefined ? '' : `${(value / base).toFixed(2)}x`;

export function report(input: {
  subjects: Subject[];
  samples: Map<string, Sample[]>;
  versions: Record<string, string>;
  samplingRatio: number | undefined;
  rounds: number;
}) {
  const { subjects, samples, versions, samplingRatio, rounds } = input;
  const figures = new Map<string, Figures>();
  for (const subject of subjects) {
    const taken = samples.get(subject.id)!;
    const entry = {} as Figures;
    for (const key of KEYS) {
      const values = taken.map(s => s[key]).filter((v): v is number => v !== undefined);
      entry[key] = values.length ? median(values) : undefined;
    }
    figures.set(subject.id, entry);
  }
  const get = (id: string) => figures.get(id)!;
  // Rounds alternate the subjects, so a ratio taken within each round cancels the machine's drift between rounds.
  const roundRatio = (key: keyof Sample, id: string, baseId: string) =>
    median(samples.get(id)!.map((sample, round) => sample[key]! / samples.get(baseId)![round][key]!));
  const spread = (id: string) => {
    const values = samples
      .get(id)!
      .map(s => s.cpuMicrosPerRequest)
      .filter((v): v is number => v !== undefined);
    return values.length > 1 ? ` (${fixed(Math.min(...values))}–${fixed(Math.max(...values))})` : '';
  };
  const [bare, flask, service] = [get('node-http'), get('flask'), get('service')];
  const label = (id: string) => subjects.find(s => s.id === id)!.label;
  const sampling =
    samplingRatio === undefined
      ? 'every request (the SDK default; the chart sets no ratio)'
      : `ratio ${samplingRatio} (the chart's default)`;

  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0].model.trim()} (${os.cpus().length} cores), ` +
      `${versions.node}, ${versions.python}, ${versions.gunicorn}; medians of ${rounds} rounds (CPU: lowest–highest round). ` +
      `Targets are medians of each round's ratio. Each server runs pinned to one ` +
      `core and the load to the other, on loopback; CPU is the server's own (/proc), on \`GET /api/v1/details\`. ` +
      `"As prod runs it": access log and request metrics on, tracing exported to a local OTLP sink, sampling ${sampling}.`,
    '',
    '| Subject | CPU µs/request | vs node:http | vs Flask | req/s on one core | millicores at 100 req/s | vs node:http | p50 / p99 ms at 1,000 req/s | idle RSS MB | vs node:http | RSS after load MB | first 200 ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const id of ['node-http', 'flask', 'service', 'no-tracing', 'in-cluster']) {
    const f = get(id);
    lines.push(
      `| ${label(id)} | ${fixed(f.cpuMicrosPerRequest)}${spread(id)} | ${ratio(f.cpuMicrosPerRequest, bare.cpuMicrosPerRequest)} | ` +
        `${ratio(f.cpuMicrosPerRequest, flask.cpuMicrosPerRequest)} | ${fixed(f.requestsPerSecond, 0)} | ${fixed(f.millicoresAt100)} | ` +
        `${ratio(f.millicoresAt100, bare.millicoresAt100)} | ${f.p50At1000 === undefined ? '' : `${fixed(f.p50At1000, 2)} / ${fixed(f.p99At1000, 2)}`} | ` +
        `${fixed(f.idleRssMb, 0)} | ${ratio(f.idleRssMb, bare.idleRssMb)} | ${fixed(f.rssAfterLoadMb, 0)} | ${fixed(f.firstOkMs, 0)} |`,
    );
  }

  lines.push('', 'Where the service\'s CPU goes: one thing changed at a time from "as prod runs it".', '');
  lines.push("| Changed | CPU µs/request | Difference µs/request | Share of the service's cost |", '|---|--:|--:|--:|');
  const cost = service.cpuMicrosPerRequest!;
  for (const id of ['no-access-log', 'no-metrics', 'no-tracing', 'unsampled', 'sampled']) {
    const value = get(id).cpuMicrosPerRequest!;
    lines.push(
      `| ${label(id)} | ${fixed(value)} | ${(value - cost >= 0 ? '+' : '') + fixed(value - cost)} | ${fixed(((cost - value) / cost) * 100, 0)}% |`,
    );
  }

  const targets = [
    {
      target: 'CPU per request ≤ 2.5x bare node:http',
      value: roundRatio('cpuMicrosPerRequest', 'service', 'node-http'),
      limit: 2.5,
      unit: 'x',
    },
    {
      target: 'CPU per request ≤ 0.2x Flask',
      value: roundRatio('cpuMicrosPerRequest', 'service', 'flask'),
      limit: 0.2,
      unit: 'x',
    },
    {
      target: 'millicores at 100 req/s ≤ 1.3x bare node:http',
      value: roundRatio('millicoresAt100', 'service', 'node-http'),
      limit: 1.3,
      unit: 'x',
    },
    { target: 'p99 at 1,000 req/s ≤ 10 ms', value: service.p99At1000!, limit: 10, unit: ' ms' },
    {
      target: 'idle RSS ≤ 1.5x bare node:http',
      value: roundRatio('idleRssMb', 'service', 'node-http'),
      limit: 1.5,
      unit: 'x',
    },
    { target: 'first 200 ≤ 400 ms after start', value: service.firstOkMs!, limit: 400, unit: ' ms' },
  ].map(t => ({ ...t, pass: t.value <= t.limit }));
  lines.push('', '| Target | Measured | |', '|---|--:|---|');
  for (const t of targets)
    lines.push(`| ${t.target} | ${t.value.toFixed(2)}${t.unit} | ${t.pass ? 'pass' : '**fail**'} |`);

  const json = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0].model.trim(),
    cores: os.cpus().length,
    versions,
    rounds,
    samplingRatio,
    figures: Object.fromEntries(figures),
    samples: Object.fromEntries(samples),
    targets,
  };
  return { markdown: `${lines.join('\n')}\n`, json };
}
