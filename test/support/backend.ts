import { Hono } from 'hono';
import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { createResamaniaSimulator, RESAMANIA_DEMO } from '../../src/simulators/resamania/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startInstalmentBackend } from './instalment-backend.js';

/** Carts the element tests use (RUB, the Russian loyalty programme's currency). */
export const TEST_CARTS = {
  'cart-1000': { currency: 'RUB', lines: [{ sku: 'coffee', name: 'Coffee', quantity: 4, unitPrice: 25000 }] },
  'cart-eur': { currency: 'EUR', lines: [{ sku: 'tea', name: 'Tea', quantity: 1, unitPrice: 450 }] },
};

/** A club cart (Resamania's demo towel offer, 12.00 EUR) for the POS tests. */
const CLUB_CART = { currency: 'EUR', lines: [{ sku: `/${RESAMANIA_DEMO.clientToken}/offers/131`, name: 'Towel', quantity: 1, unitPrice: 1200 }] };

/**
 * The backend the element tests call: the ru-loyalty simulator on its own port (real HTTP)
 * and a proxy for it, returned as one Hono app (`/api/ru-loyalty/*`, `/sim/ru-loyalty/*`).
 */
export async function startTestBackend() {
  const simulator = createRuLoyaltySimulator();
  const server = await listen(simulator.app);
  const proxy = createProxyFromConfig(
    parseConfig({
      basePath: '/api/ru-loyalty',
      loyalty: { provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
      carts: TEST_CARTS,
      lookupRateLimit: { perClient: 1000, perCheckout: 100, windowMs: 60_000 },
    }),
    { log: () => {} },
  );
  // A club (Resamania: cash, cheque, card with its network) for POS mode: `/api/resamania/*`, `/sim/resamania/*`.
  const club = createResamaniaSimulator();
  const clubServer = await listen(club.app);
  const clubProxy = createProxyFromConfig(
    parseConfig({
      basePath: '/api/resamania',
      loyalty: {
        provider: 'resamania',
        baseUrl: clubServer.url,
        clientToken: RESAMANIA_DEMO.clientToken,
        clientId: RESAMANIA_DEMO.clientId,
        clientSecret: RESAMANIA_DEMO.clientSecret,
        apiKey: RESAMANIA_DEMO.apiKey,
        clubId: RESAMANIA_DEMO.clubId,
        clubCode: RESAMANIA_DEMO.clubCode,
        channel: 'club',
      },
      carts: { 'towel-1': CLUB_CART, 'towel-2': CLUB_CART, 'towel-3': CLUB_CART, 'towel-4': CLUB_CART },
      lookupRateLimit: { perClient: 1000, perCheckout: 100, windowMs: 60_000 },
    }),
    { log: () => {} },
  );
  const app = new Hono();
  app.route('/', proxy.app);
  app.route('/', clubProxy.app);
  app.route('/sim/ru-loyalty', simulator.app);
  app.route('/sim/resamania', club.app);
  // Pay in instalments: `/api/floa/*`, `/sim/floa/*`, `/sim/bike-loyalty/*` (see instalment-backend.ts).
  const instalments = await startInstalmentBackend();
  app.route('/', instalments.app);
  return {
    app,
    simulator,
    async close() {
      await server.close();
      await proxy.close();
      await clubServer.close();
      await clubProxy.close();
      await instalments.close();
    },
  };
}
