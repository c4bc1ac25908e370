import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BIKE_SHOP_FLOA_LINKS, bikeShopMembers, demoInstalmentCustomers } from '../../demo/instalment-customers.js';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createFloaSimulator, FLOA_DEMO_HMAC_SECRET, floaDemoOptions } from '../../src/simulators/floa/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startProxy, type RunningProxy } from '../support/start-proxy.js';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';

/**
 * The instalment routes of the proxy (eligibility, payment session, notification, return),
 * with the Russian-API loyalty simulator (in euros, with holds) and the FLOA simulator behind
 * it, all over real HTTP on 127.0.0.1. The FLOA simulator posts its notifications to the
 * proxy's callback URL, as FLOA would.
 */
const loyaltySim = createRuLoyaltySimulator({ clients: bikeShopMembers() });
const floaSim = createFloaSimulator({ notificationRetryDelayMs: 10, slowMs: 1500 });
let loyaltyServer: RunningServer;
let floaServer: RunningServer;
let proxy: RunningProxy;
let base: string;
let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const logged: string[] = [];

const CAMILLE = '+33 6 12 34 56 78'; // eligible, 150 points
const LOUIS = '3000000000024'; // not eligible
const NINA = '3000000000031'; // KO
const HUGO = '3000000000048'; // slow
const PAUL = '3000000000055'; // invalid birth zip code
const RETAIL = '/integration/general/retail';
const RELEASE = '/integration/general/bonuses/release';
const ELIGIBILITY = /^\/api\/v[14]\/eligibilities$/;
const SESSIONS = '/v1/payment-sessions';
const eur = (amount: number) => ({ amount, currency: 'EUR' });

before(async () => {
  loyaltyServer = await listen(loyaltySim.app);
  floaServer = await listen(floaSim.app);
  webhooks = await startWebhookReceiver();
  proxy = await startProxy(
    {
      loyalty: { provider: 'ru-loyalty', baseUrl: loyaltyServer.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, currency: 'EUR' },
      instalments: floaDemoOptions(floaServer.url, { categories: { bike: ['Sport', 'Bikes'] }, timeoutMs: 1000 }),
      carts: {
        bike: { currency: 'EUR', lines: [{ sku: 'bike', name: 'City bike', quantity: 1, unitPrice: 44900 }, { sku: 'helmet', name: 'Helmet', quantity: 1, unitPrice: 5100 }] },
        small: { currency: 'EUR', lines: [{ sku: 'bell', name: 'Bell', quantity: 1, unitPrice: 1200 }] },
      },
      lookupRateLimit: { perClient: 1000, perCheckout: 100, windowMs: 60_000 },
      pageRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
      webhooks: { url: webhooks.url, secrets: [TEST_WEBHOOK_SECRET], retryScheduleMs: [0, 50, 50] },
    },
    { log: (message) => logged.push(message), instalmentCustomers: demoInstalmentCustomers(BIKE_SHOP_FLOA_LINKS) },
  );
  base = proxy.base;
});
after(async () => {
  await proxy.close();
  await webhooks.close();
  await floaServer.close();
  await loyaltyServer.close();
});
beforeEach(async () => {
  await fetch(`${loyaltyServer.url}/__reset`, { method: 'POST' });
  floaSim.journal.clear();
  logged.length = 0;
});

