import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { listen } from '../../src/node/listen.js';
import type { Cart, PaymentMethod } from '../../src/protocol/index.js';
import { createCheckoutProxy } from '../../src/proxy/app.js';
import { MemoryCartSource } from '../../src/proxy/carts.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { issueTillCredential } from '../../src/proxy/auth/secrets.js';
import { TEST_SECRET_KEY } from '../support/start-proxy.js';
import { parseConfig } from '../../src/proxy/config.js';
import type { CustomerRecord, RecordSaleInput } from '../../src/proxy/providers/provider.js';
import { ResamaniaAdapter, ResamaniaOptions } from '../../src/proxy/providers/resamania/adapter.js';
import { MemorySaleLedger, type SaleLedgerEntry } from '../../src/proxy/providers/resamania/sale-ledger.js';
import { createResamaniaSimulator, isoDay, RESAMANIA_DEMO, type ResamaniaSimulatorOptions } from '../../src/simulators/resamania/simulator.js';

const CT = RESAMANIA_DEMO.clientToken;
const offer = (id: number) => `/${CT}/offers/${id}`;
const MONTHLY = 101; // subscription, 39.90, 16+, no debt
const STUDENT = 111; // subscription, 24.90, tag etudiant
const VIP = 121; // counter, 150.00, tag vip
const TOWEL = 131; // one-off product, 12.00
const TRIAL = 141; // free
const PAYMENTS = /\/sales\/\d+\/payments$/;

const CAMILLE = 'camille.martin@example.test'; // good standing, etudiant
const JULIEN = 'julien.bernard@example.test'; // 45.00 overdue
const SOFIA = 'sofia.lopez@example.test'; // vip, expired etudiant
const LEO = 'leo.petit@example.test'; // 13 years old

/** A simulator on a real port, an adapter pointed at it, and one clock both of them read. */
async function start(t: TestContext, sim: ResamaniaSimulatorOptions = {}, adapter: Partial<Record<string, unknown>> = {}) {
  let offset = 0;
  const now = () => Date.now() + offset;
  const simulator = createResamaniaSimulator({ env: 'prod', now, ...sim });
  const urls: string[] = [];
  // Every URL the adapter calls, with its query string (the journal keeps paths only).
  const server = await listen({
    fetch: (request: Request, ...rest: unknown[]) => {
      urls.push(request.url);
      return (simulator.app.fetch as (r: Request, ...a: unknown[]) => Response | Promise<Response>)(request, ...rest);
    },
  } as Parameters<typeof listen>[0]);
  const resamania = new ResamaniaAdapter(adapterOptions(server.url, adapter), { now });
  t.after(async () => {
    await resamania.close();
    await server.close();
  });
  return {
    sim: simulator,
    adapter: resamania,
    url: server.url,
    urls,
    advance: (ms: number) => {
      offset += ms;
    },
    today: () => isoDay(now(), 'Europe/Paris'),
  };
}

/** The adapter's options for a simulator at `serverUrl` (gateway environment `prod`). */
function adapterOptions(serverUrl: string, extra: Partial<Record<string, unknown>> = {}): ResamaniaOptions {
  return ResamaniaOptions.parse({
    provider: 'resamania',
    baseUrl: `${serverUrl}/prod`,
    clientToken: CT,
    clientId: RESAMANIA_DEMO.clientId,
    clientSecret: RESAMANIA_DEMO.clientSecret,
    apiKey: RESAMANIA_DEMO.apiKey,
    clubId: '1',
    clubCode: RESAMANIA_DEMO.clubCode,
    timeoutMs: 2000,
    ...extra,
  });
}

/**
 * The checkout proxy in front of `adapter`, with a membership and a towel cart. `create` is
 * the shop's server creating a checkout rung up at till t1; `call` is the page at that till
 * (the checkout's client secret and the till's credential; `key` is the Idempotency-Key; a
 * payment without `amount` pays the amount due); `confirm` is the shop's server confirming
 * what its PSP took.
 */
