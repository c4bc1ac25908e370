import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { listen, type RunningServer } from '../src/node/listen.js';
import { parseConfig } from '../src/proxy/config.js';
import { createProxyFromConfig } from '../src/proxy/create.js';
import { SCENARIOS } from './scenarios.js';
import { createDemoShop, demoShopSecrets } from './shop.js';

/**
 * The whole demo in one process: each provider simulator on its own 127.0.0.1 port (the proxy
 * reaches it over real HTTP, as it would reach the real provider), one proxy per scenario
 * under `/api/<scenario>`, the shop's server under `/shop/` (it creates the checkouts with its
 * secret key, plays a test PSP and receives the proxy's webhooks), and the merchant page with
 * the built bundle. `npm start` and the end-to-end tests both use it.
 */
export interface DemoStack {
  url: string;
  /** Each scenario's simulator (its `journal` counts upstream calls), by scenario id; its instalment simulator as `<id>:instalments`. */
  simulators: Record<string, any>;
  /** The shop's secret key for the proxies' server API (made anew at each start). */
  secretKey: string;
  close(): Promise<void>;
}

export async function startDemo(options: { port?: number; quiet?: boolean } = {}): Promise<DemoStack> {
  const servers: RunningServer[] = [];
  const closers: Array<() => Promise<void>> = [];
  const simulators: Record<string, unknown> = {};
  const site = new Hono();
  // The site listens first: the proxies need its address for the shop's webhook endpoint. No
  // request is answered before every route below is in place (startDemo has not returned).
  const siteServer = await listen({ fetch: (request, env) => site.fetch(request, env) }, options.port ?? 0);
  servers.push(siteServer);
  const { secretKey, webhookSecret } = demoShopSecrets();

  for (const scenario of SCENARIOS) {
    const simulator = scenario.simulator();
    const server = await listen(simulator.app);
    servers.push(server);
    simulators[scenario.id] = simulator;
    let instalments: Record<string, unknown> | undefined;
    if (scenario.instalments) {
      const instalmentSimulator = scenario.instalments.simulator();
      const instalmentServer = await listen(instalmentSimulator.app);
      servers.push(instalmentServer);
      simulators[`${scenario.id}:instalments`] = instalmentSimulator;
      instalments = scenario.instalments.options(instalmentServer.url);
    }
    // No `publicUrl`: the proxy builds the URLs FLOA calls back from the address the page called it at.
    const config = parseConfig({
      basePath: `/api/${scenario.id}`,
      secretKeys: [secretKey],
      loyalty: scenario.loyalty(server.url),
      webhooks: { url: `${siteServer.url}/shop/webhooks/${scenario.id}`, secrets: [webhookSecret] },
      ...(instalments ? { instalments } : {}),
    });
    const proxy = createProxyFromConfig(config, { log: options.quiet ? () => {} : undefined, instalmentCustomers: scenario.instalments?.customers });
    closers.push(proxy.close);
    site.route('/', proxy.app);
  }

  site.route('/', createDemoShop({ scenarios: SCENARIOS, proxyUrl: (scenario) => `${siteServer.url}/api/${scenario.id}`, secretKey, webhookSecret }));
  // What the page needs to switch scenarios and list identities; no secrets, no upstream URLs.
  site.get('/demo/scenarios.json', (c) =>
    c.json(
      SCENARIOS.map(({ id, label, currency, locale, method, mode, identities, shoppers }) => ({ id, label, endpoint: `/api/${id}`, currency, locale, method, mode: mode ?? 'web', identities, shoppers: shoppers ?? [] })),
    ),
  );
  site.get('/', serveStatic({ path: './demo/index.html' }));
  site.use('/demo/*', serveStatic({ root: './' }));
  site.use('/dist/*', serveStatic({ root: './' }));
  // The framework examples: examples/<framework>/index.html at /examples/<framework>/, their
  // apps (built by `npm run build:examples`) under /dist/examples/.
  site.get('/examples/:framework{[a-z]+}/', serveStatic({ root: './' }));
  site.get('/examples/:framework{[a-z]+}', (c) => c.redirect(`/examples/${c.req.param('framework')}/`));

  return {
    url: siteServer.url,
    simulators,
    secretKey,
    async close() {
      for (const server of servers.reverse()) await server.close();
      for (const close of closers) await close();
    },
  };
}
