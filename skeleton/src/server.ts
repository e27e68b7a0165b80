// The HTTP server around the Koa app: timeouts, JSON answers to malformed requests, listening.
import http, { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { errorBody } from './middleware/errors.ts';

export function createHttpServer(app: Koa, { logger, metrics }: { logger: Logger; metrics: Metrics }): http.Server {
  const handle = app.callback();
  const toApp = (req: http.IncomingMessage, res: http.ServerResponse) => {
    void handle(req, res);
  };
  // A missing Host is refused by the app (middleware/http-rules.ts), in JSON, not by Node with an empty body.
  const server = http.createServer({ requireHostHeader: false }, toApp);
  // Likewise an Expect Node cannot meet: without this listener Node answers 417 itself.
  server.on('checkExpectation', toApp);
  // Longer than the usual 60 s idle timeout of load balancers, so they never reuse a closed socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  // Requests Node cannot parse never reach Koa; answer them in JSON too, log and count them.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    logger.warn('malformed request', { status, code: error.code });
    metrics.requests.inc({ method: 'OTHER', route: 'unparsed', status: String(status) });
    const body = JSON.stringify(errorBody(status, STATUS_CODES[status] ?? 'Error'));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

export function listen(server: http.Server, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
