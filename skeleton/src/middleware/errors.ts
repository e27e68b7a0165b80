// Every error leaves as JSON: 4xx with its own message, 5xx with a generic one. Stacks go to the log only.
import { STATUS_CODES } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../logger.ts';

interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  headers?: Record<string, string>;
}

export function errors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // Nothing answered (404), or the router refused the method (405 with Allow).
      if (ctx.status >= 400 && ctx.body == null) render(ctx, ctx.status, STATUS_CODES[ctx.status] ?? 'Error');
    } catch (caught) {
      const error = (caught instanceof Error ? caught : new Error(String(caught))) as Error & HttpErrorLike;
      const status = validStatus(error.status ?? error.statusCode);
      if (status >= 500) {
        logger.error('request failed', {
          error,
          request_id: ctx.state.requestId as string,
          method: ctx.method,
          path: ctx.path,
        });
      }
      ctx.set(error.headers ?? {});
      render(ctx, status, status < 500 && error.expose ? error.message : (STATUS_CODES[status] ?? 'Error'));
    }
  };
}

/** The one shape of every error response; requestId is left out only where no request was parsed. */
export function errorBody(status: number, message: string, requestId?: string) {
  return { error: STATUS_CODES[status] ?? 'Error', message, status, ...(requestId === undefined ? {} : { requestId }) };
}

function render(ctx: Context, status: number, message: string) {
  ctx.status = status;
  ctx.body = errorBody(status, message, ctx.state.requestId as string);
}

function validStatus(status: unknown): number {
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}