function throughProxy(adapter: ResamaniaAdapter, options: { unknownOutcomeSettleMs?: number } = {}) {
  const carts = new MemoryCartSource({
    membership: { currency: 'EUR', lines: [{ sku: offer(MONTHLY), name: 'Mensuel', quantity: 1, unitPrice: 3990 }] },
    towel: { currency: 'EUR', lines: [{ sku: offer(TOWEL), name: 'Serviette', quantity: 1, unitPrice: 1200 }] },
  });
  const proxy = createCheckoutProxy({ secretKeys: [TEST_SECRET_KEY], loyalty: adapter, carts, ...options });
  const shop = { authorization: `Bearer ${TEST_SECRET_KEY}` };
  const till = issueTillCredential('t1', 3600, [TEST_SECRET_KEY]).credential;
  const secrets = new Map<string, string>();
  const send = async (method: string, path: string, body: unknown, headers: Record<string, string>) => {
    const response = await proxy.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const call = async (method: string, path: string, body?: Record<string, unknown>, key?: string) => {
    const id = /\/v1\/checkouts\/([^/]+)/.exec(path)?.[1] ?? '';
    const headers = { authorization: `Bearer ${secrets.get(id)}`, 'Checkout-Till-Credential': till, ...(key ? { 'Idempotency-Key': key } : {}) };
    const pay = path.endsWith('/payments') && body && !('amount' in body);
    const payment = pay ? { ...body, amount: (await send('GET', `/v1/checkouts/${id}`, undefined, headers)).body.amountDue.amount } : body;
    return send(method, path, payment, headers);
  };
  const create = async (cartId: string) => {
    const created = await send('POST', '/v1/server/checkouts', { cartId, till: 't1' }, shop);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    secrets.set(created.body.checkout.id, created.body.clientSecret);
    return created.body.checkout.id as string;
  };
  /** A checkout for `cartId` with Camille identified at the till. */
  const open = async (cartId: string) => {
    const id = await create(cartId);
    assert.equal((await call('POST', `/v1/checkouts/${id}/customer`, { query: CAMILLE })).status, 200);
    return id;
  };
  const confirm = async (id: string, key: string) => {
    const due = (await call('GET', `/v1/checkouts/${id}`)).body.amountDue;
    return send('POST', `/v1/server/checkouts/${id}/payments`, { method: 'external', amount: due, pspReference: `psp-${key}` }, { ...shop, 'Idempotency-Key': key });
  };
  return { call, open, create, confirm };
}

function cart(lines: Array<{ offer: number; price: number; quantity?: number; data?: Record<string, string> }>): Cart {
  const items = lines.map((l) => ({
    sku: offer(l.offer),
    name: `Offer ${l.offer}`,
    quantity: l.quantity ?? 1,
    unitPrice: { amount: l.price, currency: 'EUR' },
    total: { amount: l.price * (l.quantity ?? 1), currency: 'EUR' },
    ...(l.data ? { data: l.data } : {}),
  }));
  return { id: 'cart-1', currency: 'EUR', lines: items, total: { amount: items.reduce((s, l) => s + l.total.amount, 0), currency: 'EUR' } };
}

function sale(customer: CustomerRecord, c: Cart, method: PaymentMethod = 'card', reference = 'co-1', extra: Partial<RecordSaleInput> = {}): RecordSaleInput {
  return { checkoutId: reference, customer, cart: c, spend: 0, method, reference, paid: c.total, ...extra };
}

const problem = (kind: string, check: (e: ProblemError) => void = () => {}) => (error: unknown) => {
  assert.ok(error instanceof ProblemError, `expected a ProblemError, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  check(error);
  return true;
};

test('identify: a contact in good standing, with today\'s tags and no debt', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(`  ${CAMILLE} `, {});
  assert.equal(customer.providerId, `/${CT}/contacts/1001`);
  assert.equal(customer.name, 'Camille Martin');
  assert.deepEqual(customer.debt, { amount: 0, currency: 'EUR' });
  assert.deepEqual(customer.data?.tags, ['etudiant']);
  assert.equal(customer.data?.contactNumber, '4110012692');
  // Search by e-mail, then the contact (for its tags) and its account stats.
  assert.equal(sim.journal.count('GET', `/prod/${CT}/contacts`), 1);
  assert.equal(sim.journal.count('GET', `/prod/${CT}/contacts/1001`), 1);
  assert.equal(sim.journal.count('GET', `/prod/${CT}/stats/accounts/contacts/1001`), 1);
});

test('identify: a contact in debt is reported with totalRealDebt in cents; expired tags are dropped', async (t) => {
  const { adapter } = await start(t);
  const julien = await adapter.identify(JULIEN, {});
  assert.deepEqual(julien.debt, { amount: 4500, currency: 'EUR' });
  const sofia = await adapter.identify(SOFIA, {});
  assert.deepEqual(sofia.data?.tags, ['vip']);
});

test('identify: unknown e-mail → not-found; not an e-mail → validation on query', async (t) => {
  const { adapter } = await start(t);
  await assert.rejects(adapter.identify('nobody@example.test', {}), problem('not-found', (e) => assert.equal(e.errors?.[0]?.field, 'query')));
  await assert.rejects(adapter.identify('4110012692', {}), problem('validation', (e) => assert.equal(e.errors?.[0]?.field, 'query')));
});

test('quote: no points, nothing to spend or earn', async (t) => {
  const { adapter } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  const quote = await adapter.quote({ checkoutId: 'c', customer, cart: cart([{ offer: TOWEL, price: 1200 }]), spend: 0 });
  assert.deepEqual(quote.balance, { value: { amount: 0, currency: 'EUR' } });
  assert.deepEqual(quote.spendable, { min: { amount: 0, currency: 'EUR' }, max: { amount: 0, currency: 'EUR' }, step: 1 });
  assert.equal(quote.earn, undefined);
  assert.equal(adapter.capabilities.spend, false);
  // Till methods, the shop's PSP (`external`, CBWeb by default) and a zero amount due (`none`).
  assert.deepEqual(adapter.capabilities.paymentMethods, ['card', 'cash', 'cheque', 'external', 'none']);
});

test('catalog: the contact\'s tags and debt select the offers', async (t) => {
  const { adapter, sim } = await start(t);
  const ids = async (email: string) => (await adapter.catalog(await adapter.identify(email, {}), {})).map((o) => o.id).sort();
  const camille = await ids(CAMILLE);
  assert.ok(camille.includes(offer(STUDENT)) && camille.includes(offer(MONTHLY)) && !camille.includes(offer(VIP)));
  const julien = await ids(JULIEN);
  assert.ok(!julien.includes(offer(MONTHLY)) && julien.includes(offer(TOWEL)), 'no subscription for a contact in debt');
  const sofia = await ids(SOFIA);
  assert.ok(sofia.includes(offer(VIP)) && !sofia.includes(offer(STUDENT)), 'an expired tag gives no student price');
  // Club-only channel product is there (channel "club"), another club's product is not.
  assert.ok(camille.includes(offer(151)) && !camille.includes(offer(161)));
  // The back-to-school offer is sold in September only.
  const onDate = async (date: string) => (await adapter.catalog(await adapter.identify(CAMILLE, {}), {}, { date })).map((o) => o.id);
  assert.ok((await onDate('2030-09-10')).includes(offer(171)));
  assert.ok(!(await onDate('2030-10-10')).includes(offer(171)));

  const offers = await adapter.catalog(await adapter.identify(CAMILLE, {}), {});
  const monthly = offers.find((o) => o.id === offer(MONTHLY))!;
  assert.deepEqual({ price: monthly.price, needsStartDate: monthly.needsStartDate, category: monthly.category }, { price: { amount: 3990, currency: 'EUR' }, needsStartDate: true, category: 'subscription' });
  assert.equal(offers.find((o) => o.id === offer(TOWEL))?.needsStartDate, false);
});

test('catalog: the sale context is sent with the live API\'s plural tag filter (NOTES)', async (t) => {
  const { adapter, urls, today } = await start(t);
  await adapter.catalog(await adapter.identify(JULIEN, {}), {}, { type: 'regular' });
  await adapter.catalog(await adapter.identify(CAMILLE, {}), {});
  const [julien, camille] = urls.filter((u) => new URL(u).pathname.endsWith('/products')).map((u) => new URL(u).searchParams);
  assert.equal(julien!.get('context[channel]'), 'club');
  assert.equal(julien!.get('context[club]'), `/${CT}/clubs/1`);
  assert.equal(julien!.get('context[debt]'), '4500');
  assert.equal(julien!.get('context[date]'), today());
  assert.equal(julien!.get('context[contactId]'), `/${CT}/contacts/1002`);
  assert.equal(julien!.get('type'), 'regular');
  assert.deepEqual(camille!.getAll('context[contactTags][]'), ['etudiant']);
  assert.equal(camille!.get('context[contactTag]'), null);
});

test('catalog: offers listed as IRIs are fetched per product; pages are followed', async (t) => {
  const { adapter, sim } = await start(t, { embedOffers: false, maxItemsPerPage: 2 });
  const customer = await adapter.identify(CAMILLE, {});
  const offers = await adapter.catalog(customer, {}, { date: '2030-03-15' });
  assert.equal(offers.find((o) => o.id === offer(TOWEL))?.price.amount, 1200);
  // Camille's March catalog: monthly, student, towel, trial, 10 entries → 3 pages of 2, 5 offer lookups.
  assert.deepEqual(offers.map((o) => o.id).sort(), [101, 111, 131, 141, 151].map(offer).sort());
  assert.equal(sim.journal.count('GET', `/prod/${CT}/products`), 3);
  assert.equal(sim.journal.count('GET', `/prod/${CT}/offers`), 5);
});

test('happy path: sale, articles, check, then exactly one payment', async (t) => {
  const { adapter, sim, today } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  sim.journal.clear();
  const c = cart([{ offer: MONTHLY, price: 3990 }, { offer: TOWEL, price: 1200 }]);
  const receipt = await adapter.recordSale(sale(customer, c, 'card'), {});
  assert.equal(receipt.reference, 'co-1');
  assert.deepEqual(receipt.spent, { value: { amount: 0, currency: 'EUR' } });

  const calls = sim.journal.entries.filter((e) => e.method !== 'GET' || /\/check$/.test(e.path)).map((e) => `${e.method} ${e.path.replace(/\d{6,}/g, ':id')}`);
  assert.deepEqual(calls, [
    `POST /prod/${CT}/sales`,
    `POST /prod/${CT}/sales/:id/articles`,
    `POST /prod/${CT}/sales/:id/articles`,
    `GET /prod/${CT}/sales/:id/check`,
    `POST /prod/${CT}/sales/:id/payments`,
  ]);
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);

  const articles = sim.journal.entries.filter((e) => e.path.endsWith('/articles')).map((e) => e.body as Record<string, unknown>);
  assert.deepEqual(articles[0], { offerId: offer(MONTHLY), implementation: { startDate: today() } });
  assert.deepEqual(articles[1], { offerId: offer(TOWEL) });

  const payment = sim.journal.entries.find((e) => PAYMENTS.test(e.path))!.body as Record<string, unknown>;
  assert.equal(payment.amount, 5190);
  assert.equal(payment.mean, 'card');
  assert.equal(payment.checkout, `/${CT}/checkouts/12`);
  assert.equal(payment.clubId, `/${CT}/clubs/1`);
  assert.deepEqual(payment.paymentCards, [{ amount: 5190, network: 'CBGroup' }]);

  const [created] = sim.sales();
  assert.equal(created?.state, 'validated');
  assert.equal(sim.account(1001)?.credit, 0, 'no overpayment');
});

test('cash and cheque map to their means; a start date from the cart line is used', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  await adapter.recordSale(sale(customer, cart([{ offer: TOWEL, price: 1200 }]), 'cash', 'co-cash'), {});
  await adapter.recordSale(sale(customer, cart([{ offer: MONTHLY, price: 3990, data: { startDate: '2099-01-15' } }]), 'cheque', 'co-cheque'), {});
  const bodies = sim.journal.entries.filter((e) => PAYMENTS.test(e.path)).map((e) => e.body as Record<string, unknown>);
  assert.deepEqual(bodies.map((b) => b.mean), ['cash', 'cheque']);
  assert.equal((bodies[1]!.cheques as Array<{ amount: number }>)[0]!.amount, 3990);
  const article = sim.journal.entries.filter((e) => e.path.endsWith('/articles')).at(-1)!.body as { implementation: { startDate: string } };
  assert.equal(article.implementation.startDate, '2099-01-15');
});

test('check 400: the reasons reach the right cart line and no payment is attempted', async (t) => {
  const { adapter, sim } = await start(t);
  // Léo is 13: the 16+ subscription is in his catalog (age is not a catalog criterion) but check refuses it.
  const leo = await adapter.identify(LEO, {});
  await assert.rejects(
    adapter.recordSale(sale(leo, cart([{ offer: TOWEL, price: 1200 }, { offer: MONTHLY, price: 3990 }])), {}),
    problem('rejected', (e) => {
      assert.deepEqual(e.errors?.map((x) => x.field), ['cart.lines.1.sku']);
      assert.match(e.message, /at least 16/);
    }),
  );
  assert.equal(sim.journal.count('GET', /\/check$/), 1);
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);
  assert.equal(sim.payments().length, 0);
});

test('a start date in the past is refused on its line, before check and payment', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  await assert.rejects(
    adapter.recordSale(sale(customer, cart([{ offer: MONTHLY, price: 3990, data: { startDate: '2020-01-01' } }])), {}),
    problem('rejected', (e) => assert.deepEqual(e.errors?.map((x) => x.field), ['cart.lines.0.data.startDate'])),
  );
  await assert.rejects(
    adapter.recordSale(sale(customer, cart([{ offer: MONTHLY, price: 3990, data: { startDate: '15/01/2099' } }]), 'card', 'co-2'), {}),
    problem('rejected', (e) => assert.deepEqual(e.errors?.map((x) => x.field), ['cart.lines.0.data.startDate'])),
  );
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);
});

test('an offer outside the contact\'s catalog is refused with a field error, before any sale', async (t) => {
  const { adapter, sim } = await start(t);
  const julien = await adapter.identify(JULIEN, {});
  await assert.rejects(
    adapter.recordSale(sale(julien, cart([{ offer: TOWEL, price: 1200 }, { offer: MONTHLY, price: 3990 }])), {}),
    problem('rejected', (e) => assert.deepEqual(e.errors?.map((x) => x.field), ['cart.lines.1.sku'])),
  );
  const camille = await adapter.identify(CAMILLE, {});
  await assert.rejects(
    adapter.recordSale(sale(camille, cart([{ offer: TOWEL, price: 999 }])), {}),
    problem('rejected', (e) => assert.deepEqual(e.errors?.map((x) => x.field), ['cart.lines.0.unitPrice'])),
  );
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 0);
});

test('zero amount: the validate transition, never a payment', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  await adapter.recordSale(sale(customer, cart([{ offer: TRIAL, price: 0 }]), 'cash'), {});
  const transitions = sim.journal.entries.filter((e) => e.path.endsWith('/transitions'));
  assert.equal(transitions.length, 1);
  assert.deepEqual(transitions[0]!.body, { transition: 'validate' });
  assert.equal(transitions[0]!.status, 200);
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);
  assert.equal(sim.sales()[0]?.state, 'validated');
});

test('zero amount due with method none: the document\'s validate transition, never a payment (:362-375)', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  await adapter.recordSale(sale(customer, cart([{ offer: TRIAL, price: 0 }]), 'none'), {});
  assert.deepEqual(sim.journal.entries.filter((e) => e.path.endsWith('/transitions')).map((e) => e.body), [{ transition: 'validate' }]);
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);
  assert.equal(sim.sales()[0]?.state, 'validated');
  // `none` with an amount due is refused before anything is sent.
  const before = sim.journal.entries.length;
  await assert.rejects(adapter.recordSale(sale(customer, cart([{ offer: TOWEL, price: 1200 }]), 'none', 'co-2'), {}), problem('validation', (e) => assert.equal(e.errors?.[0]?.field, 'method')));
  assert.equal(sim.journal.entries.length, before);
});

test('external (the shop\'s PSP confirmed it) is recorded as CBWeb, the online card payment, by default (:266, :293-308)', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  await adapter.recordSale(sale(customer, cart([{ offer: TOWEL, price: 1200 }]), 'external'), {});
  const body = sim.journal.entries.find((e) => PAYMENTS.test(e.path))!.body as Record<string, unknown>;
  assert.equal(body.mean, 'CBWeb');
  assert.equal(body.amount, 1200);
  assert.equal(body.paymentCards, undefined, 'card details only with mean=card (:283)');
  assert.equal(sim.journal.count('POST', /\/postpone_due$/), 0);
  assert.deepEqual(sim.account(1001)?.dues, [], 'no debt for money already collected');
  assert.equal(sim.sales()[0]?.state, 'validated');
});

test('money already collected is never deferred: postpone_due refused at start and at record time', async (t) => {
  const base = adapterOptions('https://gw.example.test');
  // At start: the adapter's options and the proxy configuration.
  const parsed = ResamaniaOptions.safeParse({ ...base, paymentMean: { external: 'postpone_due' } });
  assert.equal(parsed.success, false);
  assert.match(parsed.error!.issues[0]!.message, /paymentMean\.external: "postpone_due" would record money already collected as a debt/);
  assert.equal(ResamaniaOptions.safeParse({ ...base, paymentMean: { cash: 'postpone_due' } }).success, false);
  assert.throws(() => parseConfig({ loyalty: { ...base, paymentMean: { external: 'postpone_due' } }, carts: {} }), /postpone_due/);

  // At record time, for an adapter given options that were not validated: nothing is sent.
  const { sim, url } = await start(t);
  const unchecked = { ...adapterOptions(url), paymentMean: { ...adapterOptions(url).paymentMean, external: 'postpone_due' } } as unknown as ResamaniaOptions;
  const adapter = new ResamaniaAdapter(unchecked);
  t.after(() => adapter.close());
  const customer = await adapter.identify(CAMILLE, {});
  sim.journal.clear();
  await assert.rejects(adapter.recordSale(sale(customer, cart([{ offer: TOWEL, price: 1200 }]), 'external'), {}), problem('validation', (e) => assert.equal(e.errors?.[0]?.field, 'method')));
  assert.equal(sim.journal.entries.length, 0, 'no sale, no deferral, no payment');
  assert.deepEqual(sim.account(1001)?.dues, []);
});

test('a settling call answered before it could record anything is not an unknown outcome (token 503, 429)', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  // The token expires as the payment is sent (401), and the token endpoint is down (503, retried twice).
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]));
  sim.failNextPayment('expired-token');
  sim.faults.add({ kind: 'status', status: 503, path: `/prod/${CT}/oauth/v2/token`, times: 3 });
  await assert.rejects(adapter.recordSale(input, {}), problem('upstream-unavailable'));
  assert.equal(sim.payments().length, 0);
  // The retry is not held back as "maybe paid": it pays, once, on the same sale.
  await adapter.recordSale(input, {});
  assert.equal(sim.payments().length, 1);
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 1);

  // A 429 on the payments call: the gateway refused it before the API ran it.
  const second = sale(customer, cart([{ offer: TOWEL, price: 1200 }]), 'cash', 'co-2');
  sim.failNextPayment('rate-limited');
  await assert.rejects(adapter.recordSale(second, {}), problem('rate-limited', (e) => assert.equal(e.headers?.['Retry-After'], '3')));
  await adapter.recordSale(second, {});
  assert.equal(sim.payments().length, 2);
});

test('the zero-amount validate moves no money: a 503 on it is upstream-unavailable, and the retry settles', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TRIAL, price: 0 }]), 'none');
  sim.failNextTransition('fail-before-commit');
  await assert.rejects(adapter.recordSale(input, {}), problem('upstream-unavailable'));
  await adapter.recordSale(input, {});
  assert.equal(sim.sales()[0]?.state, 'validated');
  assert.equal(sim.journal.count('POST', /\/transitions$/), 2);
  // Validated, its reply lost (504): still no payment, and the retry finds the sale validated.
  const lost = sale(customer, cart([{ offer: TRIAL, price: 0 }]), 'none', 'co-2');
  sim.failNextTransition('commit-then-504');
  await assert.rejects(adapter.recordSale(lost, {}), problem('upstream-unavailable'));
  await adapter.recordSale(lost, {});
  assert.equal(sim.journal.count('POST', /\/transitions$/), 3, 'not validated twice');
  assert.equal(sim.sales().length, 2);
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);
});

test('retried after the payment committed (504): still one payments call, one sale', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: MONTHLY, price: 3990 }]));
  sim.failNextPayment('commit-then-504');
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown'));
  assert.equal(sim.payments().length, 1, 'the payment was recorded upstream');

  const receipt = await adapter.recordSale(input, {});
  assert.equal(receipt.reference, 'co-1');
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 1);
  assert.equal(sim.account(1001)?.credit, 0, 'no overpayment');
  // A third call is answered from the ledger alone: no call at all.
  const before = sim.journal.entries.length;
  await adapter.recordSale(input, {});
  assert.equal(sim.journal.entries.length, before);
});

test('retried after a payment timed out (committed late): still one payments call', async (t) => {
  const { adapter, sim } = await start(t, {}, { timeoutMs: 300 });
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]));
  sim.failNextPayment('commit-then-hang', 800);
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown'));
  await adapter.recordSale(input, {});
  assert.equal(sim.payments().length, 1);
  // The hung request is journaled when it finally answers: still one payments call.
  await new Promise((resolve) => setTimeout(resolve, 900));
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);
});

test('unknown outcome with nothing recorded: no second payment until the wait is over, then one', async (t) => {
  const { adapter, sim, advance } = await start(t, {}, { unknownOutcomeWaitMs: 60_000 });
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]));
  sim.failNextPayment('fail-before-commit');
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown'));
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown', (e) => assert.equal(e.retryable, true)));
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);
  assert.equal(sim.payments().length, 0);

  advance(61_000);
  await adapter.recordSale(input, {});
  assert.equal(sim.payments().length, 1);
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 1, 'the same sale is paid');
  assert.equal(sim.sales()[0]?.state, 'validated');
});

test('saleOutcome: a payment whose reply was lost (504) is found recorded by re-reading the sale', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: MONTHLY, price: 3990 }]));
  sim.failNextPayment('commit-then-504');
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown'));
  const before = sim.journal.entries.length;
  assert.deepEqual(await adapter.saleOutcome(input, {}), { state: 'recorded', sale: { reference: 'co-1', discount: { amount: 0, currency: 'EUR' }, spent: { value: { amount: 0, currency: 'EUR' } } } });
  // Only reads: the sale, no write.
  assert.deepEqual(sim.journal.entries.slice(before).map((e) => e.method), ['GET']);
  assert.equal(sim.payments().length, 1);
});

test('saleOutcome: nothing recorded (502) → unknown while a late commit may still show, then not-recorded; the retry pays once', async (t) => {
  const { adapter, sim, advance } = await start(t, {}, { unknownOutcomeWaitMs: 60_000 });
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]));
  sim.failNextPayment('fail-before-commit');
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown'));
  assert.deepEqual(await adapter.saleOutcome(input, {}), { state: 'unknown' });
  advance(61_000);
  assert.deepEqual(await adapter.saleOutcome(input, {}), { state: 'not-recorded' });
  await adapter.recordSale(input, {});
  assert.equal(sim.payments().length, 1);
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 1, 'the same sale is paid');
  assert.equal((await adapter.saleOutcome(input, {})).state, 'recorded');
});

test('saleOutcome: no settling call sent → not-recorded; no ledger entry, or an attempt running → unknown', async (t) => {
  const { adapter, sim } = await start(t, {}, { timeoutMs: 3000 });
  const leo = await adapter.identify(LEO, {});
  const refused = sale(leo, cart([{ offer: MONTHLY, price: 3990 }]));
  // Check refused the sale: it was created and filled, never settled.
  await assert.rejects(adapter.recordSale(refused, {}), problem('rejected'));
  assert.deepEqual(await adapter.saleOutcome(refused, {}), { state: 'not-recorded' });
  assert.deepEqual(await adapter.saleOutcome({ ...refused, reference: 'co-never-seen' }, {}), { state: 'unknown' });

  const camille = await adapter.identify(CAMILLE, {});
  const slow = sale(camille, cart([{ offer: TOWEL, price: 1200 }]), 'cash', 'co-slow');
  sim.failNextPayment('commit-then-hang', 400);
  const running = adapter.recordSale(slow, {});
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(await adapter.saleOutcome(slow, {}), { state: 'unknown' }, 'the attempt is still running');
  await running;
  assert.equal((await adapter.saleOutcome(slow, {})).state, 'recorded');
});

test('saleListsPayments false: an unknown payment is never settled as not recorded, nor paid again', async (t) => {
  const { adapter, sim, advance } = await start(t, {}, { saleListsPayments: false });
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]));
  sim.failNextPayment('fail-before-commit');
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown'));
  advance(3_600_000);
  assert.deepEqual(await adapter.saleOutcome(input, {}), { state: 'unknown' });
  await assert.rejects(adapter.recordSale(input, {}), problem('payment-outcome-unknown', (e) => assert.equal(e.retryable, false)));
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);
});

test('through the proxy: an unknown payment outcome settles on the next read, paid or open again', async (t) => {
  const { adapter, sim, advance } = await start(t);
  const { call, open, confirm } = throughProxy(adapter, { unknownOutcomeSettleMs: 0 });

  // Committed, reply lost: the next read finds the payment.
  const lost = await open('towel');
  sim.failNextPayment('commit-then-504');
  assert.equal((await confirm(lost, 'key-lost-1')).body.type, '/problems/payment-outcome-unknown');
  assert.equal((await call('GET', `/v1/checkouts/${lost}`)).body.status, 'paid');

  // Nothing recorded: unknown until a late commit would have shown; then, since the shop's PSP
  // already took the money, review — never open for a second PSP payment.
  const failed = await open('towel');
  sim.failNextPayment('fail-before-commit');
  assert.equal((await confirm(failed, 'key-failed-1')).status, 502);
  assert.equal((await call('GET', `/v1/checkouts/${failed}`)).body.status, 'outcome-unknown');
  advance(61_000);
  assert.equal((await call('GET', `/v1/checkouts/${failed}`)).body.status, 'review');
  assert.equal((await confirm(failed, 'key-failed-1')).status, 409, 'the shop settles it: nothing more is recorded here');
  assert.equal(sim.payments().length, 1, 'only the first checkout\'s payment');
});

test('a sale ledger that cannot be reached before the payment is upstream-unavailable, not unknown; after it, the receipt stands', async (t) => {
  const { sim, url } = await start(t);
  /** A ledger whose store fails on the writes of the given stages, or on every lease. */
  class FlakyLedger extends MemorySaleLedger {
    failing = new Set<string>();
    override async set(reference: string, entry: SaleLedgerEntry, lease?: string) {
      if (this.failing.has(entry.stage)) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return super.set(reference, entry, lease);
    }
    override withLease<T>(reference: string, waitMs: number, task: (lease: string) => Promise<T>) {
      return this.failing.has('lease') ? Promise.reject(new Error('Connection is closed.')) : super.withLease(reference, waitMs, task);
    }
  }
  const ledger = new FlakyLedger();
  const adapter = new ResamaniaAdapter(adapterOptions(url), { ledger });
  t.after(() => adapter.close());
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]), 'cash');

  ledger.failing = new Set(['lease']);
  await assert.rejects(adapter.recordSale(input, {}), problem('upstream-unavailable'));
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 0);
  ledger.failing = new Set(['settling']);
  await assert.rejects(adapter.recordSale(input, {}), problem('upstream-unavailable'));
  assert.equal(sim.journal.count('POST', PAYMENTS), 0, 'nothing sent without the ledger knowing');
  // After the payment, a ledger that fails does not turn a recorded payment into an error.
  ledger.failing = new Set(['settled']);
  assert.equal((await adapter.recordSale(input, {})).reference, 'co-1');
  assert.equal(sim.payments().length, 1);
  ledger.failing = new Set();
  await adapter.recordSale(input, {});
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);
});

test('concurrent recordSale calls for one checkout share one attempt', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  const input = sale(customer, cart([{ offer: TOWEL, price: 1200 }]));
  await Promise.all([adapter.recordSale(input, {}), adapter.recordSale(input, {}), adapter.recordSale(input, {})]);
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 1);
});

test('a price that changed upstream stops the sale before payment', async (t) => {
  const { adapter, sim } = await start(t);
  const customer = await adapter.identify(CAMILLE, {});
  // The catalog said 12.00 when the plan was made; the article is priced 15.00 when added.
  const original = adapter.catalog.bind(adapter);
  adapter.catalog = async (...args) => {
    const offers = await original(...args);
    sim.setPrice(TOWEL, 1500);
    return offers;
  };
  await assert.rejects(adapter.recordSale(sale(customer, cart([{ offer: TOWEL, price: 1200 }])), {}), problem('conflict'));
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);
});

test('token: fetched once for concurrent callers, reused, renewed before expiry and after a 401', async (t) => {
  const { adapter, sim, advance } = await start(t, { tokenTtlSeconds: 600 });
  await Promise.all([adapter.identify(CAMILLE, {}), adapter.identify(JULIEN, {}), adapter.identify(SOFIA, {})]);
  assert.equal(sim.tokensIssued(), 1);
  const token = sim.journal.entries.find((e) => e.path.endsWith('/oauth/v2/token'))!;
  assert.equal(typeof token.body, 'string', 'form-encoded, not JSON');
  assert.match(String(token.body), /grant_type=client_credentials/);

  await adapter.identify(CAMILLE, {});
  assert.equal(sim.tokensIssued(), 1, 'reused');
  advance(545_000); // inside the last minute of 10: renewed before it expires
  await adapter.identify(CAMILLE, {});
  assert.equal(sim.tokensIssued(), 2);

  sim.revokeTokens();
  const customer = await adapter.identify(CAMILLE, {});
  assert.equal(customer.name, 'Camille Martin');
  assert.equal(sim.tokensIssued(), 3);
  assert.equal(sim.journal.entries.filter((e) => e.status === 401).length, 1, 'one refused call, then a fresh token');
});

test('baseUrl up to the environment: every call under /{env}/{clientToken}/ (NOTES.md § Resamania gateway)', async (t) => {
  for (const form of ['/prod', '/prod/']) {
    const { sim, url } = await start(t);
    const adapter = new ResamaniaAdapter(adapterOptions(url, { baseUrl: `${url}${form}` }));
    t.after(() => adapter.close());
    await adapter.recordSale(sale(await adapter.identify(CAMILLE, {}), cart([{ offer: TOWEL, price: 1200 }])), {});
    assert.equal(sim.payments().length, 1, form);
    assert.ok(sim.journal.entries.every((e) => e.path.startsWith(`/prod/${CT}/`)), form);
  }
});

test('baseUrl with the client token segment: normalised, not doubled (NOTES.md § Resamania gateway)', async (t) => {
  for (const form of [`/prod/${CT}`, `/prod/${CT}/`]) {
    const { sim, url } = await start(t, { embedOffers: false, maxItemsPerPage: 2 });
    const adapter = new ResamaniaAdapter(adapterOptions(url, { baseUrl: `${url}${form}` }));
    t.after(() => adapter.close());
    const customer = await adapter.identify(CAMILLE, {});
    // Hydra page links and offer lookups are IRIs (`/{clientToken}/…`): resolved under the environment too.
    assert.ok((await adapter.catalog(customer, {}, { date: '2030-03-15' })).length > 2, form);
    assert.equal(sim.journal.count('GET', `/prod/${CT}/products`), 3, form);
    await adapter.recordSale(sale(customer, cart([{ offer: TOWEL, price: 1200 }])), {});
    assert.equal(sim.payments().length, 1, form);
    assert.deepEqual(sim.journal.entries.filter((e) => !e.path.startsWith(`/prod/${CT}/`)).map((e) => e.path), [], form);
  }
});

test('bad credentials: upstream-unavailable, without the secret in the message', async (t) => {
  const { adapter } = await start(t, {}, { clientSecret: 'wrong-secret-value' });
  await assert.rejects(adapter.identify(CAMILLE, {}), problem('upstream-unavailable', (e) => {
    assert.equal(e.retryable, false);
    assert.doesNotMatch(e.message, /wrong-secret-value/);
  }));
});

test('options: bare club id becomes an IRI; a currency without cents is refused', () => {
  const base = { provider: 'resamania', baseUrl: 'https://gw.example.test/prod', clientToken: CT, clientId: 'a', clientSecret: 'b', apiKey: 'c', clubId: '1', clubCode: 'X' };
  assert.equal(ResamaniaOptions.parse(base).paymentMean.card, 'card');
  assert.equal(ResamaniaOptions.safeParse({ ...base, currency: 'JPY' }).success, false);
  assert.equal(ResamaniaOptions.safeParse({ ...base, clubId: 'club-1' }).success, false);
  // The club code opens every sale and goes with every payment (:121-124, :260-264): required, and said so.
  for (const clubCode of [undefined, ' ']) {
    const parsed = ResamaniaOptions.safeParse({ ...base, clubCode });
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues[0]!.message, /club code \(clubCode/);
  }
});

test('simulator: gateway key, bearer and club header are required; bare ids get 404; both tag spellings work', async (t) => {
  const { sim, url } = await start(t);
  const api = `${url}/prod/${CT}`;
  const tokenReply = await fetch(`${api}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'x-gravitee-api-key': RESAMANIA_DEMO.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: RESAMANIA_DEMO.clientId, client_secret: RESAMANIA_DEMO.clientSecret }),
  });
  const { access_token } = (await tokenReply.json()) as { access_token: string };
  const headers = { 'x-gravitee-api-key': RESAMANIA_DEMO.apiKey, authorization: `Bearer ${access_token}`, 'x-user-club-id': RESAMANIA_DEMO.clubId };
  const get = (path: string, h: Record<string, string> = headers) => fetch(`${api}${path}`, { headers: h });

  assert.equal((await get('/contacts/1001', { ...headers, 'x-gravitee-api-key': 'nope' })).status, 401);
  assert.equal((await get('/contacts/1001', { ...headers, authorization: 'Bearer forged' })).status, 401);
  assert.equal((await get('/contacts/1001', { ...headers, 'x-user-club-id': '1' })).status, 403);
  assert.equal((await get('/contacts/1001')).status, 200);

  const created = await fetch(`${api}/sales`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ contactId: '1001', clubId: RESAMANIA_DEMO.clubId, clubCode: 'LIL01' }) });
  assert.equal(created.status, 404, 'a bare numeric id is not an IRI');

  const names = async (query: string) => ((await (await get(`/products?${query}`)).json()) as { 'hydra:member': Array<{ name: string }> })['hydra:member'].map((p) => p.name);
  const plural = await names('context[contactTags][]=vip');
  const singular = await names('context[contactTag]=vip');
  const singularList = await names('context[contactTag][]=vip');
  assert.ok(plural.includes('Coaching VIP'));
  assert.deepEqual(singular, plural);
  assert.deepEqual(singularList, plural);
  assert.ok(!(await names('context[contactTags][]=etudiant')).includes('Coaching VIP'));

  // Check on an empty sale: 400 with only a hydra:description.
  const empty = await fetch(`${api}/sales`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ contactId: `/${CT}/contacts/1001`, contactFamilyName: 'Martin', contactGivenName: 'Camille', contactNumber: '4110012692', clubId: RESAMANIA_DEMO.clubId, clubCode: 'LIL01' }) });
  const saleIri = ((await empty.json()) as { '@id': string })['@id'];
  const check = await fetch(`${url}/prod${saleIri}/check`, { headers });
  assert.equal(check.status, 400);
  assert.equal(((await check.json()) as { 'hydra:description': string })['hydra:description'], 'The sale contains no article.');
  assert.equal((await fetch(`${url}/prod/${CT}/sales/999999999/check`, { headers })).status, 404);

  // Every payments call records a payment: a second one on a settled sale is an overpayment.
  const pay = () =>
    fetch(`${url}/prod${saleIri}/payments`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ contactId: `/${CT}/contacts/1001`, contactFamilyName: 'Martin', contactGivenName: 'Camille', contactNumber: '4110012692', amount: 1200, mean: 'cash', clubId: RESAMANIA_DEMO.clubId, clubCode: 'LIL01', checkout: `/${CT}/checkouts/12` }),
    });
  await fetch(`${url}/prod${saleIri}/articles`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ offerId: offer(TOWEL) }) });
  assert.equal((await pay()).status, 201);
  assert.equal(sim.account(1001)?.credit, 0, 'the first payment settles the sale');
  assert.equal((await pay()).status, 201);
  assert.equal(sim.account(1001)?.credit, 1200, 'the second one is an overpayment');
  assert.equal(sim.payments().length, 2);
});

