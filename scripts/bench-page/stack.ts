/**
 * What the page benchmark serves, all on 127.0.0.1 in this process: the ru-loyalty simulator,
 * a checkout proxy talking to it over HTTP (mounted under `/checkout-api`, same origin as the
 * pages), and a static server for the pages, our built drop-in (`dist/`) and the peers' bundles
 * (`.bench/build/`). Scripts and stylesheets are served gzip -9, and every byte served is
 * counted, so a load reports what the page really downloaded.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { clients, TEST_SECRET_KEY } from '../../test/support/start-proxy.js';

/** The café's cart of the demo (RUB 999.90); the peers' pages show the same amount. */
export const CART = {
  currency: 'RUB',
  lines: [
    { sku: 'cappuccino', name: 'Cappuccino', quantity: 2, unitPrice: 25000 },
    { sku: 'cheesecake', name: 'Cheesecake', quantity: 1, unitPrice: 49990 },
  ],
};

export interface Served {
  path: string;
  kind: 'script' | 'css' | 'other';
  /** Bytes sent (gzip for scripts and stylesheets) and the file's own size (minified). */
  bytes: number;
  raw: number;
}

export interface BenchStack {
  url: string;
  /** Creates a checkout as the shop's server would; returns its id and client secret. */
  createCheckout(): Promise<{ id: string; clientSecret: string }>;
  /** Cancels a checkout (releases held points), as the shop's server would. */
  cancelCheckout(id: string): Promise<void>;
  /** Files served since the last call (and forgets them). */
  takeServed(): Served[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.json': 'application/json' };

export async function startStack(roots: { dist: string; peers: string; pages: string }): Promise<BenchStack> {
  const simulator = await listen(createRuLoyaltySimulator().app);
  const proxy = createProxyFromConfig(
    parseConfig(
      {
        basePath: '/checkout-api',
        secretKeys: [TEST_SECRET_KEY],
        // The café's setup in the demo: the code in the customer's app proves the account is theirs.
        loyalty: { provider: 'ru-loyalty', baseUrl: simulator.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true },
        // Every run looks the same customer up from the same address.
        lookupRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
      },
      {},
    ),
    { log: () => {} },
  );

  let served: Served[] = [];
  const cache = new Map<string, { body: Buffer; gzip: Buffer }>();
  const serveFrom = (root: string) => async (path: string, acceptsGzip: boolean) => {
    const file = resolve(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(resolve(root))) return undefined;
    let entry = cache.get(file);
    if (!entry) {
      const body = await readFile(file).catch(() => undefined);
      if (!body) return undefined;
      entry = { body, gzip: gzipSync(body, { level: 9 }) };
      cache.set(file, entry);
    }
    const ext = extname(file);
    const zipped = acceptsGzip && ext !== '.html';
    const bytes = zipped ? entry.gzip : entry.body;
    served.push({ path, kind: ext === '.js' || ext === '.mjs' ? 'script' : ext === '.css' ? 'css' : 'other', bytes: bytes.length, raw: entry.body.length });
    return new Response(new Uint8Array(bytes), {
      headers: { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store', ...(zipped ? { 'content-encoding': 'gzip' } : {}) },
    });
  };
  const dist = serveFrom(roots.dist);
  const peers = serveFrom(roots.peers);
  const gzipOk = (header?: string) => /\bgzip\b/.test(header ?? '');

  const site = new Hono();
  site.route('/', proxy.app);
  site.get('/dist/*', async (c) => (await dist(c.req.path.slice('/dist/'.length), gzipOk(c.req.header('accept-encoding')))) ?? c.notFound());
  site.get('/peers/*', async (c) => (await peers(c.req.path.slice('/peers/'.length), gzipOk(c.req.header('accept-encoding')))) ?? c.notFound());
  // A page is the shop's layout with one variant's head and main in it; `{{client-secret}}` and
  // `{{locale}}` come from the query string, as a shop's server would render them.
  site.get('/pages/:name', async (c) => {
    const name = c.req.param('name');
    const variant = /^[\w-]+\.html$/.test(name) ? await readFile(join(roots.pages, name), 'utf8').catch(() => undefined) : undefined;
    if (variant === undefined || name === 'shop.html') return c.notFound();
    const [head, main = ''] = variant.split('<!-- main -->');
    const fill = (key: string) => (c.req.query(key) ?? '').replace(/[^\w-]/g, '');
    const html = (await readFile(join(roots.pages, 'shop.html'), 'utf8'))
      .replace('{{head}}', head!.trim())
      .replace('{{main}}', main.trim())
      .replaceAll('{{client-secret}}', fill('client-secret'))
      .replaceAll('{{locale}}', fill('locale') || 'en');
    served.push({ path: c.req.path, kind: 'other', bytes: Buffer.byteLength(html), raw: Buffer.byteLength(html) });
    return c.html(html);
  });
  const server = await listen(site);
  const api = clients(`${server.url}/checkout-api/v1`);

  return {
    url: server.url,
    async createCheckout() {
      const { id, clientSecret } = await api.checkout({ cart: CART, reference: `bench-${randomUUID()}` });
      return { id, clientSecret };
    },
    async cancelCheckout(id) {
      await api.server('POST', `/checkouts/${id}/cancel`);
    },
    takeServed() {
      const taken = served;
      served = [];
      return taken;
    },
    async close() {
      await server.close();
      await simulator.close();
      await proxy.close();
    },
  };
}
