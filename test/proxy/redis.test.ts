import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { buildCart, MemoryCartSource } from '../../src/proxy/carts.js';
import { CheckoutService } from '../../src/proxy/checkout/service.js';
import type { CheckoutRecord } from '../../src/proxy/checkout/record.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { RedisIdempotencyStore } from '../../src/proxy/idempotency/redis.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { RuLoyaltyAdapter, RuLoyaltyOptions } from '../../src/proxy/providers/ru-loyalty/adapter.js';
import { RedisCheckoutStore } from '../../src/proxy/stores/redis.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { clients as proxyClients, TEST_SECRET_KEY, type TestCheckout } from '../support/start-proxy.js';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';

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
  const record = (id: string): CheckoutRecord => ({ id, clientSecret: `${id}_secret_x`, cartId: 'c1', status: 'open', spend: 0, createdAt: Date.now() });

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
    const a = new RedisCheckoutStore(redis, { lockTtlMs: 400 });
    const b = new RedisCheckoutStore(connect(), { lockTtlMs: 400 });
    const order: string[] = [];
    // A outlives its lock's TTL three times over; the renewal keeps B out until A ends.
    const slow = a.withLock('renew', async () => {
      order.push('a-start');
      await sleep(1200);
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

  test('fencing: a holder whose lock lapsed (a long pause) cannot overwrite its successor\'s write', async () => {
    const redis = connect();
    const a = new RedisCheckoutStore(redis, { lockTtlMs: 100 });
    const b = new RedisCheckoutStore(connect(), { lockTtlMs: 100 });
    await a.save(record('fenced'));
    const paused = a.withLock('fenced', async () => {
      // The renewal cannot reach Redis while this instance is frozen: simulate it by dropping the lock.
      await redis.del('checkout:lock:fenced');
      await sleep(80);
      await a.save({ ...record('fenced'), spend: 111 });
    });
    await sleep(20);
    await b.withLock('fenced', async () => b.save({ ...record('fenced'), spend: 222 }));
    await assert.rejects(paused, (e: ProblemError) => e.retryable && e.status === 503);
    assert.equal((await b.get('fenced'))?.spend, 222);
  });

  test('an order reference is tied to one checkout across instances', async () => {
    const [a, b] = [new RedisCheckoutStore(connect()), new RedisCheckoutStore(connect())];
    const owners = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimReference('order-42', `checkout-${i}`, 60_000)));
    assert.equal(new Set(owners).size, 1);
    await a.releaseReference('order-42', 'someone-else');
    assert.equal(await b.claimReference('order-42', 'late', 60_000), owners[0]);
    await a.releaseReference('order-42', owners[0]!);
    assert.equal(await b.claimReference('order-42', 'late', 60_000), 'late');
  });
});

