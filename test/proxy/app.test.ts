import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startProxy, type RunningProxy } from '../support/start-proxy.js';

/** The proxy's HTTP contract, with the ru-loyalty simulator behind it, all over real HTTP. */
const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
let proxy: RunningProxy;
let base: string;
const ORIGIN = 'https://shop.example';
const RETAIL = '/integration/general/retail';

before(async () => {
  upstream = await listen(simulator.app);
  proxy = await startProxy({
    allowedOrigins: [ORIGIN],
    loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
    carts: { c1: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] } },
    lookupRateLimit: { perClient: 100, perCheckout: 5, windowMs: 60_000 },
  });
  base = proxy.base;
});
after(async () => {
  await proxy.close();
  await upstream.close();
});
beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function checkoutWithCustomer(query = '2000000000018') {
  const created = await call('POST', '/checkouts', { cartId: 'c1' });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  assert.equal((await call('POST', `/checkouts/${id}/customer`, { query })).status, 200);
  return id;
}

test('the browser names a cart and gets the server\'s amounts; a price in the body is ignored', async () => {
  const created = await call('POST', '/checkouts', { cartId: 'c1', total: 1 });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.cart.total, { amount: 100000, currency: 'RUB' });
  assert.deepEqual(created.body.amountDue, { amount: 100000, currency: 'RUB' });
});

test('bad input is a 400 problem with field errors, never a 500', async () => {
  for (const [method, path, body] of [
    ['POST', '/checkouts', {}],
    ['POST', '/checkouts', { cartId: '../../etc' }],
    ['POST', '/checkouts', '{not json'],
    ['POST', '/checkouts', [1, 2]],
  ] as const) {
    const reply = await call(method, path, body);
    assert.equal(reply.status, 400, JSON.stringify(body));
    assert.equal(reply.headers.get('content-type'), 'application/problem+json');
    assert.equal(reply.body.type, '/problems/validation');
  }
  const id = await checkoutWithCustomer();
  const badSpend = await call('PUT', `/checkouts/${id}/spend`, { amount: 12.5 });
  assert.equal(badSpend.status, 400);
  assert.equal(badSpend.body.errors[0].field, 'amount');
  const offStep = await call('PUT', `/checkouts/${id}/spend`, { amount: 150 });
  assert.equal(offStep.status, 400, 'not a whole point');
  assert.equal((await call('POST', '/checkouts', 'x', { 'content-type': 'text/plain' })).status, 415);
  assert.equal((await call('GET', '/checkouts/nope')).status, 404);
  assert.equal((await call('GET', '/nowhere')).status, 404);
});

test('an unknown cart is a 404 on the cartId field', async () => {
  const reply = await call('POST', '/checkouts', { cartId: 'missing' });
  assert.equal(reply.status, 404);
  assert.equal(reply.body.errors[0].field, 'cartId');
});

test('payment requires an Idempotency-Key', async () => {
  const id = await checkoutWithCustomer();
  const reply = await call('POST', `/checkouts/${id}/payments`, { method: 'card' });
  assert.equal(reply.status, 400);
  assert.equal(reply.body.errors[0].field, 'Idempotency-Key');
  assert.equal(simulator.journal.count('POST', RETAIL), 0);
});

test('same key + same request replays the first response; key order does not matter; one retail', async () => {
  const id = await checkoutWithCustomer();
  const key = { 'Idempotency-Key': `pay-${id}` };
  const first = await call('POST', `/checkouts/${id}/payments`, { method: 'card' }, key);
  assert.equal(first.status, 201);
  const again = await call('POST', `/checkouts/${id}/payments`, '{ "method" : "card" }', key);
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotency-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
});

test('same key + different request is a 422, with no upstream call', async () => {
  const id = await checkoutWithCustomer();
  const key = { 'Idempotency-Key': `mismatch-${id}` };
  await call('POST', `/checkouts/${id}/payments`, { method: 'card' }, key);
  const other = await call('POST', `/checkouts/${id}/payments`, { method: 'cash' }, key);
  assert.equal(other.status, 422);
  assert.equal(other.body.type, '/problems/idempotency-mismatch');
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
});

