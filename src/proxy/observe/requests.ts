import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { setReplyHeader } from '../http/reply-headers.js';
import { upstreamCalls, type UpstreamEvent } from '../http/upstream.js';
import type { ProxyMetrics } from './metrics.js';

/** The upstream calls made while answering the current request (for its log line). */
const current = new AsyncLocalStorage<UpstreamEvent[]>();
subscribe(upstreamCalls.name as string, (event) => current.getStore()?.push(event as UpstreamEvent));

/** A request id the caller sent is kept when it is plain (no header injection, no log forging). */
const PLAIN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets an id (the caller's `X-Request-Id`, or a new one, sent back in the reply)
 * and, once answered, one log line — method, route template, status, duration, and the
 * provider calls it made with their outcome — and its metrics. Nothing from the body, the
 * query or the path's ids is logged.
 */
export function observeRequests(options: { logger?: Logger; metrics?: ProxyMetrics; basePath?: string }): MiddlewareHandler {
  const base = (options.basePath ?? '/').replace(/\/+$/, '');
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && PLAIN_ID.test(given) ? given : randomUUID();
    const started = performance.now();
    const upstream: UpstreamEvent[] = [];
    await current.run(upstream, next);
    setReplyHeader(c, 'X-Request-Id', requestId);
    const matched = routePath(c, -1);
    const route = !matched || matched.endsWith('*') ? 'unmatched' : matched.slice(base.length) || '/';
    const status = c.res.status;
    const seconds = (performance.now() - started) / 1000;
    options.metrics?.requests.inc({ method: c.req.method, route, status: String(status) });
    options.metrics?.latency.observe({ method: c.req.method, route }, seconds);
    if (c.res.headers.get('idempotency-replayed') === 'true') options.metrics?.replays.inc();
    options.logger?.info(
      {
        requestId,
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(upstream.length ? { upstream: upstream.map(({ provider, method, route: path, outcome, status: code, durationMs }) => ({ provider, method, route: path, outcome, status: code, durationMs: Math.round(durationMs * 10) / 10 })) } : {}),
      },
      'request',
    );
  };
}
