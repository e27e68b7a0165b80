// The benchmark's baseline: bare node:http answering /api/v1/healthz and /api/v1/details with the same
// JSON the generated service sends outside a cluster, and nothing else (no log, no metrics, no routing).
import http from 'node:http';
import os from 'node:os';

const pod = {
  name: process.env.POD_NAME ?? null,
  namespace: null,
  nodeName: null,
  ip: null,
  phase: null,
  startTime: null,
  labels: {},
  containers: [],
};
http
  .createServer((req, res) => {
    const body =
      req.url === '/api/v1/details'
        ? {
            app: 'bench',
            environment: 'prod',
            version: '0.1.0',
            hostname: os.hostname(),
            uptimeSeconds: Math.round(process.uptime()),
            source: 'downward-api',
            fallbackReason: 'not-in-cluster',
            pod,
          }
        : { status: 'ok' };
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