test('through the proxy: one payment for a repeated Idempotency-Key and for a new one; debt refused', async (t) => {
  const { adapter, sim } = await start(t);
  const { call, create } = throughProxy(adapter);

  const checkout = await create('membership');
  const found = await call('POST', `/v1/checkouts/${checkout}/customer`, { query: CAMILLE });
  assert.equal(found.status, 200);
  assert.equal(found.body.amountDue.amount, 3990);
  const first = await call('POST', `/v1/checkouts/${checkout}/payments`, { method: 'card' }, 'pay-key-0001');
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.status, 'paid');
  const replay = await call('POST', `/v1/checkouts/${checkout}/payments`, { method: 'card' }, 'pay-key-0001');
  assert.equal(replay.status, 201);
  const another = await call('POST', `/v1/checkouts/${checkout}/payments`, { method: 'card' }, 'pay-key-0002');
  assert.equal(another.status, 409);
  assert.equal(sim.journal.count('POST', PAYMENTS), 1);

  const debtor = await create('towel');
  const julien = await call('POST', `/v1/checkouts/${debtor}/customer`, { query: JULIEN });
  assert.deepEqual(julien.body.customer.debt, { amount: 4500, currency: 'EUR' });
  const refused = await call('POST', `/v1/checkouts/${debtor}/payments`, { method: 'cash' }, 'pay-key-0003');
  assert.equal(refused.status, 409);
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), 1, 'no sale opened for the contact in debt');
});

