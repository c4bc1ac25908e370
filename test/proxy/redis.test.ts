import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { buildCart, MemoryCartSource } from '../../src/proxy/carts.js';
import { CheckoutService } from '../../src/proxy/checkout-service.js';
import type { CheckoutRecord } from '../../src/proxy/checkouts.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { RedisIdempotencyStore } from '../../src/proxy/idempotency/redis.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { RuLoyaltyAdapter, RuLoyaltyOptions } from '../../src/proxy/providers/ru-loyalty/adapter.js';
import { RedisCheckoutStore } from '../../src/proxy/stores/redis.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startRedis, type RunningRedis } from '../support/redis.js';

/**
 * Several proxy instances sharing one real `redis-server` (started here on a free port) and
 * one ru-loyalty simulator: money moves once whatever the instance, the concurrency or the
 * failure.
 */
const RETAIL = '/integration/general/retail';
const IVAN = '62a000000000000000000001';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redisServer: RunningRedis;
const clients: Redis[] = [];
const connect = () => {
  const client = new Redis(redisServer.url);
  clients.push(client);
  return client;
};

before(async () => {
  redisServer = await startRedis();
});
after(async () => {
  for (const client of clients) await client.quit();
  await redisServer.stop();
});

describe('Redis idempotency store', () => {
  test('one claim among concurrent begins from two instances; a different fingerprint is a mismatch', async () => {
    const [a, b] = [new RedisIdempotencyStore(connect()), new RedisIdempotencyStore(connect())];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).begin('k-concurrent', 'fp1', 60_000)));
    assert.equal(results.filter((r) => r.state === 'started').length, 1);
    assert.equal(results.filter((r) => r.state === 'in-progress').length, 39);
    assert.equal((await a.begin('k-concurrent', 'fp2', 60_000)).state, 'mismatch');
  });

  test('the in-progress lock expires on its own; the result is kept for the retention, not the lock', async () => {
    const redis = connect();
    const store = new RedisIdempotencyStore(redis);
    const first = await store.begin('k-expiry', 'fp', 200);
    assert.equal(first.state, 'started');
    const lockTtl = await redis.pttl('checkout:idempotency:k-expiry');
    assert.ok(lockTtl > 0 && lockTtl <= 200, `lock ttl ${lockTtl}`);
    assert.equal((await store.begin('k-expiry', 'fp', 200)).state, 'in-progress');
    await sleep(300);
    // A crashed instance's claim has lapsed: another request takes the key over.
    const second = await store.begin('k-expiry', 'fp', 60_000);
    assert.equal(second.state, 'started');
    if (first.state !== 'started' || second.state !== 'started') return;
    // The lapsed claim's late result does not overwrite the new owner's.
    await store.complete('k-expiry', first.claim, { status: 500, headers: {}, body: 'late' }, 24 * 3600_000);
    await store.complete('k-expiry', second.claim, { status: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }, 24 * 3600_000);
    const replay = await store.begin('k-expiry', 'fp', 200);
    assert.equal(replay.state, 'done');
    if (replay.state === 'done') assert.deepEqual(replay.response, { status: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    const retention = await redis.pttl('checkout:idempotency:k-expiry');
    assert.ok(retention > 23 * 3600_000, `retention ${retention}`);
  });

  test('a released key runs again with the same request and still refuses another one', async () => {
    const store = new RedisIdempotencyStore(connect());
    const claim = await store.begin('k-release', 'fp', 60_000);
    assert.equal(claim.state, 'started');
    if (claim.state !== 'started') return;
    await store.release('k-release', claim.claim, 60_000);
    assert.equal((await store.begin('k-release', 'other', 60_000)).state, 'mismatch');
    assert.equal((await store.begin('k-release', 'fp', 60_000)).state, 'started');
  });
});

