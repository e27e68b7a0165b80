// Every request gets an id: the caller's X-Request-Id when it is sane, a new one otherwise. It is echoed
// back and appears in the access log line and in error bodies.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

const SANE_ID = /^[\w.:@/+=-]{1,128}$/;

export function requestId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const id = SANE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
