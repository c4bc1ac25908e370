import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { listen, type RunningServer } from '../src/node/listen.js';
import { parseConfig } from '../src/proxy/config.js';
import { createProxyFromConfig } from '../src/proxy/create.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../src/simulators/ru-loyalty/simulator.js';

/**
 * The whole demo in one process: each provider simulator on its own 127.0.0.1 port (the proxy
 * reaches it over real HTTP, as it would reach the real provider), one proxy per scenario
 * under `/api/<scenario>`, and the merchant page with the built bundle. `npm start` and the
 * end-to-end tests both use it.
 */
export const DEMO_CARTS = {
  'coffee-and-cake': {
    currency: 'RUB',
    lines: [
      { sku: 'cappuccino', name: 'Cappuccino', quantity: 2, unitPrice: 25000 },
      { sku: 'cheesecake', name: 'Cheesecake', quantity: 1, unitPrice: 49990 },
    ],
  },
};

export interface DemoStack {
  url: string;
  simulators: { ruLoyalty: ReturnType<typeof createRuLoyaltySimulator> };
  close(): Promise<void>;
}

export async function startDemo(options: { port?: number; quiet?: boolean } = {}): Promise<DemoStack> {
  const servers: RunningServer[] = [];
  const closers: Array<() => Promise<void>> = [];

  const ruLoyalty = createRuLoyaltySimulator();
  const ruServer = await listen(ruLoyalty.app);
  servers.push(ruServer);

  const ruConfig = parseConfig({
    basePath: '/api/ru-loyalty',
    loyalty: { provider: 'ru-loyalty', baseUrl: ruServer.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
    carts: DEMO_CARTS,
  });
  const ruProxy = createProxyFromConfig(ruConfig, { log: options.quiet ? () => {} : undefined });
  closers.push(ruProxy.close);

  const site = new Hono();
  site.route('/', ruProxy.app);
  site.get('/', serveStatic({ path: './demo/index.html' }));
  site.use('/demo/*', serveStatic({ root: './' }));
  site.use('/dist/*', serveStatic({ root: './' }));
  const siteServer = await listen(site, options.port ?? 0);
  servers.push(siteServer);

  return {
    url: siteServer.url,
    simulators: { ruLoyalty },
    async close() {
      for (const server of servers.reverse()) await server.close();
      for (const close of closers) await close();
    },
  };
}
