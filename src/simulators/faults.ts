import type { Context, Hono, Next } from 'hono';
import * as z from 'zod/mini';

/**
 * Fault injection for simulators: the failures a real provider has (slow answers, 5xx, 429
 * with `Retry-After`, unreadable bodies, dropped connections, and the worst one, a call that
 * commits and then loses its reply). Tests switch them on in-process (`faults.add(...)`) or
 * over HTTP (`POST /__faults`), per method and path, for a number of requests.
 *
 * One line per simulator, after its journal so injected failures are journaled too:
 *
 *     const faults = attachFaults(app);
 */
export const Fault = z.object({
  kind: z.enum(['latency', 'status', 'rate-limit', 'malformed', 'reply', 'reset', 'commit-then-drop']),
  /** Only requests with this method (any when absent). */
  method: z.optional(z.string()),
  /** Only this path; a trailing `*` matches a prefix (any path when absent). */
  path: z.optional(z.string()),
  /** How many matching requests it hits; it stays until cleared when absent. */
  times: z.optional(z.int().check(z.positive())),
  /** `latency`: delay before the request is handled (it then succeeds). */
  ms: z.optional(z.int().check(z.minimum(0))),
  /** `status` (default 503) or `reply` (default 200): the status sent. */
  status: z.optional(z.int().check(z.minimum(200), z.maximum(599))),
  /** `rate-limit` (default 1) or `status` (none by default): seconds sent in `Retry-After`. */
  retryAfter: z.optional(z.int().check(z.minimum(0))),
  /** `reply`: the JSON body sent instead of the real one (nothing is committed). */
  body: z.optional(z.unknown()),
});
export type Fault = z.infer<typeof Fault>;

/**
 * What each kind does:
 * - `latency`: waits `ms`, then the request is handled normally;
 * - `status`: answers `status` (503) with a JSON error (and `Retry-After` when given), without
 *   handling the request;
 * - `rate-limit`: answers 429 with `Retry-After: retryAfter`, without handling the request;
 * - `malformed`: answers 200 with a truncated JSON body, without handling the request;
 * - `reply`: answers `body` as JSON with `status` (200), without handling the request;
 * - `reset`: drops the connection (TCP reset) before handling the request: nothing committed;
 * - `commit-then-drop`: handles the request (it commits), then drops the connection instead of
 *   replying: the caller cannot know that it committed.
 */
export class Faults {
  readonly #active: Array<Fault & { left: number }> = [];

  add(...faults: Fault[]): this {
    for (const fault of faults) this.#active.push({ ...Fault.parse(fault), left: fault.times ?? Infinity });
    return this;
  }

  clear(): void {
    this.#active.length = 0;
  }

  list(): Fault[] {
    return this.#active.map(({ left: _left, ...fault }) => fault);
  }

  /** The first active fault for this request, counted as used. */
  take(method: string, path: string): Fault | undefined {
    const index = this.#active.findIndex((f) => (!f.method || f.method.toUpperCase() === method) && matches(f.path, path));
    if (index < 0) return undefined;
    const fault = this.#active[index]!;
    if (--fault.left <= 0) this.#active.splice(index, 1);
    return fault;
  }

  /** The `/__faults` routes and the middleware that injects faults; returns `this`. */
  attach(app: Hono): this {
    app.get('/__faults', (c) => c.json(this.list()));
    app.post('/__faults', async (c) => {
      const raw: unknown = await c.req.json().catch(() => undefined);
      const parsed = z.array(Fault).safeParse(Array.isArray(raw) ? raw : [raw]);
      if (!parsed.success) return c.json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, 400);
      this.add(...parsed.data);
      return c.body(null, 204);
    });
    app.delete('/__faults', (c) => {
      this.clear();
      return c.body(null, 204);
    });
    app.use('*', (c, next) => this.#inject(c, next));
    return this;
  }

  async #inject(c: Context, next: Next): Promise<Response | void> {
    if (c.req.path.startsWith('/__')) return next();
    const fault = this.take(c.req.method, c.req.path);
    if (!fault) return next();
    switch (fault.kind) {
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms ?? 1000));
        return next();
      case 'status':
        return c.json({ error: 'Injected failure.' }, (fault.status ?? 503) as 503, fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {});
      case 'rate-limit':
        return c.json({ error: 'Too many requests.' }, 429, { 'Retry-After': String(fault.retryAfter ?? 1) });
      case 'malformed':
        return c.body('{"success": true, "client": {"id": ', 200, { 'content-type': 'application/json' });
      case 'reply':
        // 204, 205 and 304 cannot carry a body.
        if ([204, 205, 304].includes(fault.status ?? 200)) return c.body(null, fault.status as 204);
        return c.json(fault.body ?? null, (fault.status ?? 200) as 200);
      case 'reset':
        return drop(c);
      case 'commit-then-drop':
        await next();
        // The journal keeps the handler's status: the operation did commit.
        return drop(c, c.res);
    }
  }
}

/** Attaches fault injection to a simulator app (see {@link Faults}). */
export function attachFaults(app: Hono, faults = new Faults()): Faults {
  return faults.attach(app);
}

function matches(pattern: string | undefined, path: string): boolean {
  if (!pattern) return true;
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/**
 * Resets the TCP connection under the request (served by `@hono/node-server`, whose `env`
 * carries the Node request). In-process calls (`app.fetch`) have no connection to drop: they
 * get `Response.error()`, the network error of the Fetch standard (type `error`, status 0).
 */
function drop(c: Context, committed?: Response): Promise<Response> {
  const socket = (c.env as { incoming?: { socket?: { resetAndDestroy?: () => void; destroy: () => void } } } | undefined)?.incoming?.socket;
  if (!socket) return Promise.resolve(Response.error());
  if (socket.resetAndDestroy) socket.resetAndDestroy();
  else socket.destroy();
  // The client is gone; what we answer here is never sent.
  return Promise.resolve(committed ?? new Response(null, { status: 599 }));
}
