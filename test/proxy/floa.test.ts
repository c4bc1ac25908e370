import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Hono } from 'hono';
import type { Cart, Money } from '../../src/protocol/index.js';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { FloaAdapter, FloaOptions } from '../../src/proxy/providers/floa/adapter.js';
import { floaReference } from '../../src/proxy/providers/floa/presale.js';
import type { FloaCustomer, FloaOffer } from '../../src/proxy/providers/floa/types.js';
import {
  createFloaSimulator,
  FLOA_DEMO_HMAC_SECRET,
  FLOA_DEMO_LOGIN,
  FLOA_DEMO_PASSWORD,
  FLOA_SIM_LONG_TERM_RESULT_PATH,
  floaDemoIdentities,
  floaDemoSiteConfig,
  type FloaSimulatorOptions,
} from '../../src/simulators/floa/simulator.js';

/** The FLOA adapter against its simulator, both over real HTTP on 127.0.0.1. */

const eur = (amount: number): Money => ({ amount, currency: 'EUR' });
const today = () => new Date().toISOString().slice(0, 10);

function identity(email: string): FloaCustomer {
  const found = floaDemoIdentities().find((i) => i.customer.email === email);
  assert.ok(found, email);
  return found.customer;
}
const camille = () => identity('camille.martin@floa-demo.test');

const cart: Cart = {
  id: 'cart-gym',
  currency: 'EUR',
  lines: [
    { sku: 'MEMBERSHIP-12M', name: 'Annual membership', quantity: 1, unitPrice: eur(40000), total: eur(40000) },
    { sku: 'TOWEL', name: 'Towel', quantity: 2, unitPrice: eur(2500), total: eur(5000) },
  ],
  total: eur(45000),
};

/** A merchant site: records the notifications FLOA posts, and the shopper's return. */
function merchantApp() {
  const notifications: Array<Array<[string, string]>> = [];
  const returns: Array<Array<[string, string]>> = [];
  const app = new Hono();
  app.post('/notify', async (c) => {
    notifications.push([...new URLSearchParams(await c.req.text()).entries()]);
    return c.text('OK');
  });
  app.post('/return', async (c) => {
    returns.push([...new URLSearchParams(await c.req.text()).entries()]);
    return c.text('Thank you');
  });
  app.get('/back', (c) => c.text('Basket'));
  return { app, notifications, returns };
}

async function start(options: FloaSimulatorOptions = {}) {
  // The secret's text as the HMAC key: NOTES' "with the merchant secret", the adapter's default.
  const sim = createFloaSimulator({ notificationRetryDelayMs: 10, slowMs: 2000, hmacKeyEncoding: 'utf8', ...options });
  const server = await listen(sim.app);
  return { sim, server };
}

const open: Array<{ close(): Promise<void> }> = [];
function adapter(baseUrl: string, overrides: Partial<FloaOptions> = {}, deps = {}) {
  const created = new FloaAdapter(
    FloaOptions.parse({
      provider: 'floa',
      baseUrl,
      login: FLOA_DEMO_LOGIN,
      password: FLOA_DEMO_PASSWORD,
      merchantId: '38',
      // Per country and option; a test giving the former `merchantSiteId` list gets that instead.
      ...('merchantSiteId' in overrides ? {} : { sites: floaDemoSiteConfig() }),
      hmacSecret: FLOA_DEMO_HMAC_SECRET,
      longTermResultPath: FLOA_SIM_LONG_TERM_RESULT_PATH,
      categories: { 'MEMBERSHIP-12M': ['Sport', 'Membership'] },
      ...overrides,
    }),
    deps,
  );
  open.push(created);
  return created;
}

const isProblem = (kind: string) => (error: unknown) => {
  assert.ok(error instanceof ProblemError, String(error));
  assert.equal(error.kind, kind, error.message);
  return true;
};

let sim: ReturnType<typeof createFloaSimulator>;
let server: RunningServer;
let merchant: ReturnType<typeof merchantApp>;
let merchantServer: RunningServer;

before(async () => {
  ({ sim, server } = await start());
  merchant = merchantApp();
  merchantServer = await listen(merchant.app);
});
after(async () => {
  await Promise.all(open.map((o) => o.close()));
  await server.close();
  await merchantServer.close();
});
beforeEach(() => sim.journal.clear());

const eligibilityInput = (customer: FloaCustomer, extra: Partial<Parameters<FloaAdapter['eligibility']>[0]> = {}) => ({
  checkoutId: 'chk-0001',
  cart,
  customer,
  amountDue: eur(45000),
  ...extra,
});

