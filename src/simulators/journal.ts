import type { Context, Hono, Next } from 'hono';

export interface JournalEntry {
  method: string;
  path: string;
  status: number;
  body: unknown;
  at: number;
}

/**
 * Every request a simulator answers, so tests can count upstream calls ("one retail
 * operation, whatever the retries"). Readable in-process and over HTTP at `/__journal`.
 */
export class Journal {
  readonly entries: JournalEntry[] = [];

  count(method: string, path: string | RegExp): number {
    return this.entries.filter((e) => e.method === method && (typeof path === 'string' ? e.path === path : path.test(e.path))).length;
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Middleware that records each request, and the `/__journal` routes. */
  attach(app: Hono): void {
    app.get('/__journal', (c) => c.json(this.entries));
    app.delete('/__journal', (c) => {
      this.clear();
      return c.body(null, 204);
    });
    app.use('*', async (c: Context, next: Next) => {
      // Test controls (`/__journal`, `/__faults`…) are not calls to the provider.
      if (c.req.path.startsWith('/__')) return next();
      let body: unknown;
      const text = await c.req.raw.clone().text();
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      await next();
      this.entries.push({ method: c.req.method, path: c.req.path, status: c.res.status, body: redact(body), at: Date.now() });
    });
  }
}

/** Credentials never go into the journal, even a simulator's demo ones. */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /password|secret/i.test(k) ? '[redacted]' : redact(v)]));
  }
  return value;
}
