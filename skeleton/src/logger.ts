// JSON lines on stdout, each written whole. Secrets are redacted by key wherever they appear, long strings
// are cut, and a line carries the trace id when its request is traced (sampled).
// Hand-written rather than winston: one line is an object spread and a JSON.stringify, and the lines of one
// event-loop turn go out in one write (a write to a pipe is a system call), which is what keeps the access
// log cheap at thousands of requests a second (see the sizing section of the architecture docs). Lines still
// waiting are written when the process exits, however it exits short of SIGKILL.
import { TraceFlags, trace } from '@opentelemetry/api';
import { LOG_LEVELS, type Config, type LogLevel } from './config.ts';

export type LogFields = Record<string, unknown>;
export type Logger = Record<LogLevel, (message: string, fields?: LogFields) => void>;

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const SECRET_KEY = /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential/i;
const REDACTED = '[REDACTED]';
/** Longer strings are cut: an upstream error body or a stack must not become a multi-megabyte line. */
export const MAX_STRING = 2048;
/** Lines waiting past this many characters are written at once rather than at the end of the turn. */
const FLUSH_AT = 64 * 1024;
// stdout is synchronous for files and pipes on Linux, so these writes complete before the process exits.
const flushers = new Set<() => void>();
process.on('exit', () => {
  for (const flush of flushers) flush();
});

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length > MAX_STRING
      ? `${value.slice(0, MAX_STRING)}… [${value.length - MAX_STRING} more characters]`
      : value;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map(item => redact(item, depth + 1));
  if (value instanceof Error) {
    const { name, message, stack, cause } = value;
    return redact({ type: name, message, stack, ...(cause === undefined ? {} : { cause }) }, depth + 1);
  }
  const out: LogFields = {};
  for (const [key, inner] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1);
  return out;
}

export function createLogger(
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion' | 'logLevel'>,
  stream: { write(line: string): unknown } = process.stdout,
): Logger {
  const threshold = SEVERITY[config.logLevel];
  const service = { service: config.appName, env: config.appEnv, version: config.appVersion };

  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    if (SEVERITY[level] > threshold) return;
    const line: LogFields = { level, message, timestamp: new Date().toISOString(), ...service };
    if (fields) for (const key in fields) line[key] = SECRET_KEY.test(key) ? REDACTED : redact(fields[key]);
    const span = trace.getActiveSpan()?.spanContext();
    if (span && span.traceFlags & TraceFlags.SAMPLED) {
      line.trace_id = span.traceId;
      line.span_id = span.spanId;
    }
    pending += `${JSON.stringify(line)}\n`;
    if (pending.length > FLUSH_AT) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const out = pending;
    pending = '';
    stream.write(out);
  };
  flushers.add(flush);

  const logger = {} as Logger;
  for (const level of LOG_LEVELS) {
    logger[level] = (message, fields) => {
      write(level, message, fields);
    };
  }
  return logger;
}