describe('Redis checkout store', () => {
  const record = (id: string): CheckoutRecord => ({ id, cartId: 'c1', status: 'open', spend: 0, createdAt: Date.now() });

  test('records round-trip and expire with the checkout', async () => {
    const redis = connect();
    const store = new RedisCheckoutStore(redis, { ttlMs: 60_000 });
    assert.equal(await store.get('none'), undefined);
    await store.save({ ...record('r1'), spend: 500, hold: { amount: { value: { amount: 500, currency: 'RUB' }, points: 5 }, expiresAt: 'x' } });
    assert.equal((await store.get('r1'))?.hold?.amount.points, 5);
    const ttl = await redis.pttl('checkout:record:r1');
    assert.ok(ttl > 50_000 && ttl <= 60_000, `ttl ${ttl}`);
  });

  test('the lock excludes tasks across instances; read-modify-write loses nothing', async () => {
    const stores = [new RedisCheckoutStore(connect()), new RedisCheckoutStore(connect())];
    await stores[0]!.save(record('counter'));
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stores[i % 2]!.withLock('counter', async () => {
          most = Math.max(most, ++inside);
          const current = (await stores[i % 2]!.get('counter'))!;
          await sleep(5);
          await stores[i % 2]!.save({ ...current, spend: current.spend + 1 });
          inside--;
        }),
      ),
    );
    assert.equal(most, 1);
    assert.equal((await stores[0]!.get('counter'))?.spend, 20);
  });

  test('the lock is renewed while held, released by token only, and a dead holder\'s lock lapses', async () => {
    const redis = connect();
    const a = new RedisCheckoutStore(redis, { lockTtlMs: 150 });
    const b = new RedisCheckoutStore(connect(), { lockTtlMs: 150 });
    const order: string[] = [];
    // A outlives its lock's TTL three times over; the renewal keeps B out until A ends.
    const slow = a.withLock('renew', async () => {
      order.push('a-start');
      await sleep(500);
      order.push('a-end');
    });
    await sleep(30);
    await b.withLock('renew', async () => void order.push('b'));
    await slow;
    assert.deepEqual(order, ['a-start', 'a-end', 'b']);

    // Someone else's lock (A's lapsed and was taken): A's release must leave it alone.
    await a.withLock('token', async () => {
      await redis.set('checkout:lock:token', 'someone-else', 'PX', 10_000);
    });
    assert.equal(await redis.get('checkout:lock:token'), 'someone-else');

    // A crashed instance's lock (never released) lapses after its TTL; then B gets in.
    await redis.set('checkout:lock:crashed', 'dead-instance', 'PX', 200);
    const started = Date.now();
    await b.withLock('crashed', async () => undefined);
    assert.ok(Date.now() - started >= 150, 'waited for the dead lock to lapse');

    // A live foreign lock held too long: a 409 the caller may retry, never a stuck request.
    const impatient = new RedisCheckoutStore(redis, { lockWaitMs: 100 });
    await assert.rejects(impatient.withLock('token', async () => undefined), (e: ProblemError) => e.kind === 'conflict' && e.retryable && e.status === 409);
  });
});

