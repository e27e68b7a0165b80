// One OpenTelemetry server span per request (probes and scrapes excepted), continuing the caller's trace
// when it sends a traceparent. Installed only with tracing on. Attributes are set only on sampled spans,
// so an unsampled request costs a context switch and little else.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { PROBE_ROUTES } from '../endpoints.ts';

export function traceRequests(tracerName: string): Middleware {
  const tracer = trace.getTracer(tracerName);
  return async (ctx, next) => {
    if (PROBE_ROUTES.has(ctx.path)) {
      await next();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, ctx.headers);
    const span = tracer.startSpan(ctx.method, { kind: SpanKind.SERVER }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (span.isRecording()) {
        const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
        if (route) span.updateName(`${ctx.method} ${route}`);
        span.setAttributes({
          'http.request.method': ctx.method,
          'http.route': route,
          'http.response.status_code': ctx.status,
          'url.path': ctx.path,
          'url.scheme': ctx.protocol,
          'user_agent.original': ctx.get('user-agent') || undefined,
          'network.protocol.version': ctx.req.httpVersion,
        });
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}