describe('two proxy instances sharing Redis', () => {
  const simulator = createRuLoyaltySimulator();
  let upstream: RunningServer;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const proxies: Array<{ server: RunningServer; close: () => Promise<void>; base: string }> = [];
  const CART = { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] };

  before(async () => {
    upstream = await listen(simulator.app);
    webhooks = await startWebhookReceiver();
    for (let i = 0; i < 2; i++) {
      const proxy = createProxyFromConfig(
        parseConfig(
          {
            secretKeys: [TEST_SECRET_KEY],
            loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
            redis: { url: redisServer.url },
            lookupRateLimit: { perClient: 1000, perCheckout: 4, windowMs: 60_000 },
            webhooks: { url: webhooks.url, secrets: [TEST_WEBHOOK_SECRET], retryScheduleMs: [0, 100, 100] },
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
    await webhooks.close();
    await upstream.close();
  });
  beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

  const instance = (i: number) => proxyClients(proxies[i]!.base);
  /** The same checkout's page client on instance `i`. */
  const on = (i: number, checkout: TestCheckout) => instance(i).pageOf(checkout.id, checkout.clientSecret);
  /** The shop's server confirms its PSP's payment through instance `i`. */
  const confirm = (i: number, checkout: TestCheckout, key: string, amount = 100000) =>
    instance(i).server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount, currency: 'RUB' }, pspReference: `psp-${key}` }, { 'Idempotency-Key': key });

  /** A checkout the shop made on instance 0 for Ivan (878 points, 10 % cashback), whom it vouches for. */
  async function checkoutWithIvan() {
    return instance(0).checkout({ cart: CART, customer: { query: '2000000000018' } });
  }

  test('a checkout made on one instance is read and changed on the other, hold included', async () => {
    const checkout = await checkoutWithIvan();
    const spent = await on(0, checkout)('PUT', '/spend', { amount: 20000 });
    assert.equal(spent.status, 200);
    const read = await on(1, checkout)('GET', '');
    assert.equal(read.body.loyalty.hold.amount.points, 200);
    assert.equal(read.body.amountDue.amount, 80000);
  });

  test('50 concurrent confirmations with one key spread over both instances: one retail, one result for all', async () => {
    const checkout = await checkoutWithIvan();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => confirm(i % 2, checkout, `burst-${checkout.id}`)));
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]));
    for (const reply of replies) assert.deepEqual(reply.body, replies[0]!.body);
    assert.equal(replies.filter((r) => r.headers.get('idempotency-replayed') === 'true').length, 49);
    assert.equal(replies[0]!.body.receipt.balanceAfter.points, 978);
    assert.equal(simulator.client(IVAN)!.balance, 978);
    // One webhook, through the shared (BullMQ) outbox, whichever instance recorded it.
    await webhooks.next('checkout.paid', checkout.id);
    await sleep(150);
    assert.equal(webhooks.received.filter((w) => w.type === 'checkout.paid' && w.data.checkout.id === checkout.id).length, 1);
  });

  test('commit then drop on the retail call: retries with the same key recover the sale, never a second retail', async () => {
    const checkout = await checkoutWithIvan();
    const key = `drop-${checkout.id}`;
    simulator.faults.add({ kind: 'commit-then-drop', path: RETAIL, times: 1 });
    const first = await confirm(0, checkout, key);
    assert.equal(first.status, 502);
    assert.equal(first.body.type, '/problems/payment-outcome-unknown');
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    assert.equal(simulator.client(IVAN)!.balance, 978, 'the simulator did commit');
    await webhooks.next('checkout.outcome_unknown', checkout.id);

    // The shop's server retries with the same key, from both instances at once.
    const retries = await Promise.all(Array.from({ length: 10 }, (_, i) => confirm(i % 2, checkout, key)));
    assert.deepEqual(new Set(retries.map((r) => r.status)), new Set([201]));
    for (const reply of retries) assert.deepEqual(reply.body, retries[0]!.body);
    assert.equal(retries[0]!.body.status, 'paid');
    assert.equal(retries[0]!.body.receipt.earned.points, 100);
    assert.equal(retries[0]!.body.receipt.balanceAfter.points, 978);
    assert.equal(simulator.journal.count('POST', RETAIL), 1, 'no second retail');
    assert.equal(simulator.client(IVAN)!.balance, 978);
    // Another key cannot pay it again either.
    assert.equal((await confirm(1, checkout, `other-${checkout.id}`)).status, 409);
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    await webhooks.next('checkout.paid', checkout.id);
  });

  test('after a dropped spend, reading the checkout settles it as paid; the retry then gets that receipt', async () => {
    const checkout = await checkoutWithIvan();
    assert.equal((await on(0, checkout)('PUT', '/spend', { amount: 20000 })).status, 200);
    const key = `spend-drop-${checkout.id}`;
    simulator.faults.add({ kind: 'commit-then-drop', path: RETAIL, times: 1 });
    assert.equal((await confirm(1, checkout, key, 80000)).status, 502);
    // What the widget does after an unknown outcome: ask for the status (any instance).
    const status = await on(0, checkout)('GET', '');
    assert.equal(status.body.status, 'paid');
    assert.equal(status.body.receipt.spent.points, 200);
    assert.equal(status.body.receipt.balanceAfter.points, 678);
    assert.deepEqual(status.body.amountDue, { amount: 80000, currency: 'RUB' });
    const retry = await confirm(1, checkout, key, 80000);
    assert.equal(retry.status, 201);
    assert.deepEqual(retry.body.receipt, status.body.receipt);
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
    assert.equal(simulator.client(IVAN)!.balance, 678);
  });

  test('an unknown outcome blocks every change and payment until it is settled — or an operator resolves it', async () => {
    const checkout = await checkoutWithIvan();
    // A 503 before the handler: nothing committed, but the proxy cannot know that.
    simulator.faults.add({ kind: 'status', status: 503, path: RETAIL, times: 1 });
    const key = `unsettled-${checkout.id}`;
    assert.equal((await confirm(0, checkout, key)).body.type, '/problems/payment-outcome-unknown');
    // The balance is unchanged, but "not recorded" is trusted only after the settle time (30 s).
    assert.equal((await on(1, checkout)('GET', '')).body.status, 'outcome-unknown');
    const retry = await confirm(1, checkout, key);
    assert.equal(retry.status, 502);
    assert.equal(retry.headers.get('retry-after'), '5');
    assert.equal((await on(0, checkout)('PUT', '/spend', { amount: 10000 })).status, 502);
    assert.equal((await confirm(0, checkout, `new-${checkout.id}`)).status, 502);
    assert.equal(simulator.journal.count('POST', RETAIL), 1, 'only the failed attempt');
    assert.equal(simulator.client(IVAN)!.balance, 878);
    // The operator looked in the provider's back office: not recorded. Money was collected by the PSP: to review.
    const resolved = await instance(1).server('POST', `/checkouts/${checkout.id}/resolve`, { outcome: 'not-recorded' });
    assert.equal(resolved.body.status, 'review');
    await webhooks.next('checkout.review', checkout.id);
  });

  test('lookup limits hold across instances: N instances are not N× the limit', async () => {
    const checkout = await instance(0).checkout({ cart: CART });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await on(i % 2, checkout)('POST', '/customer', { query: '0000000' })).status);
    assert.deepEqual(statuses, [404, 404, 404, 404, 429, 429]);
  });

  test('one order, one checkout, whichever instance the shop\'s server reaches', async () => {
    const reference = `order-${Date.now()}`;
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => instance(i % 2).server('POST', '/checkouts', { cart: CART, reference })));
    assert.equal(new Set(replies.map((r) => r.body.checkout.id)).size, 1);
    assert.equal(replies.filter((r) => r.status === 201).length, 1);
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
    const { record: { id } } = await service.create({ cartId: 'c1', till: 't1' }, {});
    const till = { kind: 'till' as const, till: 't1' };
    await service.identify(id, '2000000000018', till, {});
    simulator.faults.add({ kind: 'reset', path: RETAIL, times: 1 });
    await assert.rejects(service.pay(id, { method: 'card', amount: 100000 }, till, { idempotencyKey: 'k1-abcdef' }), (e: ProblemError) => e.kind === 'payment-outcome-unknown');
    // The balance did not move: nothing recorded. The checkout is open again.
    assert.equal((await service.get(id)).status, 'open');
    const paid = await service.pay(id, { method: 'card', amount: 100000 }, till, { idempotencyKey: 'k1-abcdef' });
    assert.equal(paid.status, 'paid');
    assert.equal(simulator.journal.entries.filter((e) => e.path === RETAIL && e.status === 200).length, 1);
    assert.equal(simulator.client(IVAN)!.balance, 978);
  });

  test('a balance moved by someone else leaves the outcome unknown (no guess, no second retail)', async () => {
    await fetch(`${upstream.url}/__reset`, { method: 'POST' });
    const carts = new MemoryCartSource({});
    carts.set(buildCart('c1', 'RUB', [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }]));
    const service = new CheckoutService({ carts, checkouts: new RedisCheckoutStore(connect()), loyalty: adapter, unknownOutcomeSettleMs: 0 });
    const { record: { id } } = await service.create({ cartId: 'c1', till: 't1' }, {});
    const till = { kind: 'till' as const, till: 't1' };
    await service.identify(id, '2000000000018', till, {});
    simulator.faults.add({ kind: 'reset', path: RETAIL, times: 1 });
    await assert.rejects(service.pay(id, { method: 'card', amount: 100000 }, till, { idempotencyKey: 'k2-abcdef' }), (e: ProblemError) => e.kind === 'payment-outcome-unknown');
    simulator.client(IVAN)!.balance += 7; // another till
    assert.equal((await service.get(id)).status, 'outcome-unknown');
    await assert.rejects(service.pay(id, { method: 'card', amount: 100000 }, till, { idempotencyKey: 'k2-abcdef' }), (e: ProblemError) => e.kind === 'payment-outcome-unknown');
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
  });
});