test('20 concurrent payments with one key, and 5 with different keys, make one retail operation', async () => {
  const id = await checkoutWithCustomer();
  const sameKey = Array.from({ length: 20 }, () => call('POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `burst-${id}` }));
  const otherKeys = Array.from({ length: 5 }, (_, i) => call('POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `other-${i}-${id}` }));
  const replies = await Promise.all([...sameKey, ...otherKeys]);
  assert.ok(replies.slice(0, 20).every((r) => r.status === 201), 'every same-key request gets the one result');
  assert.ok(replies.slice(20).every((r) => r.status === 201 || r.status === 409), 'other keys see the checkout already paid');
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
});

test('a paid checkout refuses changes (409) and a new key cannot pay it again', async () => {
  const id = await checkoutWithCustomer();
  await call('POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `a-${id}` });
  const second = await call('POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `b-${id}` });
  assert.equal(second.status, 409);
  assert.equal((await call('PUT', `/checkouts/${id}/spend`, { amount: 100 })).status, 409);
  assert.equal(simulator.journal.count('POST', RETAIL), 1);
  const read = await call('GET', `/checkouts/${id}`);
  assert.equal(read.body.status, 'paid');
  assert.equal(read.body.receipt.reference, `co-${id}`);
});

test('choosing points holds them; clearing the customer releases the hold', async () => {
  const id = await checkoutWithCustomer();
  const spent = await call('PUT', `/checkouts/${id}/spend`, { amount: 20000 });
  assert.equal(spent.status, 200);
  assert.equal(spent.body.loyalty.hold.amount.points, 200);
  assert.equal(spent.body.amountDue.amount, 80000);
  assert.equal(simulator.holds().length, 1);
  const cleared = await call('DELETE', `/checkouts/${id}/customer`);
  assert.equal(cleared.body.customer, null);
  assert.equal(cleared.body.amountDue.amount, 100000);
  assert.equal(simulator.holds().length, 0);
});

test('the lookup reply holds only masked data', async () => {
  const created = await call('POST', '/checkouts', { cartId: 'c1' });
  const reply = await call('POST', `/checkouts/${created.body.id}/customer`, { query: '+79201234567' });
  assert.deepEqual(reply.body.customer, { displayName: 'Ив** П.', maskedPhone: '•••• 67' });
  const text = JSON.stringify(reply.body);
  for (const secret of ['79201234567', 'Петров', '1990-03-29', 'hidden@example.test', 'photo', '62a000000000000000000001']) assert.ok(!text.includes(secret), secret);
});

test('lookups are rate-limited per checkout with 429 and Retry-After', async () => {
  const created = await call('POST', '/checkouts', { cartId: 'c1' });
  let last;
  for (let i = 0; i < 6; i++) last = await call('POST', `/checkouts/${created.body.id}/customer`, { query: `00000${i}0` });
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
});

test('CORS: an allowed origin is echoed exactly, another gets nothing and cannot change state', async () => {
  const allowed = await fetch(`${base}/capabilities`, { headers: { origin: ORIGIN } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
  const foreign = await fetch(`${base}/capabilities`, { headers: { origin: 'https://evil.example' } });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  const write = await call('POST', '/checkouts', { cartId: 'c1' }, { origin: 'https://evil.example' });
  assert.equal(write.status, 403);
  const preflight = await fetch(`${base}/checkouts/x/payments`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' } });
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/i);
});

test('a body over the limit is a 413 problem', async () => {
  const reply = await call('POST', '/checkouts', { cartId: 'c1', padding: 'x'.repeat(20_000) });
  assert.equal(reply.status, 413);
  assert.equal(reply.body.type, '/problems/validation');
});

test('capabilities describe the configured provider', async () => {
  const reply = await call('GET', '/capabilities');
  assert.equal(reply.body.loyalty.provider, 'ru-loyalty');
  assert.equal(reply.body.loyalty.hold, true);
  assert.equal(reply.body.instalments, null);
});
