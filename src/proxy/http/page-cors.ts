import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { setReplyHeader } from './reply-headers.js';

export interface PageCorsOptions {
  /** The origin to allow for a request's `Origin` (exact matches), or `null`. */
  origin: (origin: string) => string | null;
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge: number;
}

/**
 * Hono's `cors` with the same headers, set on the handler's reply instead of on a blank one
 * made before it: Hono's middleware reads `c.res` before `next()` and sets `Vary` with
 * `c.header()` after it, and each makes the Node adapter copy the reply into a web `Response`
 * with a stream body. Preflights (`OPTIONS`) are Hono's own.
 */
export function pageCors(options: PageCorsOptions): MiddlewareHandler {
  const preflight = cors(options);
  const expose = options.exposeHeaders.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const allowOrigin = options.origin(c.req.header('origin') || '');
    await next();
    if (allowOrigin) setReplyHeader(c, 'Access-Control-Allow-Origin', allowOrigin);
    if (expose) setReplyHeader(c, 'Access-Control-Expose-Headers', expose);
    setReplyHeader(c, 'Vary', 'Origin', { append: true });
  };
}
