// Starts the real app on a loopback port with injected dependencies, capturing its log lines.
import type http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { createPodReader } from '../kubernetes.ts';
import { createLifecycle, type Lifecycle } from '../lifecycle.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { createPodInfoSource, type PodInfoSource } from '../pod-info.ts';
import { createHttpServer, listen } from '../server.ts';

/** Sends bytes as they are and returns the raw response, once the server closes (for requests fetch refuses to send). */
export function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(request);
    });
    let response = '';
    socket.on('data', chunk => (response += chunk.toString()));
    socket.on('end', () => {
      resolve(response);
    });
    socket.on('error', reject);
  });
}

export interface TestService {
  url: string;
  port: number;
  config: Config;
  lifecycle: Lifecycle;
  /** Log lines written so far, parsed (a line that is not JSON fails the parse). */
  logs(): Record<string, unknown>[];
  rawLogs(): string;
  close(): Promise<void>;
}

export async function startService(
  env: Record<string, string> = {},
  options: { podInfo?: PodInfoSource } = {},
): Promise<TestService> {
  const config = loadConfig({ LOG_LEVEL: 'debug', ...env });
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output += chunk.toString();
      callback();
    },
  });
  const logger = createLogger(config, stream);
  const lifecycle = createLifecycle();
  const podInfo =
    options.podInfo ??
    createPodInfoSource({
      readPod: createPodReader(config),
      downward: config.pod,
      cacheMs: config.podInfoCacheMs,
      timeoutMs: config.podInfoTimeoutMs,
      logger,
    });
  const metrics = createMetrics();
  const app = createApp({ config, logger, metrics, podInfo, lifecycle });
  const server: http.Server = createHttpServer(app, { logger, metrics });
  const { port } = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    lifecycle,
    rawLogs: () => output,
    logs: () =>
      output
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