describe('FLOA token', () => {
  test('the authorization header is the bare base64 of login:password; the token is a JSON string', async () => {
    const seen: Array<string | undefined> = [];
    const front = new Hono();
    front.all('*', (c) => {
      if (c.req.path === '/v1/auth/token') seen.push(c.req.header('authorization'));
      return sim.app.fetch(c.req.raw);
    });
    const frontServer = await listen(front);
    try {
      await adapter(frontServer.url).eligibility(eligibilityInput(camille()), {});
      assert.deepEqual(seen, [Buffer.from(`${FLOA_DEMO_LOGIN}:${FLOA_DEMO_PASSWORD}`).toString('base64')]);
    } finally {
      await frontServer.close();
    }
    const basic = await fetch(`${server.url}/v1/auth/token`, { headers: { authorization: `Basic ${Buffer.from(`${FLOA_DEMO_LOGIN}:${FLOA_DEMO_PASSWORD}`).toString('base64')}` } });
    assert.equal(basic.status, 403, 'FLOA takes no "Basic " scheme');
    const bare = await fetch(`${server.url}/v1/auth/token`, { headers: { authorization: Buffer.from(`${FLOA_DEMO_LOGIN}:${FLOA_DEMO_PASSWORD}`).toString('base64') } });
    assert.equal(bare.status, 200);
    assert.match(await bare.text(), /^"[0-9a-f]{32}"$/);
  });

  test('wrong credentials: a clear, non-retryable configuration error', async () => {
    await assert.rejects(adapter(server.url, { password: 'wrong' }).eligibility(eligibilityInput(camille()), {}), (error) => {
      isProblem('upstream-unavailable')(error);
      assert.equal((error as ProblemError).retryable, false);
      assert.doesNotMatch((error as ProblemError).message, /wrong/, 'no secret in the message');
      return true;
    });
  });

  test('one token for concurrent callers, reused by later calls', async () => {
    const floa = adapter(server.url);
    const results = await Promise.all(Array.from({ length: 8 }, () => floa.eligibility(eligibilityInput(camille()), {})));
    assert.equal(results.length, 8);
    assert.equal(sim.journal.count('GET', '/v1/auth/token'), 1);
    await floa.eligibility(eligibilityInput(camille()), {});
    assert.equal(sim.journal.count('GET', '/v1/auth/token'), 1);
  });

  test('a revoked token is renewed once for all concurrent callers', async () => {
    const floa = adapter(server.url);
    await floa.eligibility(eligibilityInput(camille()), {});
    sim.revokeTokens();
    sim.journal.clear();
    const results = await Promise.all(Array.from({ length: 8 }, () => floa.eligibility(eligibilityInput(camille()), {})));
    assert.ok(results.every((offers) => offers.length > 0));
    assert.equal(sim.journal.count('GET', '/v1/auth/token'), 1);
    assert.ok(sim.journal.entries.some((e) => e.status === 401), 'the old token was refused');
  });

  test('the token is renewed before its 48 h expire, without a 401', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const clocked = await start({ now: () => now });
    try {
      const floa = adapter(clocked.server.url, {}, { now: () => now });
      await floa.eligibility(eligibilityInput(camille()), {});
      now += 46 * 3600_000;
      await floa.eligibility(eligibilityInput(camille()), {});
      assert.equal(clocked.sim.journal.count('GET', '/v1/auth/token'), 1, 'still valid after 46 h');
      now += 1.5 * 3600_000;
      await floa.eligibility(eligibilityInput(camille()), {});
      assert.equal(clocked.sim.journal.count('GET', '/v1/auth/token'), 2, 'renewed at 47.5 h');
      assert.equal(clocked.sim.journal.entries.filter((e) => e.status === 401).length, 0);
    } finally {
      await clocked.server.close();
    }
  });
});

