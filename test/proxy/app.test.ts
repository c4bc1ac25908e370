import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startProxy, type RunningProxy, type TestCheckout } from '../support/start-proxy.js';

/** The proxy's HTTP contract, with the ru-loyalty simulator behind it, all over real HTTP. */
const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
let proxy: RunningProxy;
const ORIGIN = 'https://shop.example';
const RETAIL = '/integration/general/retail';
const CART = { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] };

before(async () => {
  upstream = await listen(simulator.app);
  proxy = await startProxy({
    allowedOrigins: [ORIGIN],
    loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
    carts: { c1: CART },
    lookupRateLimit: { perClient: 100, perCheckout: 5, windowMs: 60_000 },
  });
});
after(async () => {
  await proxy.close();
  await upstream.close();
});
beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

/** A checkout the shop's server created for Ivan, whom it vouches for (he may spend points). */
async function vouchedCheckout(extra: Record<string, unknown> = {}): Promise<TestCheckout> {
  return proxy.checkout({ cart: CART, customer: { query: '2000000000018' }, ...extra });
}

/** The shop's server confirms what its PSP took for this checkout. */
const confirm = (checkout: TestCheckout, amount: number, key = `psp-${checkout.id}`) =>
  proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount, currency: 'RUB' }, pspReference: `psp_${key}` }, { 'Idempotency-Key': key });

test('the shop\'s server pushes its cart; the page reads the server\'s amounts with its client secret', async () => {
  const created = await proxy.server('POST', '/checkouts', { cart: CART, reference: 'order-1001', metadata: { orderId: '1001' } });
  assert.equal(created.status, 201);
  assert.match(created.body.clientSecret, new RegExp(`^${created.body.checkout.id}_secret_[A-Za-z0-9_-]{32}$`));
  assert.deepEqual(created.body.checkout.cart.total, { amount: 100000, currency: 'RUB' });
  assert.deepEqual(created.body.checkout.metadata, { orderId: '1001' });
  const read = await proxy.call('GET', `/checkouts/${created.body.checkout.id}`, undefined, { authorization: `Bearer ${created.body.clientSecret}` });
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.amountDue, { amount: 100000, currency: 'RUB' });
});

test('a cart can also be named by id (a cart source) — an unknown one is a 404 on cartId', async () => {
  const byId = await proxy.checkout({ cartId: 'c1' });
  assert.equal((await byId.page('GET', '')).body.cart.total.amount, 100000);
  const missing = await proxy.server('POST', '/checkouts', { cartId: 'missing' });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.errors[0].field, 'cartId');
  const both = await proxy.server('POST', '/checkouts', { cartId: 'c1', cart: CART });
  assert.equal(both.status, 400);
});

test('bad input is a 400 problem with field errors, never a 500', async () => {
  for (const body of [{}, { cart: { currency: 'rub', lines: [] } }, { cart: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1.5, unitPrice: 1 }] } }, { cartId: '../../etc' }, '{not json', [1, 2], { cartId: 'c1', total: 1 }]) {
    const reply = await proxy.server('POST', '/checkouts', body);
    assert.equal(reply.status, 400, JSON.stringify(body));
    assert.equal(reply.headers.get('content-type'), 'application/problem+json');
    assert.equal(reply.body.type, '/problems/validation');
  }
  const checkout = await vouchedCheckout();
  const badSpend = await checkout.page('PUT', '/spend', { amount: 12.5 });
  assert.equal(badSpend.status, 400);
  assert.equal(badSpend.body.errors[0].field, 'amount');
  const offStep = await checkout.page('PUT', '/spend', { amount: 150 });
  assert.equal(offStep.status, 400, 'not a whole point');
  assert.equal((await proxy.server('POST', '/checkouts', 'x', { 'content-type': 'text/plain' })).status, 415);
  assert.equal((await proxy.call('GET', '/nowhere')).status, 404);
});

test('the browser cannot create a checkout: the old page route is gone', async () => {
  const reply = await proxy.call('POST', '/checkouts', { cartId: 'c1' });
  assert.equal(reply.status, 404);
});

test('an external payment needs an Idempotency-Key', async () => {
  const checkout = await vouchedCheckout();
  const reply = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'psp_1' });
  assert.equal(reply.status, 400);
  assert.equal(reply.body.errors[0].field, 'Idempotency-Key');
  assert.equal(simulator.journal.count('POST', RETAIL), 0);
});

test('same key + same request replays the first response; key order does not matter; one retail', async () => {
  const checkout = await vouchedCheckout();
  const first = await confirm(checkout, 100000);
  assert.equal(first.status, 201);
  assert.equal(first.body.status, 'paid');
  assert.equal(first.body.pspReference, `psp_psp-${checkout.id}`);
  const again = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, `{ "pspReference": "psp_psp-${checkout.id}", "amount": { "currency": "RUB", "amount": 100000 }, "method": "external" }`, { 'Idempotency-Key': `psp-${checkout.id}` });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotency-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
});

test('same key + different request is a 422, with no upstream call', async () => {
  const checkout = await vouchedCheckout();
  await confirm(checkout, 100000, `mismatch-${checkout.id}`);
  const other = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'another' }, { 'Idempotency-Key': `mismatch-${checkout.id}` });
  assert.equal(other.status, 422);
  assert.equal(other.body.type, '/problems/idempotency-mismatch');
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
});

