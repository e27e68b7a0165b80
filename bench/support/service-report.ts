// bench:service's figures: medians over rounds, ratios to the baselines, where the CPU goes, and the
// issue's targets with pass or fail. Returns the markdown table and the same figures as JSON.
import { machine, median } from './measure';

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

/** A subject's medians over the rounds, by figure. */
type Figures = Sample;
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
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** FIGURE of a sample or of the medians, which the subject's measures must have given. */
function measured(of: Sample, figure: keyof Sample): number {
  const value = of[figure];
  if (value === undefined) throw new Error(`${figure} was not measured`);
  return value;
}

export function report(input: {
  subjects: Subject[];
  samples: Map<string, Sample[]>;
  versions: Record<string, string>;
  samplingRatio: number | undefined;
  rounds: number;
}) {
  const { subjects, samples, versions, samplingRatio, rounds } = input;
  const samplesOf = (id: string): Sample[] => {
    const taken = samples.get(id);
    if (!taken) throw new Error(`${id} was not measured`);
    return taken;
  };
  const values = (id: string, key: keyof Sample) =>
    samplesOf(id).flatMap(sample => (sample[key] === undefined ? [] : [sample[key]]));
  const figures = new Map<string, Figures>(
    subjects.map(({ id }) => [
      id,
      Object.fromEntries(KEYS.flatMap(key => (values(id, key).length ? [[key, median(values(id, key))]] : []))),
    ]),
  );
  const get = (id: string): Figures => figures.get(id) ?? {};
  // Rounds alternate the subjects, so a ratio taken within each round cancels the machine's drift between rounds.
  const roundRatio = (key: keyof Sample, id: string, baseId: string) => {
    const base = samplesOf(baseId);
    return median(samplesOf(id).map((sample, round) => measured(sample, key) / measured(base[round], key)));
  };
  const spread = (id: string) => {
    const cpu = values(id, 'cpuMicrosPerRequest');
    return cpu.length > 1 ? ` (${fixed(Math.min(...cpu))}–${fixed(Math.max(...cpu))})` : '';
  };
  const [bare, flask, service] = [get('node-http'), get('flask'), get('service')];
  const label = (id: string) => subjects.find(s => s.id === id)?.label ?? id;
  const sampling =
    samplingRatio === undefined
      ? 'every request (the SDK default; the chart sets no ratio)'
      : `ratio ${samplingRatio} (the chart's default)`;

  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ` +
      `${versions.node}, ${versions.python}, ${versions.gunicorn}; medians of ${rounds} rounds ` +
      `(CPU: lowest–highest round). Targets are medians of each round's ratio. Each server runs pinned to one ` +
      `core and the load to the other, on loopback; CPU is the server's own (/proc), on \`GET /api/v1/details\`. ` +
      `"As prod runs it": access log and request metrics on, tracing exported to a local OTLP sink, ` +
      `sampling ${sampling}.`,
    '',
    row([
      'Subject',
      'CPU µs/request',
      'vs node:http',
      'vs Flask',
      'req/s on one core',
      'millicores at 100 req/s',
      'vs node:http',
      'p50 / p99 ms at 1,000 req/s',
      'idle RSS MB',
      'vs node:http',
      'RSS after load MB',
      'first 200 ms',
    ]),
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const id of ['node-http', 'flask', 'service', 'no-tracing', 'in-cluster']) {
    const f = get(id);
    lines.push(
      row([
        label(id),
        `${fixed(f.cpuMicrosPerRequest)}${spread(id)}`,
        ratio(f.cpuMicrosPerRequest, bare.cpuMicrosPerRequest),
        ratio(f.cpuMicrosPerRequest, flask.cpuMicrosPerRequest),
        fixed(f.requestsPerSecond, 0),
        fixed(f.millicoresAt100),
        ratio(f.millicoresAt100, bare.millicoresAt100),
        f.p50At1000 === undefined ? '' : `${fixed(f.p50At1000, 2)} / ${fixed(f.p99At1000, 2)}`,
        fixed(f.idleRssMb, 0),
        ratio(f.idleRssMb, bare.idleRssMb),
        fixed(f.rssAfterLoadMb, 0),
        fixed(f.firstOkMs, 0),
      ]),
    );
  }

  lines.push('', 'Where the service\'s CPU goes: one thing changed at a time from "as prod runs it".', '');
  lines.push("| Changed | CPU µs/request | Difference µs/request | Share of the service's cost |", '|---|--:|--:|--:|');
  const cost = measured(service, 'cpuMicrosPerRequest');
  for (const id of ['no-access-log', 'no-metrics', 'no-tracing', 'unsampled', 'sampled']) {
    const value = measured(get(id), 'cpuMicrosPerRequest');
    const difference = (value - cost >= 0 ? '+' : '') + fixed(value - cost);
    lines.push(row([label(id), fixed(value), difference, `${fixed(((cost - value) / cost) * 100, 0)}%`]));
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
    { target: 'p99 at 1,000 req/s ≤ 10 ms', value: measured(service, 'p99At1000'), limit: 10, unit: ' ms' },
    {
      target: 'idle RSS ≤ 1.5x bare node:http',
      value: roundRatio('idleRssMb', 'service', 'node-http'),
      limit: 1.5,
      unit: 'x',
    },
    { target: 'first 200 ≤ 400 ms after start', value: measured(service, 'firstOkMs'), limit: 400, unit: ' ms' },
  ].map(t => ({ ...t, pass: t.value <= t.limit }));
  lines.push('', '| Target | Measured | |', '|---|--:|---|');
  for (const t of targets)
    lines.push(`| ${t.target} | ${t.value.toFixed(2)}${t.unit} | ${t.pass ? 'pass' : '**fail**'} |`);

  const json = {
    date: new Date().toISOString(),
    machine: machine(),
    versions,
    rounds,
    samplingRatio,
    figures: Object.fromEntries(figures),
    samples: Object.fromEntries(samples),
    targets,
  };
  return { markdown: `${lines.join('\n')}\n`, json };
}