describe('FLOA eligibility', () => {
  test('eligible: offers with fees, total and schedule, built from the server cart and record', async () => {
    const offers = await adapter(server.url).eligibility(eligibilityInput(camille()), {});
    assert.deepEqual(offers.map((o) => o.id), ['floa-94', 'floa-81', 'floa-63'], 'pay later, 3x, 4x (10x needs the journey URLs)');
    for (const offer of offers) {
      const site = sim.config.sites.find((s) => s.id === offer.merchantSiteId)!;
      assert.equal(site.paymentOptionRef, offer.paymentOptionRef);
      assert.equal(offer.fees.amount, Math.floor((45000 * site.feesBps + 5000) / 10000), `${offer.id} fees`);
      assert.ok(offer.fees.amount > 0);
      assert.deepEqual(offer.total, eur(45000 + offer.fees.amount));
      assert.equal(offer.schedule.length, site.instalments);
      assert.equal(offer.instalments, site.instalments);
      assert.equal(offer.schedule.reduce((sum, s) => sum + s.amount.amount, 0), offer.total.amount, `${offer.id} schedule adds up`);
      assert.match(offer.token, /^[0-9a-f-]{36}$/);
      assert.ok(offer.requestId);
    }
    const fourX = offers.find((o) => o.id === 'floa-63')!;
    assert.equal(fourX.schedule[0]!.dueDate, today(), 'first instalment today, with the fees');
    assert.equal(fourX.schedule[0]!.amount.amount, 11250 + fourX.fees.amount);
    assert.deepEqual(fourX.schedule.slice(1).map((s) => s.amount.amount), [11250, 11250, 11250]);
    const payLater = offers.find((o) => o.id === 'floa-94')!;
    assert.equal(payLater.schedule[0]!.dueDate, new Date(Date.parse(`${today()}T00:00:00Z`) + 30 * 86400_000).toISOString().slice(0, 10));

    assert.equal(sim.journal.count('POST', '/api/v4/eligibilities'), 4, 'one call per merchant site');
    // floa-eligibility.txt:371-373: the schedule is the eligibility's get-eligibility-installment-plan link (GET).
    assert.equal(sim.journal.count('GET', '/api/v4/eligibility-installment-plans'), 3, 'one plan per eligible option, from its link');
    assert.equal(sim.journal.entries.filter((e) => /estimated-schedule/.test(e.path)).length, 0, 'no undocumented endpoint');
    const sent = sim.journal.entries.find((e) => e.path === '/api/v4/eligibilities')!.body as { presaleFolder: Record<string, any> };
    const folder = sent.presaleFolder;
    assert.equal(folder.shoppingCarts.length, 1);
    assert.equal(folder.shoppingCarts[0].reference, floaReference('chk-0001'));
    assert.equal(folder.shoppingCarts[0].rawAmount, 45000);
    assert.equal(folder.shoppingCarts[0].productsCount, 3);
    assert.deepEqual(folder.shoppingCarts[0].products[0], {
      name: 'Annual membership', rawAmount: 40000, categories: [{ name: 'Sport', parent: '' }, { name: 'Membership', parent: 'Sport' }], shipping: { method: 'VIR' },
    });
    assert.equal(folder.saleChannel, 'Desktop');
    assert.equal(folder.customer.birthName, 'Durand');
    assert.equal(folder.customer.cellPhoneNumber, '0612345678', 'separators removed');
    assert.equal(folder.customer.birthDate, '1988-04-12T00:00:00.000Z');
    assert.equal('birthCountry' in folder.customer, false, 'not a FLOA field');
    assert.equal('nationalId' in folder.customer, false, 'not applicable in France');
  });

  test('the amount financed is the amount due (after loyalty), and the discount is declared for 10X', async () => {
    const urls = { backUrl: `${merchantServer.url}/back`, returnUrl: `${merchantServer.url}/return`, notificationUrl: `${merchantServer.url}/notify` };
    const offers = await adapter(server.url).eligibility(eligibilityInput(camille(), { amountDue: eur(40000), merchantUrls: urls }), {});
    assert.ok(offers.every((o) => o.total.amount - o.fees.amount === 40000));
    const tenX = offers.find((o) => o.id === 'floa-98');
    assert.ok(tenX?.longTermCreditUrl, '10X continues on FLOA\'s own page');
    const sent = sim.journal.entries.find((e) => e.path === '/api/v4/eligibilities')!.body as { presaleFolder: Record<string, any> };
    assert.equal(sent.presaleFolder.shoppingCarts[0].rawAmount, 40000);
    assert.equal(sent.presaleFolder.discountAmount, 5000);
    assert.deepEqual(sent.presaleFolder.merchantSite, { homeUrl: urls.backUrl, ...urls });
  });

  test('one option whose schedule cannot be read is dropped; the others are still offered, each with its schedule', async () => {
    // An unreadable plan (no list) for one option: a 200, so not retried.
    sim.faults.add({ kind: 'reply', method: 'GET', path: '/api/v4/eligibility-installment-plans', body: { message: 'OK' }, times: 1 });
    const offers = await adapter(server.url).eligibility(eligibilityInput(camille()), {});
    assert.equal(offers.length, 2, 'three eligible options, one without a schedule');
    for (const offer of offers) {
      assert.ok(offer.schedule.length > 0, `${offer.id} has its schedule`);
      assert.equal(offer.schedule.reduce((sum, s) => sum + s.amount.amount, 0), offer.total.amount);
    }
  });

  test('one schedule call failing (HTTP 404) or not adding up to the total drops only its offer', async () => {
    sim.faults.add({ kind: 'status', method: 'GET', path: '/api/v4/eligibility-installment-plans', status: 404, times: 1 });
    assert.equal((await adapter(server.url).eligibility(eligibilityInput(camille()), {})).length, 2);
    sim.faults.add({ kind: 'reply', method: 'GET', path: '/api/v4/eligibility-installment-plans', body: { schedules: [{ date: `${today()}T00:00:00+00:00`, amount: 100 }] }, times: 1 });
    assert.equal((await adapter(server.url).eligibility(eligibilityInput(camille()), {})).length, 2);
  });

  test('no schedule for any eligible option: upstream-unavailable, nothing shown without its cost', async () => {
    sim.faults.add({ kind: 'status', method: 'GET', path: '/api/v4/eligibility-installment-plans', status: 503 });
    try {
      await assert.rejects(adapter(server.url).eligibility(eligibilityInput(camille()), {}), (error) => {
        isProblem('upstream-unavailable')(error);
        assert.equal((error as ProblemError).retryable, true, 'FLOA failing: worth another check');
        return true;
      });
    } finally {
      sim.faults.clear();
    }
  });

  test('the plan reply\'s field names are configuration (its shape is not documented)', async () => {
    const other = await start({ installmentPlanFields: { list: 'installments', date: 'dueDate', amount: 'value' } });
    try {
      await assert.rejects(adapter(other.server.url).eligibility(eligibilityInput(camille()), {}), isProblem('upstream-unavailable'));
      const offers = await adapter(other.server.url, { installmentPlan: { list: 'installments', date: 'dueDate', amount: 'value' } }).eligibility(eligibilityInput(camille()), {});
      assert.deepEqual(offers.map((o) => o.id), ['floa-94', 'floa-81', 'floa-63']);
      assert.ok(offers.every((o) => o.schedule.reduce((sum, s) => sum + s.amount.amount, 0) === o.total.amount));
    } finally {
      await other.server.close();
    }
  });

  test('a plan link to a host other than FLOA\'s configured ones is not followed', async () => {
    const elsewhere = await start();
    try {
      const entry = {
        token: '423715b6-5f65-4cfe-b12e-9cfa779ade2b', hasAgreement: true, totalAmount: 46000, requestId: 1, paymentOptionReference: '63', purchaseType: 'Cb4X', merchantSiteId: 7017,
        links: [{ href: `${elsewhere.server.url}/api/v4/eligibility-installment-plans?merchantId=38&merchantSiteId=7017&requestId=1`, rel: 'get-eligibility-installment-plan', method: 'GET' }],
      };
      sim.faults.add({ kind: 'reply', method: 'POST', path: '/api/v4/eligibilities', body: { eligibilities: [entry] }, times: 1 });
      await assert.rejects(adapter(server.url, { merchantSiteId: '7017' }).eligibility(eligibilityInput(camille()), {}), isProblem('upstream-unavailable'));
      assert.equal(elsewhere.sim.journal.entries.length, 0, 'the token went nowhere else');
    } finally {
      await elsewhere.server.close();
    }
  });

  test('Spain: second last name and national id sent, phone in national form', async () => {
    const offers = await adapter(server.url).eligibility(eligibilityInput(identity('lucia.garcia@floa-demo.test')), {});
    assert.ok(offers.length > 0);
    const sent = sim.journal.entries.find((e) => e.path === '/api/v4/eligibilities')!.body as { presaleFolder: Record<string, any> };
    assert.equal(sent.presaleFolder.customer.secondLastName, 'López');
    assert.equal(sent.presaleFolder.customer.nationalId, '40919740A');
    assert.equal(sent.presaleFolder.customer.cellPhoneNumber, '612345678');
  });

  test('the eligibility path version is configuration (v1 as in the excerpt)', async () => {
    await adapter(server.url, { eligibilityVersion: 'v1' }).eligibility(eligibilityInput(camille()), {});
    assert.equal(sim.journal.count('POST', '/api/v1/eligibilities'), 4);
    assert.equal(sim.journal.count('POST', '/api/v4/eligibilities'), 0);
  });

  test('not eligible: rejected without a reason (banking secrecy), no schedule asked', async () => {
    await assert.rejects(adapter(server.url).eligibility(eligibilityInput(identity('louis.bernard@floa-demo.test')), {}), (error) => {
      isProblem('rejected')(error);
      assert.match((error as ProblemError).message, /did not accept/);
      assert.deepEqual((error as ProblemError).errors?.map((e) => e.field), ['eligibility']);
      return true;
    });
    assert.equal(sim.journal.count('GET', '/api/v4/eligibility-installment-plans'), 0);
  });

  test('KO: rejected with FLOA\'s error text and its requestId', async () => {
    await assert.rejects(adapter(server.url).eligibility(eligibilityInput(identity('nina.petit@floa-demo.test')), {}), (error) => {
      isProblem('rejected')(error);
      const problem = error as ProblemError;
      assert.match(problem.message, /Customer identity could not be verified/);
      assert.match(problem.message, /FLOA request \d+/);
      assert.equal(problem.errors?.[0]?.field, 'eligibility');
      return true;
    });
  });

  test('KO texts are mapped to the field they name', async () => {
    const zip = 'Zip code is mandatory. Length of characters accepted for country code FR: 5.';
    const ko = await start({ defaultOutcome: 'ko', outcomes: {}, koErrors: [zip, 'Birth zip code is unknown.'] });
    try {
      await assert.rejects(adapter(ko.server.url, { merchantSiteId: ['7013', '7017'] }).eligibility(eligibilityInput(camille()), {}), (error) => {
        isProblem('rejected')(error);
        assert.deepEqual((error as ProblemError).errors, [
          { field: 'customer.homeAddress.zipCode', message: zip },
          { field: 'customer.birthZipCode', message: 'Birth zip code is unknown.' },
        ]);
        return true;
      });
    } finally {
      await ko.server.close();
    }
  });

  test('a record that breaks a country rule is refused before any call', async () => {
    await assert.rejects(adapter(server.url).eligibility(eligibilityInput(identity('paul.lefevre@floa-demo.test')), {}), (error) => {
      isProblem('validation')(error);
      assert.deepEqual((error as ProblemError).errors?.map((e) => e.field), ['customer.birthZipCode']);
      return true;
    });
    await assert.rejects(adapter(server.url).eligibility(eligibilityInput(camille(), { amountDue: { amount: 45000, currency: 'USD' } }), {}), isProblem('validation'));
    assert.equal(sim.journal.entries.length, 0, 'not even a token');
  });

  test('FLOA asking to slow down (429): rate-limited, with its Retry-After', async () => {
    sim.faults.add({ kind: 'rate-limit', method: 'POST', path: '/api/v4/eligibilities', retryAfter: 30, times: 4 });
    try {
      await assert.rejects(adapter(server.url).eligibility(eligibilityInput(camille()), {}), (error) => {
        isProblem('rate-limited')(error);
        assert.equal((error as ProblemError).headers?.['Retry-After'], '30');
        return true;
      });
    } finally {
      sim.faults.clear();
    }
  });

  test('FLOA too slow: upstream-unavailable within the timeout, retryable', async () => {
    const started = Date.now();
    await assert.rejects(adapter(server.url, { timeoutMs: 300 }).eligibility(eligibilityInput(identity('hugo.lambert@floa-demo.test')), {}), (error) => {
      isProblem('upstream-unavailable')(error);
      assert.equal((error as ProblemError).retryable, true);
      return true;
    });
    assert.ok(Date.now() - started < 1500, 'gave up at the timeout');
  });
});