/** Client secrets of the checkouts the shop's server created, by id: the page sends its own. */
const secrets = new Map<string, string>();

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const secret = secrets.get(/^\/checkouts\/([^/]+)/.exec(path)?.[1] ?? '');
  const response = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (the notification's "OK").
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A checkout the shop's server created, for its logged-in shopper `query` (vouched: points can be spent). */
async function checkout(query?: string, cartId = 'bike'): Promise<string> {
  const created = await proxy.server('POST', '/checkouts', { cartId, ...(query ? { customer: { query } } : {}) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  secrets.set(created.body.checkout.id, created.body.clientSecret);
  return created.body.checkout.id as string;
}

const check = (id: string) => call('POST', `/checkouts/${id}/instalments/eligibility`, {});
const page = () => `${proxy.url}/shop/checkout?step=pay`;
let keys = 0;
const openSession = (id: string, offerId: string, returnUrl = page()) =>
  call('POST', `/checkouts/${id}/instalments/payment-session`, { offerId, returnUrl, locale: 'fr' }, { 'Idempotency-Key': `test-key-${++keys}-${Date.now()}` });

/** The shopper presses pay/refuse/cancel on FLOA's page; returns where the page sends the browser next. */
async function act(url: string, action: 'pay' | 'refuse' | 'cancel') {
  const response = await fetch(`${url}/${action}`, { method: 'POST', redirect: 'manual' });
  const html = await response.text();
  if (response.status === 303) return { method: 'GET', to: response.headers.get('location')!, fields: [] as Array<[string, string]> };
  // The result form the browser auto-submits to the return URL.
  const to = /<form id="return" method="post" action="([^"]+)"/.exec(html)![1]!.replaceAll('&#38;', '&');
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  return { method: 'POST', to, fields };
}

/** Follows the shopper back to the proxy's return/back route, from FLOA's page (another origin). */
async function land(next: Awaited<ReturnType<typeof act>>) {
  return fetch(next.to, {
    method: next.method,
    headers: { origin: floaServer.url, ...(next.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: next.method === 'POST' ? new URLSearchParams(next.fields) : undefined,
    redirect: 'manual',
  });
}

/** Camille, with 150 points applied (held), checked for instalments. */
async function withPointsChecked() {
  const id = await checkout(CAMILLE);
  const spent = await call('PUT', `/checkouts/${id}/spend`, { amount: 15000 });
  assert.equal(spent.status, 200);
  assert.deepEqual(spent.body.amountDue, eur(35000));
  const eligibility = await check(id);
  assert.equal(eligibility.status, 200, eligibility.text);
  return { id, eligibility: eligibility.body };
}

describe('eligibility', () => {
  test('is offered in the capabilities', async () => {
    const capabilities = await call('GET', '/capabilities');
    assert.deepEqual(capabilities.body.instalments, { provider: 'floa' });
  });

  test('without a customer the shop has no identity to check: explained, no FLOA call', async () => {
    const id = await checkout();
    const reply = await check(id);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { eligible: false, amountDue: eur(50000), offers: [], reason: 'no-customer' });
    assert.equal(floaSim.journal.count('POST', ELIGIBILITY), 0);
  });

  test('eligible: every offer with fees, total and schedule, for the amount due after points; no token reaches the browser', async () => {
    const { eligibility } = await withPointsChecked();
    assert.equal(eligibility.eligible, true);
    assert.deepEqual(eligibility.amountDue, eur(35000));
    assert.deepEqual(
      eligibility.offers.map((o: any) => o.id),
      ['floa-94', 'floa-81', 'floa-63', 'floa-98'],
      'pay later, 3x, 4x and 10x (the proxy sends the journey URLs 10x needs)',
    );
    for (const offer of eligibility.offers) {
      const site = floaSim.config.sites.find((s) => s.paymentOptionRef === offer.id.slice(5))!;
      assert.equal(offer.fees.amount, Math.floor((35000 * site.feesBps + 5000) / 10000), offer.id);
      assert.deepEqual(offer.total, eur(35000 + offer.fees.amount));
      assert.equal(offer.schedule.length, site.instalments);
      assert.equal(offer.schedule.reduce((sum: number, s: any) => sum + s.amount.amount, 0), offer.total.amount);
      assert.deepEqual(Object.keys(offer).sort(), ['fees', 'id', 'instalments', 'kind', 'label', 'schedule', 'total']);
    }
    // FLOA financed what is left after the points, for the server's cart.
    const sent = floaSim.journal.entries.find((e) => ELIGIBILITY.test(e.path))!.body as any;
    assert.equal(sent.presaleFolder.shoppingCarts[0].rawAmount, 35000);
    assert.equal(sent.presaleFolder.customer.email, 'camille.martin@floa-demo.test');
  });

  test('not eligible, KO and slow are explained differently; a record breaking a country rule makes no FLOA call', async () => {
    const louis = await check(await checkout(LOUIS));
    assert.equal(louis.body.eligible, false);
    assert.equal(louis.body.reason, 'not-eligible');
    assert.match(louis.body.detail, /does not give the reason/);

    const nina = await check(await checkout(NINA));
    assert.equal(nina.body.reason, 'refused');
    assert.match(nina.body.detail, /could not be verified/);
    assert.equal(nina.body.detail.match(/could not be verified/g).length, 1, 'said once, not once per merchant site');

    const slow = await check(await checkout(HUGO));
    assert.equal(slow.status, 502);
    assert.equal(slow.body.type, '/problems/upstream-unavailable');
    assert.equal(slow.body.retryable, true, 'a time-out is worth a retry');

    floaSim.journal.clear();
    const paul = await check(await checkout(PAUL));
    assert.equal(paul.status, 400);
    assert.equal(paul.headers.get('content-type'), 'application/problem+json');
    assert.ok(paul.body.errors.some((e: any) => e.field === 'customer.birthZipCode'), JSON.stringify(paul.body));
    assert.equal(floaSim.journal.count('POST', ELIGIBILITY), 0);
  });

  test('offers are kept for the amount due they were made for: after a spend change, the old offer is refused', async () => {
    const id = await checkout(CAMILLE);
    const before = await check(id);
    assert.deepEqual(before.body.amountDue, eur(50000));
    assert.equal((await call('PUT', `/checkouts/${id}/spend`, { amount: 10000 })).status, 200);
    const stale = await openSession(id, 'floa-81');
    assert.equal(stale.status, 409);
    assert.match(stale.body.detail, /check eligibility again/);
    assert.equal(floaSim.journal.count('POST', SESSIONS), 0);
    const status = await call('GET', `/checkouts/${id}/instalments`);
    assert.deepEqual(status.body, { eligibility: null, payment: null });
    const after = await check(id);
    assert.deepEqual(after.body.amountDue, eur(40000));
    assert.equal((await call('GET', `/checkouts/${id}/instalments`)).body.eligibility.offers.length, 4);
  });

  test('an amount outside FLOA\'s ranges is not eligible', async () => {
    const reply = await check(await checkout(CAMILLE, 'small'));
    assert.equal(reply.body.eligible, false, 'FLOA finances at least 30.00 (pay later) or 50.00 (3x, 4x)');
    assert.equal(reply.body.reason, 'not-eligible');
    assert.deepEqual(reply.body.amountDue, eur(1200));
  });
});

describe('payment', () => {
  test('points applied, the rest in 3x: one session, paid at FLOA, confirmed, recorded once with the points', async () => {
    const { id, eligibility } = await withPointsChecked();
    const offer = eligibility.offers.find((o: any) => o.id === 'floa-81');
    const opened = await openSession(id, 'floa-81');
    assert.equal(opened.status, 201, opened.text);
    assert.match(opened.body.url, new RegExp(`^${floaServer.url}/pay/`));
    assert.deepEqual(opened.body.payment, { status: 'redirected', offer, url: opened.body.url });
    const sent = floaSim.journal.entries.find((e) => e.path === SESSIONS)!.body as any;
    assert.equal(sent.orderData.amount, offer.total.amount, 'FLOA collects the total with fees');
    assert.match(sent.configuration.notificationUrl, new RegExp(`^${proxy.url}/checkout-api/v1/callbacks/instalments/${id}/notification$`));
    assert.equal(sent.configuration.culture, 'fr-FR');

    // Double click, reload, back button: the same session, never a second one.
    const again = await openSession(id, 'floa-81');
    assert.equal(again.body.url, opened.body.url);
    assert.equal(floaSim.journal.count('POST', SESSIONS), 1);
    const other = await openSession(id, 'floa-63');
    assert.equal(other.status, 409, 'another offer while one is open');
    const byCard = await proxy.server('POST', `/checkouts/${id}/payments`, { method: 'external', amount: eur(35000), pspReference: 'psp-x' }, { 'Idempotency-Key': `card-${Date.now()}-x` });
    assert.equal(byCard.status, 409, 'no PSP payment beside an open payment in instalments');
    assert.match(byCard.body.detail, /instalments is open/);
    assert.equal(loyaltySim.holds().length, 1, 'the points stay held while the shopper pays');

    const next = await act(opened.body.url, 'pay');
    // FLOA notified the proxy before sending the shopper back: the sale is already recorded.
    assert.equal(floaSim.notifications.at(-1)!.delivered, true);
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);
    const retail = loyaltySim.journal.entries.find((e) => e.path === RETAIL)!.body as any;
    assert.equal(retail.spend, 150);
    assert.equal(retail.amount, 500);

    const landed = await land(next);
    assert.equal(landed.status, 303);
    assert.equal(landed.headers.get('location'), page());
    const paid = await call('GET', `/checkouts/${id}`);
    assert.equal(paid.body.status, 'paid');
    assert.deepEqual(paid.body.receipt.paid, eur(35000));
    assert.equal(paid.body.receipt.spent.points, 150);
    assert.equal(paid.body.receipt.method, 'external');
    const status = await call('GET', `/checkouts/${id}/instalments`);
    assert.deepEqual(status.body, { eligibility: null, payment: { status: 'paid', offer } });
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1, 'the return and the status check record nothing more');
    assert.equal((await openSession(id, 'floa-81')).status, 409, 'a paid checkout opens no session');
  });

  test('a replayed or duplicated notification records nothing twice; a forged one is refused', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-63');
    await act(opened.body.url, 'pay');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);
    const { url, fields } = floaSim.notifications.at(-1)!;
    const post = (form: Array<[string, string]>) => fetch(url, { method: 'POST', body: new URLSearchParams(form) });
    const replies = await Promise.all([post(fields), post(fields), post(fields)]);
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);

    const forged = fields.map(([k, v]) => [k, k === 'amount' ? '1' : v] as [string, string]);
    const refused = await post(forged);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /seal does not match/);
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);
  });

  test('a sealed notification alone is not trusted: the payment result is re-read first', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-81');
    // A "paid" notification for a session the shopper has not paid: the seal is right (the
    // simulator's secret), the result at FLOA still says pending.
    const { computeSeal, sealKey } = await import('../../src/proxy/providers/floa/notification.js');
    const session = floaSim.sessions().find((s) => opened.body.url.endsWith(s.id))!;
    const fields: Array<[string, string]> = [['orderRef', session.orderRef], ['amount', String(session.amount)], ['returnCode', '0']];
    fields.push(['hmac', computeSeal(fields.map(([, v]) => v), sealKey(FLOA_DEMO_HMAC_SECRET, 'hex'))]);
    const reply = await fetch(`${base}/callbacks/instalments/${id}/notification`, { method: 'POST', body: new URLSearchParams(fields) });
    assert.equal(reply.status, 200);
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0);
    assert.equal(floaSim.journal.count('GET', /paymentResult\/$/), 1);
    assert.equal((await call('GET', `/checkouts/${id}/instalments`)).body.payment.status, 'pending');
  });

  test('refused at FLOA: nothing recorded, the held points released, a new check and session possible', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-81');
    const next = await act(opened.body.url, 'refuse');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0);
    assert.equal(loyaltySim.journal.count('POST', RELEASE), 1);
    assert.equal(loyaltySim.holds().length, 0);
    const landed = await land(next);
    assert.equal(landed.status, 303, 'the return from FLOA\'s page is not refused as cross-origin');
    const current = await call('GET', `/checkouts/${id}`);
    assert.equal(current.body.status, 'open');
    assert.deepEqual(current.body.amountDue, eur(50000), 'points are free again');
    const status = await call('GET', `/checkouts/${id}/instalments`);
    assert.equal(status.body.payment.status, 'refused');
    assert.equal(status.body.payment.url, undefined);
    assert.equal(status.body.eligibility, null, 'the used offer is gone: check again');
    assert.equal(loyaltySim.journal.count('POST', RELEASE), 1, 'released once, whatever the return and status checks');

    const recheck = await check(id);
    assert.equal(recheck.body.eligible, true);
    const second = await openSession(id, 'floa-63');
    assert.equal(second.status, 201);
    assert.notEqual(second.body.url, opened.body.url);
    const orderRefs = floaSim.sessions().filter((s) => s.scoringToken && s.kind === 'session').map((s) => s.orderRef);
    assert.equal(new Set(orderRefs).size, orderRefs.length, 'each attempt has its own order reference');
  });

  test('cancelled on FLOA\'s page: back to the shop\'s page, nothing recorded', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-94');
    const next = await act(opened.body.url, 'cancel');
    assert.match(next.to, /\/callbacks\/instalments\/[^/]+\/back$/);
    const landed = await land(next);
    assert.equal(landed.status, 303);
    assert.equal(landed.headers.get('location'), page());
    assert.equal((await call('GET', `/checkouts/${id}/instalments`)).body.payment.status, 'cancelled');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0);
  });

  test('10x continues on FLOA\'s long-term credit page and is confirmed by order', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-98');
    assert.equal(opened.status, 201, opened.text);
    assert.equal(floaSim.journal.count('POST', SESSIONS), 0, '10x has no payment session');
    await act(opened.body.url, 'pay');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);
    assert.equal((await call('GET', `/checkouts/${id}`)).body.status, 'paid');
  });

  test('while FLOA\'s page is open the points and the customer cannot change; paid, recorded once', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-81');
    // Another tab tries to change what FLOA was asked to collect.
    const changed = await call('PUT', `/checkouts/${id}/spend`, { amount: 0 });
    assert.equal(changed.status, 409);
    assert.match(changed.body.detail, /instalments is open/);
    assert.equal((await call('DELETE', `/checkouts/${id}/customer`)).status, 409);
    await act(opened.body.url, 'pay');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);
    assert.equal((await call('GET', `/checkouts/${id}/instalments`)).body.payment.status, 'paid');
  });

  test('the return page must be on the shop\'s site; the session request is validated', async () => {
    const { id } = await withPointsChecked();
    const foreign = await openSession(id, 'floa-81', 'https://evil.example/steal');
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.errors[0].field, 'returnUrl');
    const noKey = await call('POST', `/checkouts/${id}/instalments/payment-session`, { offerId: 'floa-81', returnUrl: page() });
    assert.equal(noKey.status, 400);
    const bad = await call('POST', `/checkouts/${id}/instalments/payment-session`, { offerId: '../x', returnUrl: 'javascript:alert(1)' }, { 'Idempotency-Key': 'bad-body-1234' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: any) => e.field).sort(), ['offerId', 'returnUrl']);
    assert.equal(floaSim.journal.count('POST', SESSIONS), 0);
  });

  test('callbacks are the only cross-origin writes allowed', async () => {
    const id = await checkout(CAMILLE);
    const crossSite = await call('POST', `/checkouts/${id}/instalments/eligibility`, {}, { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403);
  });
});

