import type { Context } from 'hono';

/**
 * Sets (or appends) a header on the reply once the handler has made it, in place.
 *
 * Hono's `c.header()` after the reply is made copies the reply first (`new Response(res.body,
 * res)`), which makes the Node adapter turn its string body into a `ReadableStream` and send
 * it chunk by chunk: what this avoids on every request. A reply whose headers cannot change
 * (`Response.redirect()`, a `fetch` reply) is copied first, as Hono would.
 */
export function setReplyHeader(c: Context, name: string, value: string, options: { append?: boolean } = {}): void {
  const write = (headers: Headers) => (options.append ? headers.append(name, value) : headers.set(name, value));
  try {
    write(c.res.headers);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    c.res = new Response(c.res.body, c.res);
    write(c.res.headers);
  }
}