describe('FLOA payment', () => {
  const urls = () => ({ returnUrl: `${merchantServer.url}/return`, backUrl: `${merchantServer.url}/back`, notificationUrl: `${merchantServer.url}/notify` });

  async function sessionFor(floa: FloaAdapter, id: string, orderRef: string) {
    const offers = await floa.eligibility(eligibilityInput(camille(), { checkoutId: orderRef }), {});
    const offer = offers.find((o) => o.id === id)!;
    const session = await floa.createPaymentSession({ offer, orderRef, amountDue: eur(45000), customer: camille(), locale: 'fr', ...urls() }, {});
    return { offer, session };
  }

  const act = (url: string, action: string) => fetch(`${url}/${action}`.replace(/\/pay\/([^/]+)\/(\w+)$/, '/pay/$1/$2'), { method: 'POST', redirect: 'manual' });

  test('session → pay: the signed notification verifies, a tampered one does not, the result is paid', async () => {
    const floa = adapter(server.url);
    merchant.notifications.length = 0;
    const { offer, session } = await sessionFor(floa, 'floa-63', 'order_1001');
    assert.ok(session.sessionId);
    assert.equal(session.orderRef, 'order_1001');
    const sent = sim.journal.entries.find((e) => e.path === '/v1/payment-sessions')!.body as Record<string, any>;
    assert.equal(sent.merchantSiteId, offer.merchantSiteId);
    assert.equal(sent.orderData.orderRef, 'order_1001');
    assert.equal(sent.orderData.amount, offer.total.amount);
    assert.equal(sim.session(session.sessionId!)?.scoringToken, offer.token, 'the offer\'s token opened the session');
    assert.equal(sent.configuration.paymentOptionRef, '63');
    assert.equal(sent.configuration.culture, 'fr-FR');
    assert.equal(sent.configuration.notificationUrl, urls().notificationUrl);

    assert.equal((await floa.paymentResult(session.sessionId!, {})).status, 'pending');
    const pageHtml = await (await fetch(session.url)).text();
    assert.match(pageHtml, new RegExp(`data-total="${offer.total.amount}"`));

    const paid = await act(session.url, 'pay');
    assert.equal(paid.status, 200);
    const returnForm = await paid.text();
    assert.match(returnForm, new RegExp(`action="${urls().returnUrl}"`), 'the shopper is sent back with the result');

    assert.equal(merchant.notifications.length, 1);
    const fields = merchant.notifications[0]!;
    const notification = floa.verifyNotification(fields);
    assert.equal(notification.orderRef, 'order_1001');
    assert.deepEqual(notification.amount, offer.total);
    assert.equal(notification.status, 'paid');
    assert.equal(notification.returnCode, 0);
    assert.equal(notification.scoringToken, offer.token);
    assert.deepEqual(notification.schedule, offer.schedule);
    for (const [name, value] of fields) assert.ok(returnForm.includes(`name="${name}" value="${value}"`), `return form carries ${name}`);

    const tampered = fields.map(([k, v]): [string, string] => [k, k === 'amount' ? String(Number(v) - 1000) : v]);
    assert.throws(() => floa.verifyNotification(tampered), isProblem('validation'));
    assert.throws(() => floa.verifyNotification(fields.filter(([k]) => k !== 'hmac')), isProblem('validation'));
    const otherSecret = adapter(server.url, { hmacSecret: 'A'.repeat(40) });
    assert.throws(() => otherSecret.verifyNotification(fields), isProblem('validation'));
    assert.deepEqual(floa.verifyNotification(new URLSearchParams(fields)).amount, offer.total, 'URLSearchParams as well');

    const result = await floa.paymentResult(session.sessionId!, {});
    assert.deepEqual(result, { status: 'paid', amount: offer.total, returnCode: 0, orderRef: 'order_1001' });

    await act(session.url, 'pay');
    assert.equal(merchant.notifications.length, 1, 'a second click notifies nothing');
    await assert.rejects(
      floa.createPaymentSession({ offer, orderRef: 'order_1001', amountDue: eur(45000), customer: camille(), ...urls() }, {}),
      isProblem('rejected'),
      'a used token opens no second session',
    );
  });

  test('refused: notification with return code 1, result refused', async () => {
    const floa = adapter(server.url);
    merchant.notifications.length = 0;
    const { session } = await sessionFor(floa, 'floa-81', 'order_1002');
    assert.equal((await act(session.url, 'refuse')).status, 200);
    const notification = floa.verifyNotification(merchant.notifications[0]!);
    assert.equal(notification.returnCode, 1);
    assert.equal(notification.status, 'refused');
    assert.deepEqual(notification.schedule, [], 'no schedule for a refused payment');
    assert.equal((await floa.paymentResult(session.sessionId!, {})).status, 'refused');
  });

  test('cancelled: back to the basket, notification with return code 6', async () => {
    const floa = adapter(server.url);
    merchant.notifications.length = 0;
    const { session } = await sessionFor(floa, 'floa-94', 'order_1003');
    const cancelled = await act(session.url, 'cancel');
    assert.equal(cancelled.status, 303);
    assert.equal(cancelled.headers.get('location'), urls().backUrl);
    assert.equal(floa.verifyNotification(merchant.notifications[0]!).status, 'cancelled');
    assert.equal((await floa.paymentResult(session.sessionId!, {})).status, 'cancelled');
  });

  test('an offer made for another amount due opens no session', async () => {
    const floa = adapter(server.url);
    const offers = await floa.eligibility(eligibilityInput(camille()), {});
    sim.journal.clear();
    await assert.rejects(
      floa.createPaymentSession({ offer: offers[0]!, orderRef: 'order_1004', amountDue: eur(30000), customer: camille(), ...urls() }, {}),
      isProblem('conflict'),
    );
    assert.equal(sim.journal.entries.length, 0);
  });

  test('the payment result reply is read with the names NOTES gives these facts (returnCode, amount, orderRef), as configured', async () => {
    const floa = adapter(server.url);
    const { offer, session } = await sessionFor(floa, 'floa-63', 'order_1006');
    assert.deepEqual(await floa.paymentResult(session.sessionId!, {}), { status: 'pending', amount: offer.total, returnCode: 4, orderRef: 'order_1006' });

    const renamed = await start({ resultFields: { returnCode: 'paymentResultCode', amount: 'amount', orderRef: 'orderRef' } });
    try {
      const defaults = adapter(renamed.server.url);
      const opened = await sessionFor(defaults, 'floa-63', 'order_1007');
      await assert.rejects(defaults.paymentResult(opened.session.sessionId!, {}), (error) => {
        isProblem('upstream-unavailable')(error);
        assert.equal((error as ProblemError).retryable, true, 'unknown outcome: the page keeps waiting');
        assert.match((error as ProblemError).message, /paymentResultFields/);
        return true;
      });
      const configured = adapter(renamed.server.url, { paymentResultFields: { returnCode: 'paymentResultCode', amount: 'amount', orderRef: 'orderRef' } });
      assert.equal((await configured.paymentResult(opened.session.sessionId!, {})).status, 'pending');
    } finally {
      await renamed.server.close();
    }
  });

  test('10X is not offered without longTermResultPath: its payment could not be re-read before recording', async () => {
    // A 10X site in `sites` without the path: refused at start.
    const parsed = FloaOptions.safeParse({ provider: 'floa', baseUrl: server.url, login: 'l', password: 'p', merchantId: '38', hmacSecret: 's', sites: { FR: { '63': '7017', '98': '7110' } } });
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues.map((i) => i.message).join(' '), /10X site \(98\) needs `longTermResultPath`/);
    // The former site list does not say which site is 10X: its offer is dropped.
    const floa = adapter(server.url, { merchantSiteId: ['7013', '7017', '7110', '7194'], longTermResultPath: undefined });
    const offers = await floa.eligibility(eligibilityInput(camille(), { merchantUrls: urls() }), {});
    assert.deepEqual(offers.map((o) => o.id), ['floa-94', 'floa-81', 'floa-63']);
    assert.equal(sim.journal.count('GET', '/api/v4/eligibility-installment-plans'), 3, 'no schedule asked for 10X');
    await assert.rejects(floa.paymentResult({ orderRef: 'order_1005', merchantSiteId: '7110' }, {}), isProblem('upstream-unavailable'));
  });

  test('unknown session: not-found', async () => {
    await assert.rejects(adapter(server.url).paymentResult('no-such-session', {}), isProblem('not-found'));
  });

  test('10X: FLOA\'s own page instead of a session, result read by order', async () => {
    const floa = adapter(server.url);
    merchant.notifications.length = 0;
    const merchantUrls = urls();
    const offers = await floa.eligibility(eligibilityInput(camille(), { checkoutId: 'order_1005', merchantUrls }), {});
    const tenX: FloaOffer = offers.find((o) => o.id === 'floa-98')!;
    assert.equal(tenX.instalments, 10);
    const session = await floa.createPaymentSession({ offer: tenX, orderRef: 'order_1005', amountDue: eur(45000), customer: camille(), ...merchantUrls }, {});
    assert.equal(session.url, tenX.longTermCreditUrl);
    assert.equal(session.sessionId, undefined);
    assert.equal(sim.journal.count('POST', '/v1/payment-sessions'), 0);
    assert.equal((await floa.paymentResult({ orderRef: 'order_1005', merchantSiteId: tenX.merchantSiteId }, {})).status, 'pending');

    assert.equal((await act(session.url, 'pay')).status, 200);
    const notification = floa.verifyNotification(merchant.notifications[0]!);
    assert.equal(notification.orderRef, 'order_1005');
    assert.deepEqual(notification.amount, tenX.total);
    const result = await floa.paymentResult({ orderRef: 'order_1005', merchantSiteId: tenX.merchantSiteId }, {});
    assert.deepEqual(result, { status: 'paid', amount: tenX.total, returnCode: 0, orderRef: 'order_1005' });
    assert.equal(sim.journal.count('GET', `/simulated/long-term-results/38/${tenX.merchantSiteId}/order_1005`), 2, 'read at the configured longTermResultPath');
    assert.equal(sim.journal.entries.filter((e) => e.path.startsWith('/v1/payments/')).length, 0, 'no undocumented path');
  });
});