test('20 concurrent confirmations with one key, and 5 with different keys, make one retail operation', async () => {
  const checkout = await vouchedCheckout();
  const sameKey = Array.from({ length: 20 }, () => confirm(checkout, 100000, `burst-${checkout.id}`));
  const otherKeys = Array.from({ length: 5 }, (_, i) => confirm(checkout, 100000, `other-${i}-${checkout.id}`));
  const replies = await Promise.all([...sameKey, ...otherKeys]);
  assert.ok(replies.slice(0, 20).every((r) => r.status === 201), 'every same-key request gets the one result');
  assert.ok(replies.slice(20).every((r) => r.status === 201 || r.status === 409), 'other keys see the checkout already paid');
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
});

test('a paid checkout refuses changes (409) and a new key cannot pay it again', async () => {
  const checkout = await vouchedCheckout();
  await confirm(checkout, 100000, `a-${checkout.id}`);
  const second = await confirm(checkout, 100000, `b-${checkout.id}`);
  assert.equal(second.status, 409);
  assert.equal((await checkout.page('PUT', '/spend', { amount: 100 })).status, 409);
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
  const read = await checkout.page('GET', '');
  assert.equal(read.body.status, 'paid');
  assert.equal(read.body.receipt.reference, `co-${checkout.id}`);
  assert.equal(read.body.receipt.method, 'external');
});

test('choosing points (vouched customer) holds them; clearing the customer releases the hold', async () => {
  const checkout = await vouchedCheckout();
  const spent = await checkout.page('PUT', '/spend', { amount: 20000 });
  assert.equal(spent.status, 200, JSON.stringify(spent.body));
  assert.equal(spent.body.loyalty.hold.amount.points, 200);
  assert.equal(spent.body.amountDue.amount, 80000);
  assert.equal(simulator.holds().length, 1);
  const cleared = await checkout.page('DELETE', '/customer');
  assert.equal(cleared.body.customer, null);
  assert.equal(cleared.body.amountDue.amount, 100000);
  assert.equal(simulator.holds().length, 0);
});

test('the lookup reply holds only masked data, and no amount about an unverified account', async () => {
  const checkout = await proxy.checkout({ cart: CART });
  const reply = await checkout.page('POST', '/customer', { query: '+79201234567' });
  assert.deepEqual(reply.body.customer, { displayName: 'Ив** П.', maskedPhone: '•••• 67', verified: false });
  assert.equal(reply.body.loyalty.balance, undefined);
  assert.equal(reply.body.loyalty.spendable.max.amount, 0);
  const text = JSON.stringify({ ...reply.body, id: '', cart: '' });
  // Ivan's balance is 878 points (87,800 kopecks): neither figure leaves the proxy.
  for (const secret of ['79201234567', 'Петров', '1990-03-29', 'hidden@example.test', 'photo', '62a000000000000000000001', '878', '"balance"']) assert.ok(!text.includes(secret), secret);
});

test('lookups are rate-limited per checkout with 429 and Retry-After', async () => {
  const checkout = await proxy.checkout({ cart: CART });
  let last;
  for (let i = 0; i < 6; i++) last = await checkout.page('POST', '/customer', { query: `00000${i}0` });
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
});

test('CORS: the page API echoes an allowed origin exactly; the server API sends no CORS headers; a foreign origin cannot change state', async () => {
  const allowed = await fetch(`${proxy.base}/capabilities`, { headers: { origin: ORIGIN } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
  const foreign = await fetch(`${proxy.base}/capabilities`, { headers: { origin: 'https://evil.example' } });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  const checkout = await proxy.checkout({ cart: CART });
  const write = await checkout.page('POST', '/customer', { query: '2000000000018' }, { origin: 'https://evil.example' });
  assert.equal(write.status, 403);
  const preflight = await fetch(`${proxy.base}/checkouts/x/payments`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key,authorization' } });
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/i);
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
  const serverPreflight = await fetch(`${proxy.base}/server/checkouts`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
  assert.equal(serverPreflight.headers.get('access-control-allow-origin'), null);
});

test('CORS headers are on every page reply, a problem too, so the page can read it', async () => {
  const checkout = await proxy.checkout({ cart: CART });
  const ok = await checkout.page('GET', '', undefined, { origin: ORIGIN });
  const problem = await proxy.call('PUT', `/checkouts/${checkout.id}/spend`, { amount: 0 }, { origin: ORIGIN, authorization: 'Bearer wrong' });
  assert.equal(ok.status, 200);
  assert.equal(problem.status, 401);
  for (const reply of [ok, problem]) {
    assert.equal(reply.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(reply.headers.get('access-control-expose-headers'), 'Idempotency-Replayed,Retry-After');
    assert.equal(reply.headers.get('vary'), 'Origin');
  }
  assert.equal(problem.headers.get('content-type'), 'application/problem+json');
  const foreign = await checkout.page('GET', '', undefined, { origin: 'https://evil.example' });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  assert.equal(foreign.headers.get('vary'), 'Origin');
});

test('a body over the limit is a 413 problem', async () => {
  const reply = await proxy.server('POST', '/checkouts', { cartId: 'c1', padding: 'x'.repeat(20_000) });
  assert.equal(reply.status, 413);
  assert.equal(reply.body.type, '/problems/validation');
});

test('capabilities describe the configured provider', async () => {
  const reply = await proxy.call('GET', '/capabilities');
  assert.equal(reply.body.loyalty.provider, 'ru-loyalty');
  assert.equal(reply.body.loyalty.hold, true);
  assert.equal(reply.body.loyalty.proof, 'none');
  assert.equal(reply.body.loyalty.customerRequired, false);
  assert.equal(reply.body.instalments, null);
});
