// Once shutdown starts, every response asks its client to close the connection, so kept-alive sockets
// end with their in-flight request and the server can finish closing.
import type { Middleware } from 'koa';
import type { Lifecycle } from '../lifecycle.ts';

export function closeConnectionsWhenStopping(lifecycle: Lifecycle): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      if (lifecycle.stopping) ctx.set('Connection', 'close');
    }
  };
}