describe('two proxy instances sharing Redis', () => {
  const simulator = createRuLoyaltySimulator();
  let upstream: RunningServer;
  const proxies: Array<{ server: RunningServer; close: () => Promise<void>; base: string }> = [];

  before(async () => {
    upstream = await listen(simulator.app);
    for (let i = 0; i < 2; i++) {
      const proxy = createProxyFromConfig(
        parseConfig(
          {
            loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
            carts: { c1: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] } },
            redis: { url: redisServer.url },
            lookupRateLimit: { perClient: 1000, perCheckout: 1000, windowMs: 60_000 },
          },
          {},
        ),
        { log: () => {} },
      );
      const server = await listen(proxy.app);
      proxies.push({ server, close: proxy.close, base: `${server.url}/checkout-api/v1` });
    }
  });
  after(async () => {
    for (const proxy of proxies) {
      await proxy.server.close();
      await proxy.close();
    }
    await upstream.close();
  });
  beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

  async function call(instance: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(proxies[instance]!.base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** A checkout made on instance 0, with Ivan (878 points, 10 % cashback) identified on instance 1. */
  async function checkoutWithIvan() {
    const created = await call(0, 'POST', '/checkouts', { cartId: 'c1' });
    assert.equal(created.status, 201);
    const identified = await call(1, 'POST', `/checkouts/${created.body.id}/customer`, { query: '2000000000018' });
    assert.equal(identified.status, 200, JSON.stringify(identified.body));
    return created.body.id as string;
  }

  test('a checkout made on one instance is read and changed on the other, hold included', async () => {
    const id = await checkoutWithIvan();
    const spent = await call(0, 'PUT', `/checkouts/${id}/spend`, { amount: 20000 });
    assert.equal(spent.status, 200);
    const read = await call(1, 'GET', `/checkouts/${id}`);
    assert.equal(read.body.loyalty.hold.amount.points, 200);
    assert.equal(read.body.amountDue.amount, 80000);
  });

  test('50 concurrent payments with one key spread over both instances: one retail, one result for all', async () => {
    const id = await checkoutWithIvan();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(i % 2, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `burst-${id}` })),
    );
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]));
    for (const reply of replies) assert.deepEqual(reply.body, replies[0]!.body);
    assert.equal(replies.filter((r) => r.headers.get('idempotency-replayed') === 'true').length, 49);
    assert.equal(replies[0]!.body.receipt.balanceAfter.points, 978);
    assert.equal(simulator.client(IVAN)!.balance, 978);
  });

  test('commit then drop on the retail call: retries with the same key recover the sale, never a second retail', async () => {
    const id = await checkoutWithIvan();
    const key = { 'Idempotency-Key': `drop-${id}` };
    simulator.faults.add({ kind: 'commit-then-drop', path: RETAIL, times: 1 });
    const first = await call(0, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, key);
    assert.equal(first.status, 502);
    assert.equal(first.body.type, '/problems/payment-outcome-unknown');
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    assert.equal(simulator.client(IVAN)!.balance, 978, 'the simulator did commit');

    // The client retries with the same key, from both instances at once.
    const retries = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i % 2, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, key)));
    assert.deepEqual(new Set(retries.map((r) => r.status)), new Set([201]));
    for (const reply of retries) assert.deepEqual(reply.body, retries[0]!.body);
    assert.equal(retries[0]!.body.status, 'paid');
    assert.equal(retries[0]!.body.receipt.earned.points, 100);
    assert.equal(retries[0]!.body.receipt.balanceAfter.points, 978);
    assert.equal(simulator.journal.count('POST', RETAIL), 1, 'no second retail');
    assert.equal(simulator.client(IVAN)!.balance, 978);
    // Another key cannot pay it again either.
    assert.equal((await call(1, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `other-${id}` })).status, 409);
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
  });

  test('after a dropped spend, reading the checkout settles it as paid; the retry then gets that receipt', async () => {
    const id = await checkoutWithIvan();
    assert.equal((await call(0, 'PUT', `/checkouts/${id}/spend`, { amount: 20000 })).status, 200);
    const key = { 'Idempotency-Key': `spend-drop-${id}` };
    simulator.faults.add({ kind: 'commit-then-drop', path: RETAIL, times: 1 });
    assert.equal((await call(1, 'POST', `/checkouts/${id}/payments`, { method: 'cash' }, key)).status, 502);
    // What the widget does after an unknown outcome: ask for the status (any instance).
    const status = await call(0, 'GET', `/checkouts/${id}`);
    assert.equal(status.body.status, 'paid');
    assert.equal(status.body.receipt.spent.points, 200);
    assert.equal(status.body.receipt.balanceAfter.points, 678);
    assert.deepEqual(status.body.amountDue, { amount: 80000, currency: 'RUB' });
    const retry = await call(1, 'POST', `/checkouts/${id}/payments`, { method: 'cash' }, key);
    assert.equal(retry.status, 201);
    assert.deepEqual(retry.body.receipt, status.body.receipt);
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    assert.equal(simulator.client(IVAN)!.balance, 678);
  });

  test('an unknown outcome blocks every change and payment until it is settled', async () => {
    const id = await checkoutWithIvan();
    // A 503 before the handler: nothing committed, but the proxy cannot know that.
    simulator.faults.add({ kind: 'status', status: 503, path: RETAIL, times: 1 });
    const key = { 'Idempotency-Key': `unsettled-${id}` };
    assert.equal((await call(0, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, key)).body.type, '/problems/payment-outcome-unknown');
    // The balance is unchanged, but "not recorded" is trusted only after the settle time (30 s).
    assert.equal((await call(1, 'GET', `/checkouts/${id}`)).body.status, 'outcome-unknown');
    const retry = await call(1, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, key);
    assert.equal(retry.status, 502);
    assert.equal(retry.headers.get('retry-after'), '5');
    assert.equal((await call(0, 'PUT', `/checkouts/${id}/spend`, { amount: 10000 })).status, 502);
    assert.equal((await call(0, 'POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `new-${id}` })).status, 502);
    assert.equal(simulator.journal.count('POST', RETAIL), 1, 'only the failed attempt');
    assert.equal(simulator.client(IVAN)!.balance, 878);
  });
});

describe('reconciliation that finds nothing recorded (service with Redis, settle time 0)', () => {
  const simulator = createRuLoyaltySimulator();
  let upstream: RunningServer;
  let adapter: RuLoyaltyAdapter;
  before(async () => {
    upstream = await listen(simulator.app);
    adapter = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT }));
  });
  after(async () => {
    await adapter.close();
    await upstream.close();
  });

  test('a payment refused before it ran is reopened, and the retry records it once', async () => {
    const carts = new MemoryCartSource({});
    carts.set(buildCart('c1', 'RUB', [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }]));
    const service = new CheckoutService({ carts, checkouts: new RedisCheckoutStore(connect()), loyalty: adapter, unknownOutcomeSettleMs: 0 });
    const { id } = await service.create('c1');
    await service.identify(id, '2000000000018', {});
    simulator.faults.add({ kind: 'reset', path: RETAIL, times: 1 });
    await assert.rejects(service.pay(id, 'card', { idempotencyKey: 'k1-abcdef' }), (e: ProblemError) => e.kind === 'payment-outcome-unknown');
    // The balance did not move: nothing recorded. The checkout is open again.
    assert.equal((await service.get(id)).status, 'open');
    const paid = await service.pay(id, 'card', { idempotencyKey: 'k1-abcdef' });
    assert.equal(paid.status, 'paid');
    assert.equal(simulator.journal.entries.filter((e) => e.path === RETAIL && e.status === 200).length, 1);
    assert.equal(simulator.client(IVAN)!.balance, 978);
  });

  test('a balance moved by someone else leaves the outcome unknown (no guess, no second retail)', async () => {
    await fetch(`${upstream.url}/__reset`, { method: 'POST' });
    const carts = new MemoryCartSource({});
    carts.set(buildCart('c1', 'RUB', [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }]));
    const service = new CheckoutService({ carts, checkouts: new RedisCheckoutStore(connect()), loyalty: adapter, unknownOutcomeSettleMs: 0 });
    const { id } = await service.create('c1');
    await service.identify(id, '2000000000018', {});
    simulator.faults.add({ kind: 'reset', path: RETAIL, times: 1 });
    await assert.rejects(service.pay(id, 'card', { idempotencyKey: 'k2-abcdef' }), (e: ProblemError) => e.kind === 'payment-outcome-unknown');
    simulator.client(IVAN)!.balance += 7; // another till
    assert.equal((await service.get(id)).status, 'outcome-unknown');
    await assert.rejects(service.pay(id, 'card', { idempotencyKey: 'k2-abcdef' }), (e: ProblemError) => e.kind === 'payment-outcome-unknown');
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
  });
});
