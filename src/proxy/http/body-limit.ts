import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses a request body over `maxBytes` with `tooLarge`'s answer. A body announced by its
 * `Content-Length` is judged by that header alone (the HTTP server holds the body to it), so
 * nothing is read or copied; only a body without one (`Transfer-Encoding: chunked`, or a
 * runtime that gives none) is counted as it streams, by Hono's `bodyLimit`.
 *
 * Hono's `bodyLimit` asks for `c.req.raw.body` first, which makes the Node adapter build a
 * web `Request` and a `ReadableStream` for every request, even a GET: the cost this avoids.
 */
export function limitBody(maxBytes: number, tooLarge: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    // A GET or HEAD request has no body (the Fetch standard gives it none).
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      // As Hono's `bodyLimit` reads the header.
      return Number.parseInt(length || '0', 10) > maxBytes ? tooLarge(c) : next();
    }
    return streaming(c, next);
  };
}