describe('guests, abandoned and cancelled payments', () => {
  const camilleIdentity = async () => (await import('../../src/simulators/floa/demo-customers.js')).floaDemoIdentities().find((i) => i.customer.reference === 'FR-0001')!.customer;

  /** A checkout for a shopper with no loyalty account: the shop's server passes the identity FLOA scores. */
  async function guestCheckout() {
    const created = await proxy.server('POST', '/checkouts', { cartId: 'bike', instalmentIdentity: await camilleIdentity() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    secrets.set(created.body.checkout.id, created.body.clientSecret);
    return created.body.checkout.id as string;
  }

  test('a guest pays in instalments: the checkout is paid, no loyalty sale is recorded (there is no member)', async () => {
    const id = await guestCheckout();
    const eligibility = await check(id);
    assert.equal(eligibility.body.eligible, true, JSON.stringify(eligibility.body));
    const opened = await openSession(id, 'floa-63');
    assert.equal(opened.status, 201, opened.text);
    await land(await act(opened.body.url, 'pay'));
    const paid = await call('GET', `/checkouts/${id}`);
    assert.equal(paid.body.status, 'paid');
    assert.deepEqual(paid.body.receipt.paid, eur(50000));
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0);
  });

  test('the shopper gives up on FLOA\'s page: the checkout is free again; a late "paid" goes to review, never beside another payment', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-81');
    assert.equal((await call('PUT', `/checkouts/${id}/spend`, { amount: 0 })).status, 409, 'locked while the page is open');
    const abandoned = await call('POST', `/checkouts/${id}/instalments/payment-session/abandon`);
    assert.equal(abandoned.status, 200, abandoned.text);
    assert.equal(abandoned.body.payment.status, 'cancelled');
    assert.equal(abandoned.body.payment.url, undefined);
    assert.equal((await call('PUT', `/checkouts/${id}/spend`, { amount: 0 })).status, 200, 'free again');
    // FLOA's page was still open in another tab: the shopper pays there after all.
    await act(opened.body.url, 'pay');
    const status = await call('GET', `/checkouts/${id}`);
    assert.equal(status.body.status, 'review');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0, 'nothing recorded beside an order that changed');
    assert.ok(logged.some((line) => /to review/.test(line)), logged.join('\n'));
  });

  /** What the shop was told about checkout `id`, once the outbox had a moment to deliver. */
  async function told(id: string) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return webhooks.received.filter((w) => w.data.checkout.id === id);
  }

  /** FLOA's notification for the session behind `url` again, as its retry would send it. */
  async function replayNotification(url: string) {
    const session = floaSim.sessions().find((s) => url.endsWith(s.id))!;
    const note = floaSim.notifications.findLast((n) => n.fields.some(([k, v]) => k === 'orderRef' && v === session.orderRef))!;
    return { orderRef: session.orderRef, note, reply: await fetch(note.url, { method: 'POST', body: new URLSearchParams(note.fields) }) };
  }

  test('a session given up on, then another one paid: the old tab paid too is told to the shop once, the checkout stays paid', async () => {
    const { id } = await withPointsChecked();
    const first = await openSession(id, 'floa-63');
    assert.equal((await call('POST', `/checkouts/${id}/instalments/payment-session/abandon`)).body.payment.status, 'cancelled');
    assert.equal((await check(id)).status, 200);
    const second = await openSession(id, 'floa-63');
    assert.equal(second.status, 201, second.text);
    assert.notEqual(second.body.url, first.body.url, 'a new FLOA page');
    await land(await act(second.body.url, 'pay'));
    assert.equal((await call('GET', `/checkouts/${id}`)).body.status, 'paid');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);

    // The first tab was still open: FLOA collects a second time.
    await act(first.body.url, 'pay');
    const { orderRef, note, reply } = await replayNotification(first.body.url);
    assert.equal(note.delivered, true, 'FLOA\'s notification for the old session is answered 200');
    assert.equal(note.attempts, 1);
    assert.equal(reply.status, 200, 'a replay is answered 200 too');
    const events = await told(id);
    assert.deepEqual(events.map((w) => w.type), ['checkout.paid', 'checkout.review'], 'one review, the replay made none');
    const review = events[1]!.data.checkout;
    assert.equal(review.status, 'paid', 'the order is paid: it stays paid');
    assert.deepEqual(review.lateInstalmentPayments.map((p: any) => [p.orderRef, p.amount.currency]), [[orderRef, 'EUR']]);
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1, 'nothing recorded twice');
    const read = await proxy.server('GET', `/checkouts/${id}`);
    assert.equal(read.body.status, 'paid');
    assert.equal(read.body.lateInstalmentPayments[0].orderRef, orderRef, 'the shop\'s server view shows the late payment');
    assert.ok(logged.some((line) => line.includes(orderRef) && /to review/.test(line)), logged.join('\n'));
  });

  test('a session given up on, the old tab paid while a new one is open: to review; the new one paid after is told too', async () => {
    const { id } = await withPointsChecked();
    const first = await openSession(id, 'floa-63');
    await call('POST', `/checkouts/${id}/instalments/payment-session/abandon`);
    await check(id);
    const second = await openSession(id, 'floa-63');
    await act(first.body.url, 'pay');
    assert.equal((await call('GET', `/checkouts/${id}`)).body.status, 'review', 'money collected for an order that moved on');
    await act(second.body.url, 'pay');
    assert.equal((await replayNotification(first.body.url)).reply.status, 200);
    assert.equal((await replayNotification(second.body.url)).reply.status, 200);
    const events = await told(id);
    assert.deepEqual(events.map((w) => w.type), ['checkout.review', 'checkout.review'], 'one per collection, none for the replays');
    assert.equal(new Set(events.map((w) => w.id)).size, 2);
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0, 'no sale beside two collections: the shop decides');
  });

  test('a session given up on, the order paid through the shop\'s PSP, then the old tab paid: the checkout stays paid, the shop is told once', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-63');
    await call('POST', `/checkouts/${id}/instalments/payment-session/abandon`);
    const due = (await call('GET', `/checkouts/${id}`)).body.amountDue;
    assert.equal((await call('POST', `/checkouts/${id}/payment-request`, { amount: due.amount })).status, 200);
    const confirmed = await proxy.server('POST', `/checkouts/${id}/payments`, { method: 'external', amount: due, pspReference: 'psp-late' }, { 'Idempotency-Key': `psp-${id}` });
    assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body));
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1);

    await act(opened.body.url, 'pay');
    const { orderRef, note, reply } = await replayNotification(opened.body.url);
    assert.equal(note.delivered, true);
    assert.equal(reply.status, 200);
    const events = await told(id);
    assert.deepEqual(events.map((w) => w.type), ['checkout.paid', 'checkout.review']);
    assert.equal(events[1]!.data.checkout.status, 'paid');
    assert.equal(events[1]!.data.checkout.pspReference, 'psp-late');
    assert.equal(events[1]!.data.checkout.lateInstalmentPayments[0].orderRef, orderRef);
    assert.equal((await call('GET', `/checkouts/${id}/instalments`)).body.payment.status, 'review');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 1, 'nothing recorded twice');
  });

  test('the shop cancels the checkout while FLOA\'s page is open: a late "paid" goes to review', async () => {
    const { id } = await withPointsChecked();
    const opened = await openSession(id, 'floa-81');
    assert.equal((await proxy.server('POST', `/checkouts/${id}/cancel`)).body.status, 'cancelled');
    await act(opened.body.url, 'pay');
    assert.equal((await call('GET', `/checkouts/${id}`)).body.status, 'review');
    assert.equal(loyaltySim.journal.count('POST', RETAIL), 0);
  });
});

describe('whose identity is checked', () => {
  test('a member found by phone but not proven: no check in their name (the shop\'s hook is not asked), said why', async () => {
    const created = await proxy.server('POST', '/checkouts', { cartId: 'bike' });
    secrets.set(created.body.checkout.id, created.body.clientSecret);
    const id = created.body.checkout.id as string;
    assert.equal((await call('POST', `/checkouts/${id}/customer`, { query: CAMILLE })).status, 200);
    const reply = await check(id);
    assert.deepEqual(reply.body, { eligible: false, amountDue: eur(50000), offers: [], reason: 'unverified' });
    assert.equal(floaSim.journal.count('POST', ELIGIBILITY), 0);
  });
});
