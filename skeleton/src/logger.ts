// JSON lines on stdout. Secrets are redacted by key wherever they appear, and each line carries the
// active trace id when tracing is on.
import type { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import winston from 'winston';
import type { Config } from './config.ts';

export type Logger = winston.Logger;

const SECRET_KEY = /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential/i;
const REDACTED = '[REDACTED]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(item => redact(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1)]),
  );
}

const redactSecrets = winston.format(info => {
  for (const key of Object.keys(info)) {
    info[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

const traceContext = winston.format(info => {
  const span = trace.getActiveSpan()?.spanContext();
  if (span) {
    info.trace_id = span.traceId;
    info.span_id = span.spanId;
  }
  return info;
});

export function createLogger(
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion' | 'logLevel'>,
  stream?: Writable,
): Logger {
  return winston.createLogger({
    level: config.logLevel,
    defaultMeta: { service: config.appName, env: config.appEnv, version: config.appVersion },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      traceContext(),
      redactSecrets(),
      winston.format.json(),
    ),
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- winston's transport types come from two copies of winston-transport
    transports: [stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console()],
  });
}
