import { Hono } from 'hono';
import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { createResamaniaSimulator, RESAMANIA_DEMO } from '../../src/simulators/resamania/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startInstalmentBackend } from './instalment-backend.js';
import { TEST_SECRET_KEY } from './start-proxy.js';

/** Carts the element tests use (RUB, the Russian loyalty programme's currency). */
export const TEST_CARTS = {
  'cart-1000': { currency: 'RUB', lines: [{ sku: 'coffee', name: 'Coffee', quantity: 4, unitPrice: 25000 }] },
  'cart-eur': { currency: 'EUR', lines: [{ sku: 'tea', name: 'Tea', quantity: 1, unitPrice: 450 }] },
};

/**
 * The shop's server in the element tests (`/test-shop/*`): creates checkouts with the secret key
 * and hands the test page a client secret (and a till credential), and confirms what its
 * "PSP" took — what a merchant's server does.
 */
function testShop(api: Hono): Hono {
  const shop = new Hono();
  const server = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    api.request(path, { method: 'POST', headers: { authorization: `Bearer ${TEST_SECRET_KEY}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  shop.post('/test-shop/checkouts', async (c) => {
    const { api: name = 'ru-loyalty', ...body } = (await c.req.json()) as { api?: string } & Record<string, unknown>;
    const created = await server(`/api/${name}/v1/server/checkouts`, body);
    if (!created.ok) return c.json(await created.json(), created.status as 400);
    const { checkout, clientSecret } = (await created.json()) as { checkout: { id: string }; clientSecret: string };
    const till = body.till ? ((await (await server(`/api/${name}/v1/server/till-credentials`, { till: body.till })).json()) as { credential: string }).credential : undefined;
    return c.json({ checkoutId: checkout.id, clientSecret, ...(till ? { tillCredential: till } : {}) });
  });
  shop.post('/test-shop/cancel', async (c) => {
    const { api: name = 'ru-loyalty', checkoutId } = (await c.req.json()) as { api?: string; checkoutId: string };
    const cancelled = await server(`/api/${name}/v1/server/checkouts/${checkoutId}/cancel`, {});
    return c.json(await cancelled.json(), cancelled.status as 200);
  });
  shop.post('/test-shop/confirm', async (c) => {
    const { api: name = 'ru-loyalty', checkoutId, amount, key } = (await c.req.json()) as { api?: string; checkoutId: string; amount: unknown; key: string };
    const confirmed = await server(`/api/${name}/v1/server/checkouts/${checkoutId}/payments`, { method: 'external', amount, pspReference: `test-${key}` }, { 'Idempotency-Key': key });
    return c.json(await confirmed.json(), confirmed.status as 201);
  });
  return shop;
}

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
      secretKeys: [TEST_SECRET_KEY],
      basePath: '/api/ru-loyalty',
      // The code in the customer's app counts as proof (the café's choice in the demo).
      loyalty: { provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true },
      carts: TEST_CARTS,
      lookupRateLimit: { perClient: 1000, perCheckout: 100, windowMs: 60_000 },
      pageRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
    }),
    { log: () => {} },
  );
  // A club (Resamania: cash, cheque, card with its network) for POS mode: `/api/resamania/*`, `/sim/resamania/*`.
  const club = createResamaniaSimulator();
  const clubServer = await listen(club.app);
  const clubProxy = createProxyFromConfig(
    parseConfig({
      secretKeys: [TEST_SECRET_KEY],
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
      pageRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
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
  app.route('/', testShop(app));
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