test('POS: a cheque with its bank and number, and a card network, reach the payments call through the proxy', async (t) => {
  const { adapter, sim } = await start(t);
  const through = throughProxy(adapter);
  const { open } = through;
  const call = (path: string, body: unknown, key?: string) => through.call('POST', path, body, key);

  const first = await open('membership');
  // Strict: an unknown field or an empty detail is refused before anything is sent.
  assert.equal((await call(`/v1/checkouts/${first}/payments`, { method: 'cheque', cheque: { bank: 'BNP', iban: 'x' } }, 'pos-key-0000')).status, 400);
  assert.equal((await call(`/v1/checkouts/${first}/payments`, { method: 'cheque', cheque: { bank: '' } }, 'pos-key-0000')).status, 400);
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);

  const paid = await call(`/v1/checkouts/${first}/payments`, { method: 'cheque', cheque: { bank: 'Crédit Agricole', number: '0012345' } }, 'pos-key-0001');
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  assert.equal(paid.body.receipt.method, 'cheque');
  const cheque = sim.journal.entries.find((e) => PAYMENTS.test(e.path))!.body as { mean: string; cheques: Array<Record<string, unknown>> };
  assert.equal(cheque.mean, 'cheque');
  // The cheque number is `cheques[][code]` (resamania-sale-to-existing-customer.txt:289 and :342).
  assert.deepEqual(
    { amount: cheque.cheques[0]!.amount, bank: cheque.cheques[0]!.bank, code: cheque.cheques[0]!.code },
    { amount: 3990, bank: 'Crédit Agricole', code: '0012345' },
  );
  assert.equal('number' in cheque.cheques[0]!, false, 'no undocumented field');
  assert.equal(sim.payments()[0]!.cheques?.[0]?.code, '0012345', 'the club keeps the cheque number');

  const second = await open('towel');
  const card = await call(`/v1/checkouts/${second}/payments`, { method: 'card', cardNetwork: 'AmEx' }, 'pos-key-0002');
  assert.equal(card.status, 201, JSON.stringify(card.body));
  const cardBody = sim.journal.entries.filter((e) => PAYMENTS.test(e.path)).at(-1)!.body as { paymentCards: unknown };
  assert.deepEqual(cardBody.paymentCards, [{ amount: 1200, network: 'AmEx' }]);
});