describe('FLOA notification', () => {
  /** A form sealed here, independently of the adapter: HMAC-SHA1 over the values joined by `*`, upper-case hex (NOTES § FLOA). */
  const sealed = (fields: Array<[string, string]>, key: Buffer): Array<[string, string]> => [
    ...fields,
    ['hmac', createHmac('sha1', key).update(fields.map(([, v]) => v).join('*'), 'utf8').digest('hex').toUpperCase()],
  ];
  const text = Buffer.from(FLOA_DEMO_HMAC_SECRET, 'utf8');
  const bytes = Buffer.from(FLOA_DEMO_HMAC_SECRET, 'hex');
  const form = (merchant: [string, string]): Array<[string, string]> => [merchant, ['merchantSiteId', '7017'], ['orderRef', 'order_2001'], ['amount', '46000'], ['returnCode', '0']];

  test('by default the HMAC key is the secret\'s text (NOTES: "with the merchant secret"); hex bytes by option', () => {
    assert.equal(adapter(server.url).verifyNotification(sealed(form(['merchantId', '38']), text)).status, 'paid');
    assert.throws(() => adapter(server.url).verifyNotification(sealed(form(['merchantId', '38']), bytes)), isProblem('validation'));
    const hex = adapter(server.url, { hmacKeyEncoding: 'hex' });
    assert.equal(hex.verifyNotification(sealed(form(['merchantId', '38']), bytes)).status, 'paid');
    assert.throws(() => hex.verifyNotification(sealed(form(['merchantId', '38']), text)), isProblem('validation'));
  });

  test('the merchant field is merchantId, as the documents spell it; another merchant\'s notification is refused', () => {
    const floa = adapter(server.url);
    const read = floa.verifyNotification(sealed(form(['merchantId', '38']), text));
    assert.equal(read.merchantSiteId, '7017');
    assert.throws(() => floa.verifyNotification(sealed(form(['merchantId', '99']), text)), (error) => {
      isProblem('validation')(error);
      assert.deepEqual((error as ProblemError).errors?.map((e) => e.field), ['merchantId']);
      return true;
    });
    // Another spelling, once FLOA confirms it, is configuration.
    const renamed = adapter(server.url, { notificationFields: { merchantId: 'merchantID', merchantSiteId: 'merchantSiteID', scheduleDate: 'scheduleDate{n}', scheduleAmount: 'scheduleAmount{n}' } });
    assert.throws(() => renamed.verifyNotification(sealed(form(['merchantID', '99']), text)), isProblem('validation'));
  });

  test('the simulator\'s notification carries merchantId and merchantSiteId', async () => {
    const floa = adapter(server.url);
    merchant.notifications.length = 0;
    const offers = await floa.eligibility(eligibilityInput(camille(), { checkoutId: 'order_2002' }), {});
    const offer = offers.find((o) => o.id === 'floa-81')!;
    const urls = { returnUrl: `${merchantServer.url}/return`, backUrl: `${merchantServer.url}/back`, notificationUrl: `${merchantServer.url}/notify` };
    const session = await floa.createPaymentSession({ offer, orderRef: 'order_2002', amountDue: eur(45000), customer: camille(), ...urls }, {});
    await fetch(`${session.url}/pay`, { method: 'POST', redirect: 'manual' });
    const fields = new Map(merchant.notifications[0]);
    assert.equal(fields.get('merchantId'), '38');
    assert.equal(fields.get('merchantSiteId'), offer.merchantSiteId);
    assert.equal(floa.verifyNotification(merchant.notifications[0]!).merchantSiteId, offer.merchantSiteId);
  });
});

