// Graceful shutdown for Kubernetes: on SIGTERM (or SIGINT) readiness turns 503 while endpoints stop
// routing here (the drain delay), then the server stops accepting, in-flight requests finish (kept-alive
// sockets are told Connection: close), traces are flushed and the process exits 0. A request still
// running after the timeout has its connection closed and the exit code is 1. A second signal exits at once.
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface ShutdownOptions {
  server: http.Server;
  lifecycle: Lifecycle;
  logger: Logger;
  delayMs: number;
  timeoutMs: number;
  /** Runs after the server has closed (flushing traces, for example). */
  beforeExit: () => Promise<void>;
  exit: (code: number) => void;
}

export function shutdownOnSignals(options: ShutdownOptions, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  const { server, lifecycle, logger, delayMs, timeoutMs, beforeExit, exit } = options;

  async function stop(signal: NodeJS.Signals) {
    lifecycle.stopping = true;
    logger.info('shutting down: readiness is now 503', { signal, drain_delay_ms: delayMs });
    await sleep(delayMs);

    logger.info('closing the server: no new connections, waiting for in-flight requests', { timeout_ms: timeoutMs });
    const closed = new Promise<boolean>(resolve => {
      server.close(() => {
        resolve(true);
      });
    });
    server.closeIdleConnections();
    const finished = await Promise.race([closed, sleep(timeoutMs, false, { ref: false })]);
    if (!finished) {
      logger.error('in-flight requests outlived the shutdown timeout; closing their connections', {
        timeout_ms: timeoutMs,
      });
      server.closeAllConnections();
    }
    try {
      await beforeExit();
    } catch (error) {
      logger.error('flushing before exit failed', { error });
    }
    logger.info('stopped', { exit_code: finished ? 0 : 1 });
    exit(finished ? 0 : 1);
  }

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      exit(1);
      return;
    }
    stopping = true;
    void stop(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
}
