import { randomBytes, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { verifyWebhook } from '../src/proxy/webhooks/sign.js';
import type { Scenario } from './scenarios.js';

/**
 * The demo's shop server — what a merchant runs beside the proxy (SPEC §4a). It holds the
 * proxy's secret key and never gives it to the page. For each order it creates the checkout
 * with its own cart (and, when its shopper is signed in, vouches for them), and hands the page
 * only the checkout's client secret. It plays a clearly fake "test PSP" that takes the amount
 * the page asks for and confirms the payment to the proxy, and it receives the proxy's signed
 * webhooks, which the page shows in its log.
 */
export interface DemoShopOptions {
  scenarios: Scenario[];
  /** The proxy's address for a scenario (`http://127.0.0.1:<port>/api/<id>`). */
  proxyUrl(scenario: Scenario): string;
  secretKey: string;
  webhookSecret: string;
}

/** The test PSP's card that is always declined (every other number is accepted). */
export const TEST_PSP_DECLINED_CARD = '4000000000000002';

/** The demo shop's secrets, made anew at every start (nothing to configure, nothing to leak). */
export function demoShopSecrets() {
  return { secretKey: `sk_demo_${randomBytes(24).toString('base64url')}`, webhookSecret: `whsec_${randomBytes(32).toString('base64')}` };
}

export function createDemoShop(options: DemoShopOptions): Hono {
  const shop = new Hono();
  const byId = new Map(options.scenarios.map((s) => [s.id, s]));
  const received: Array<{ at: string; scenario: string; id: string; type: string; checkout: string; status: string }> = [];

  const proxy = async (scenario: Scenario, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${options.proxyUrl(scenario)}/v1/server${path}`, {
      method,
      headers: { authorization: `Bearer ${options.secretKey}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const scenarioOf = (id: unknown): Scenario => {
    const scenario = byId.get(String(id));
    if (!scenario) throw new Error('unknown scenario');
    return scenario;
  };

  /**
   * The checkout of the page's order: its cart from the shop's own data, its order number as
   * the reference (a reload gets the same checkout back), the signed-in shopper vouched for.
   */
  shop.post('/shop/checkouts', async (c) => {
    const { scenario: id, order, shopper } = (await c.req.json()) as { scenario?: string; order?: string; shopper?: string };
    const scenario = scenarioOf(id);
    const reference = /^[A-Za-z0-9-]{8,64}$/.test(order ?? '') ? order! : `order-${randomUUID()}`;
    const signedIn = scenario.shoppers?.find((s) => s.query === shopper);
    const created = await proxy(scenario, 'POST', '/checkouts', {
      cart: scenario.carts[scenario.cartId],
      reference,
      ...(signedIn ? { customer: { query: signedIn.query } } : {}),
      ...(scenario.mode === 'pos' ? { till: 'till-1' } : {}),
      metadata: { scenario: scenario.id },
    });
    if (created.status >= 300) return c.json(created.body, created.status as 400);
    const till = scenario.mode === 'pos' ? (await proxy(scenario, 'POST', '/till-credentials', { till: 'till-1' })).body.credential : undefined;
    return c.json({ order: reference, clientSecret: created.body.clientSecret, endpoint: `/api/${scenario.id}`, ...(till ? { tillCredential: till } : {}) });
  });

  /**
   * The test PSP: a pretend card payment for the amount the page asked for (no money moves),
   * then the shop's server confirms it to the proxy with the attempt's key — what a real shop
   * does when its PSP tells it the payment succeeded.
   */
  shop.post('/shop/psp/pay', async (c) => {
    const { scenario: id, checkoutId, amount, key, card } = (await c.req.json()) as { scenario?: string; checkoutId?: string; amount?: { amount: number; currency: string }; key?: string; card?: string };
    const scenario = scenarioOf(id);
    if (String(card ?? '').replace(/\D/g, '') === TEST_PSP_DECLINED_CARD) return c.json({ declined: true, message: 'The test card was declined. Nothing was charged.' }, 402);
    const confirmed = await proxy(scenario, 'POST', `/checkouts/${encodeURIComponent(String(checkoutId))}/payments`, { method: 'external', amount, pspReference: `test_psp_${randomUUID()}` }, { 'Idempotency-Key': String(key) });
    return c.json(confirmed.body, confirmed.status as 201);
  });

  /** The proxy's webhooks, verified as a shop must (signature, timestamp), then kept for the page's log. */
  shop.post('/shop/webhooks/:scenario', async (c) => {
    const body = await c.req.text();
    try {
      const message = verifyWebhook<{ type: string; data: { checkout: { id: string; status: string } } }>(body, c.req.raw.headers, options.webhookSecret);
      // At least once: the same event id twice is one event.
      const eventId = c.req.header('webhook-id')!;
      if (!received.some((r) => r.id === eventId)) {
        received.unshift({ at: new Date().toISOString(), scenario: c.req.param('scenario'), id: eventId, type: message.type, checkout: message.data.checkout.id, status: message.data.checkout.status });
        received.length = Math.min(received.length, 50);
      }
      return c.body(null, 204);
    } catch {
      return c.text('bad signature', 400);
    }
  });

  shop.get('/shop/webhooks', (c) => c.json({ received }));
  return shop;
}