describe('FLOA country', () => {
  const urls = () => ({ returnUrl: `${merchantServer.url}/return`, backUrl: `${merchantServer.url}/back`, notificationUrl: `${merchantServer.url}/notify` });
  const eligible = ['camille.martin', 'lucia.garcia', 'giulia.rossi', 'ines.santos', 'emma.janssens'].map((name) => identity(`${name}@floa-demo.test`));

  test('a shopper\'s country is their address\'s: that country\'s sites and rules, and the session\'s country', async () => {
    const floa = adapter(server.url);
    for (const customer of eligible) {
      const country = customer.homeAddress.countryCode;
      const offers = await floa.eligibility(eligibilityInput(customer), {});
      assert.ok(offers.length >= 2, `${country}: offers`);
      for (const offer of offers) {
        assert.equal(sim.config.sites.find((s) => s.id === offer.merchantSiteId)?.country, country, `${country}: ${offer.id} from a ${country} site`);
        assert.equal(offer.country, country);
      }
    }
    const spanish = (await floa.eligibility(eligibilityInput(identity('lucia.garcia@floa-demo.test'), { checkoutId: 'order_3001' }), {})).find((o) => o.id === 'floa-63')!;
    sim.journal.clear();
    await floa.createPaymentSession({ offer: spanish, orderRef: 'order_3001', amountDue: eur(45000), customer: identity('lucia.garcia@floa-demo.test'), ...urls() }, {});
    const sent = sim.journal.entries.find((e) => e.path === '/v1/payment-sessions')!.body as Record<string, any>;
    assert.equal(sent.merchantSiteId, '7217');
    assert.equal(sent.configuration.country, 'ES');
    assert.equal(sent.configuration.culture, 'es-ES');
  });

  test('the session\'s culture is one of its country\'s, as configured, matching the page\'s locale', async () => {
    const lucia = identity('lucia.garcia@floa-demo.test');
    const floa = adapter(server.url, { cultures: { ES: ['ca-ES', 'es-ES'] } });
    for (const [locale, expected] of [['es', 'es-ES'], [undefined, 'ca-ES']] as const) {
      const orderRef = `order_31${locale ?? 'xx'}`;
      const offer = (await floa.eligibility(eligibilityInput(lucia, { checkoutId: orderRef }), {})).find((o) => o.id === 'floa-63')!;
      sim.journal.clear();
      await floa.createPaymentSession({ offer, orderRef, amountDue: eur(45000), customer: lucia, ...urls(), ...(locale ? { locale } : {}) }, {});
      assert.equal((sim.journal.entries.find((e) => e.path === '/v1/payment-sessions')!.body as Record<string, any>).configuration.culture, expected);
    }
  });

  test('an address in a country without sites: no offer, and FLOA is not called', async () => {
    const frenchOnly = adapter(server.url, { sites: { FR: { '63': '7017' } } });
    for (const customer of [identity('lucia.garcia@floa-demo.test'), { ...camille(), homeAddress: { ...camille().homeAddress, countryCode: 'DE' } }]) {
      await assert.rejects(frenchOnly.eligibility(eligibilityInput(customer), {}), (error) => {
        isProblem('rejected')(error);
        assert.deepEqual((error as ProblemError).errors?.map((e) => e.field), ['customer.homeAddress.countryCode']);
        return true;
      });
    }
    assert.equal(sim.journal.entries.length, 0);
  });

  test('the address country\'s rules are checked before any call (an Italian record without its national id)', async () => {
    const { nationalId: _, ...giulia } = identity('giulia.rossi@floa-demo.test');
    await assert.rejects(adapter(server.url).eligibility(eligibilityInput(giulia), {}), (error) => {
      isProblem('validation')(error);
      assert.deepEqual((error as ProblemError).errors?.map((e) => e.field), ['customer.nationalId']);
      return true;
    });
    assert.equal(sim.journal.entries.length, 0);
  });

  test('the former single-country options still parse: those sites serve that country only', async () => {
    const spain = adapter(server.url, { merchantSiteId: ['7213', '7217'], country: 'ES' });
    const offers = await spain.eligibility(eligibilityInput(identity('lucia.garcia@floa-demo.test')), {});
    assert.deepEqual(offers.map((o) => [o.id, o.merchantSiteId, o.country]), [['floa-81', '7213', 'ES'], ['floa-63', '7217', 'ES']]);
    sim.journal.clear();
    await assert.rejects(spain.eligibility(eligibilityInput(camille()), {}), isProblem('rejected'));
    assert.equal(sim.journal.entries.length, 0);

    const base = { provider: 'floa', baseUrl: server.url, login: 'l', password: 'p', merchantId: '38', hmacSecret: 's' };
    assert.deepEqual((await adapter(server.url, { merchantSiteId: '7017' }).eligibility(eligibilityInput(camille()), {})).map((o) => o.country), ['FR'], 'FR by default, as before');
    assert.equal(FloaOptions.safeParse({ ...base, merchantSiteId: '7017', sites: { FR: { '63': '7017' } } }).success, false, 'one form or the other');
    assert.equal(FloaOptions.safeParse({ ...base, sites: { FR: { '63': '7017' } }, country: 'FR' }).success, false, 'with sites, the country is the customer\'s');
    assert.equal(FloaOptions.safeParse({ ...base }).success, false, 'no site at all');
  });
});

describe('FLOA simulator', () => {
  test('imports nothing from the adapter but types: it cannot share the adapter\'s misreading', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../../src/simulators/floa/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 3);
    for (const file of files) {
      const source = await readFile(new URL(file, dir), 'utf8');
      const imports = [...source.matchAll(/^(import|export)\b[^;]*?from\s+'([^']+)'/gms)].filter(([, , from]) => from!.includes('proxy/'));
      for (const [statement] of imports) assert.match(statement, /^import type /, `${file}: ${statement}`);
    }
  });
});
