import { Hono } from 'hono';
import { BIKE_SHOP_FLOA_LINKS, bikeShopMembers, demoInstalmentCustomers } from '../../demo/instalment-customers.js';
import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { createFloaSimulator, floaDemoOptions } from '../../src/simulators/floa/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { TEST_SECRET_KEY } from './start-proxy.js';

/**
 * For the instalment element tests: the FLOA simulator and a loyalty programme in euros (the
 * bike shop's members, linked to FLOA's demo identities), each on its own port, and a proxy
 * combining them. Mounted as `/api/floa` (proxy), `/sim/floa` and `/sim/bike-loyalty`
 * (journals, reset). FLOA posts its notifications to the proxy over HTTP, at the test server.
 */
export async function startInstalmentBackend() {
  const loyalty = createRuLoyaltySimulator({ clients: bikeShopMembers() });
  // Slower than the proxy's FLOA time-out: the slow identity fails transiently.
  const floa = createFloaSimulator({ slowMs: 1500, notificationRetryDelayMs: 10 });
  const loyaltyServer = await listen(loyalty.app);
  const floaServer = await listen(floa.app);
  const proxy = createProxyFromConfig(
    parseConfig({
      secretKeys: [TEST_SECRET_KEY],
      basePath: '/api/floa',
      loyalty: { provider: 'ru-loyalty', baseUrl: loyaltyServer.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, currency: 'EUR', appCodeProvesOwnership: true },
      instalments: floaDemoOptions(floaServer.url, { timeoutMs: 800 }),
      carts: { bike: { currency: 'EUR', lines: [{ sku: 'bike', name: 'City bike', quantity: 1, unitPrice: 44900 }, { sku: 'helmet', name: 'Helmet', quantity: 1, unitPrice: 5100 }] } },
      lookupRateLimit: { perClient: 1000, perCheckout: 100, windowMs: 60_000 },
      pageRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
    }),
    { log: () => {}, instalmentCustomers: demoInstalmentCustomers(BIKE_SHOP_FLOA_LINKS) },
  );
  const app = new Hono();
  app.route('/', proxy.app);
  app.route('/sim/floa', floa.app);
  app.route('/sim/bike-loyalty', loyalty.app);
  return {
    app,
    async close() {
      await proxy.close();
      await floaServer.close();
      await loyaltyServer.close();
    },
  };
}
