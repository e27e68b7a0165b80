// One tiny JSON endpoint, GET /api/v1/healthz, in each candidate framework; started by frameworks.ts.
// node bench/framework-servers.mjs http|koa|express|fastify PORT
import http from 'node:http';

const [name, port] = [process.argv[2], Number(process.argv[3])];
const body = { status: 'ok' };

const servers = {
  async http() {
    return http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/api/v1/healthz') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      } else {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'Not Found' }));
      }
    });
  },
  async koa() {
    const { default: Koa } = await import('koa');
    const { default: Router } = await import('@koa/router');
    const app = new Koa();
    const router = new Router();
    router.get('/api/v1/healthz', ctx => {
      ctx.body = body;
    });
    app.use(router.routes()).use(router.allowedMethods());
    return http.createServer(app.callback());
  },
  async express() {
    const { default: express } = await import('express5'); // npm:express@5: Backstage's own express (4) is the root's
    const app = express();
    app.get('/api/v1/healthz', (req, res) => res.json(body));
    return http.createServer(app);
  },
  async fastify() {
    const { default: Fastify } = await import('fastify');
    let handler;
    const app = Fastify({ serverFactory: h => ((handler = h), http.createServer((req, res) => handler(req, res))) });
    app.get('/api/v1/healthz', async () => body);
    await app.ready();
    return app.server;
  },
};

const server = await servers[name]();
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
