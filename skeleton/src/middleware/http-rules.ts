// Requests Node's HTTP server would otherwise answer itself, with an empty body and no log line or metric:
// an HTTP/1.1 request without Host, and an Expect other than 100-continue. The server hands them to the
// app (server.ts), and they are refused here, inside the errors middleware: JSON, logged and counted.
// And a request body no route read is not drained, which could take as long as the client likes (a declared
// 100 GB): the connection closes after the answer instead.
import type { Middleware } from 'koa';

export function httpRules(): Middleware {
  return async (ctx, next) => {
    if (ctx.req.httpVersion === '1.1' && !ctx.get('host')) ctx.throw(400, 'HTTP/1.1 requests need a Host header');
    const expectation = ctx.get('expect');
    if (expectation && expectation.toLowerCase() !== '100-continue') {
      ctx.throw(417, 'Only the expectation 100-continue is supported');
    }
    try {
      await next();
    } finally {
      if (!ctx.req.complete) ctx.set('Connection', 'close');
    }
  };
}