test('through the proxy: a sale the club refuses at check is refused when the page asks for payment, before the PSP takes anything; a good one is prepared once and paid once', async (t) => {
  const { adapter, sim } = await start(t);
  const { call, create, confirm } = throughProxy(adapter);
  // Léo (13) and the 16+ monthly membership: the club's check refuses it (:139-234: 400 shown, no payment attempted).
  const refused = await create('membership');
  assert.equal((await call('POST', `/v1/checkouts/${refused}/customer`, { query: LEO })).status, 200);
  const asked = await call('POST', `/v1/checkouts/${refused}/payment-request`, { amount: 3990 });
  assert.equal(asked.status, 422, JSON.stringify(asked.body));
  assert.equal(asked.body.type, '/problems/rejected');
  assert.equal((await call('GET', `/v1/checkouts/${refused}`)).body.status, 'open', 'no payment asked of the PSP');
  assert.equal(sim.journal.count('POST', PAYMENTS), 0);

  // Camille: the sale is prepared (created, articles, check) when the page asks, then paid once when the shop confirms.
  const good = await create('membership');
  await call('POST', `/v1/checkouts/${good}/customer`, { query: CAMILLE });
  const requested = await call('POST', `/v1/checkouts/${good}/payment-request`, { amount: 3990 });
  assert.equal(requested.status, 200, JSON.stringify(requested.body));
  assert.equal(requested.body.status, 'awaiting-payment');
  const sales = sim.journal.count('POST', `/prod/${CT}/sales`);
  const paid = await confirm(good, 'psp-prepared-1');
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  assert.equal(sim.journal.count('POST', `/prod/${CT}/sales`), sales, 'the prepared sale is the one paid');
  assert.equal(sim.payments().length, 1);
  assert.equal(sim.payments()[0]!.mean, 'CBWeb');
});
