import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { MemoryCartSource } from '../../src/proxy/carts.js';
import { MemoryCheckoutStore, type CheckoutStore } from '../../src/proxy/checkout/record.js';
import { CheckoutService } from '../../src/proxy/checkout/service.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { RuLoyaltyAdapter, RuLoyaltyOptions } from '../../src/proxy/providers/ru-loyalty/adapter.js';
import { RedisCheckoutStore } from '../../src/proxy/stores/redis.js';
import { BullMqOutbox } from '../../src/proxy/webhooks/bullmq-outbox.js';
import { eventId, type CheckoutEvents } from '../../src/proxy/webhooks/events.js';
import { MemoryOutbox } from '../../src/proxy/webhooks/outbox.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { clients, TEST_SECRET_KEY } from '../support/start-proxy.js';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';

/**
 * SPEC §4a: the shop learns every outcome through a webhook, at least once, from a durable
 * outbox. The event is saved with the state that causes it, so an outbox failing at that
 * moment, or an instance dying between the save and the queueing, loses nothing: the next
 * flush (this instance's, or any other's) queues it, with the same event id, once.
 */
const CART = { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] };
/** Ivan, whom the shop vouches for: the shop's PSP takes the whole 1 000 ₽. */
const IVAN_CARD = '2000000000018';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
let redisServer: RunningRedis;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const closing: Array<() => Promise<unknown>> = [];

before(async () => {
  upstream = await listen(simulator.app);
  redisServer = await startRedis();
  receiver = await startWebhookReceiver();
});
after(async () => {
  for (const close of closing.reverse()) await close();
  await receiver.close();
  await redisServer.stop();
  await upstream.close();
});

const loyaltyConfig = () => ({ provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT });
const endpoint = () => ({ url: receiver.url, secrets: [TEST_WEBHOOK_SECRET], retryScheduleMs: [0, 50, 50] });
const deliveries = (id: string) => receiver.received.filter((w) => w.data.checkout.id === id);
const paidEvent = (id: string) => eventId(id, 'checkout.paid', `co-${id}`);

/** Counts what reaches `outbox.emit` (and can make the next calls fail, as Redis gone would). */
function watch<T extends CheckoutEvents>(outbox: T): { outbox: T; queued: string[]; fail(times: number): void } {
  const emit = outbox.emit.bind(outbox);
  const queued: string[] = [];
  let failures = 0;
  outbox.emit = async (type, checkout, occurrence) => {
    if (failures > 0) {
      failures -= 1;
      throw new Error('the outbox is unreachable');
    }
    queued.push(eventId(checkout.id, type, occurrence));
    return emit(type, checkout, occurrence);
  };
  return { outbox, queued, fail: (times) => (failures = times) };
}

/** A store whose instance is killed (SIGKILL, OOM) right after it saved a checkout as paid. */
function killedAfterPaid(store: CheckoutStore): CheckoutStore {
  return {
    get: (id) => store.get(id),
    withLock: (id, task) => store.withLock(id, task),
    claimReference: (reference, id, ttlMs) => store.claimReference(reference, id, ttlMs),
    releaseReference: (reference, id) => store.releaseReference(reference, id),
    async save(record) {
      await store.save(record);
      if (record.status === 'paid') throw new Error('killed');
    },
  };
}

/** An instance that dies between saving a payment and queueing its webhook: returns the paid checkout's id. */
async function paidByADyingInstance(store: CheckoutStore): Promise<string> {
  const loyalty = new RuLoyaltyAdapter(RuLoyaltyOptions.parse(loyaltyConfig()));
  const outbox = watch(new MemoryOutbox(endpoint()));
  const service = new CheckoutService({ carts: new MemoryCartSource(), checkouts: killedAfterPaid(store), loyalty, events: outbox.outbox });
  try {
    const { record } = await service.create({ cart: CART, customer: { query: IVAN_CARD } }, {});
    await assert.rejects(service.confirmExternal(record.id, { amount: { amount: 100000, currency: 'RUB' }, pspReference: `psp-${record.id}` }, { idempotencyKey: `pay-${record.id}` }), /killed/);
    assert.equal((await store.get(record.id))?.status, 'paid');
    assert.deepEqual(outbox.queued, [], 'the dying instance queued nothing');
    return record.id;
  } finally {
    await outbox.outbox.close();
    await loyalty.close?.();
  }
}

test('the outbox fails as the sale is recorded: the checkout is paid, and the next flush delivers the event once, with its id', async () => {
  const proxy = createProxyFromConfig(parseConfig({ secretKeys: [TEST_SECRET_KEY], loyalty: loyaltyConfig(), webhooks: { ...endpoint(), flushIntervalMs: 200 } }, {}), { log: () => {} });
  const server = await listen(proxy.app);
  closing.push(() => proxy.close(), () => server.close());
  const outbox = watch(proxy.webhooks!);
  const shop = clients(`${server.url}/checkout-api/v1`);
  const checkout = await shop.checkout({ cart: CART, customer: { query: IVAN_CARD } });

  outbox.fail(1);
  const paid = await shop.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'psp-1' }, { 'Idempotency-Key': `pay-${checkout.id}` });
  assert.equal(paid.status, 201);
  assert.equal(paid.body.status, 'paid');
  assert.equal(deliveries(checkout.id).length, 0, 'not queued when the sale was recorded');

  const hook = await receiver.next('checkout.paid', checkout.id);
  assert.equal(hook.id, paidEvent(checkout.id));
  assert.equal(hook.data.checkout.status, 'paid');
  await sleep(500);
  assert.equal(deliveries(checkout.id).length, 1, 'delivered once');
  assert.deepEqual(outbox.queued, [paidEvent(checkout.id)], 'queued once: the flush cleared what it queued');
});

describe('an instance dies between saving a payment and queueing its webhook', () => {
  test('memory store: another service over the store flushes and delivers it', async () => {
    const store = new MemoryCheckoutStore();
    const id = await paidByADyingInstance(store);
    assert.deepEqual(await store.listPendingEvents(), [id]);
    const loyalty = new RuLoyaltyAdapter(RuLoyaltyOptions.parse(loyaltyConfig()));
    const outbox = new MemoryOutbox(endpoint());
    closing.push(() => outbox.close(), async () => loyalty.close?.());
    const service = new CheckoutService({ carts: new MemoryCartSource(), checkouts: store, loyalty, events: outbox });
    assert.equal(await service.flushPendingEvents(), 1);
    assert.equal((await receiver.next('checkout.paid', id)).id, paidEvent(id));
    assert.deepEqual(await store.listPendingEvents(), []);
    assert.equal((await store.get(id))?.pendingEvents, undefined);
    assert.equal(await service.flushPendingEvents(), 0);
    await sleep(200);
    assert.equal(deliveries(id).length, 1);
  });

  test('Redis: a proxy started afterwards delivers it (the flush at start)', async () => {
    const prefix = 'restart:';
    const redis = new Redis(redisServer.url);
    closing.push(() => redis.quit());
    const id = await paidByADyingInstance(new RedisCheckoutStore(redis, { prefix }));
    const proxy = createProxyFromConfig(parseConfig({ secretKeys: [TEST_SECRET_KEY], loyalty: loyaltyConfig(), redis: { url: redisServer.url, prefix }, webhooks: endpoint() }, {}), { log: () => {} });
    closing.push(() => proxy.close());
    assert.equal((await receiver.next('checkout.paid', id)).id, paidEvent(id));
    await sleep(300);
    assert.equal(deliveries(id).length, 1);
    assert.equal(await redis.zcard(`${prefix}events-owed`), 0);
  });
});

test('Redis: two instances flushing at once queue the owed event once, and it is delivered once', async () => {
  const prefix = 'concurrent:';
  const connect = () => {
    const client = new Redis(redisServer.url);
    closing.push(() => client.quit());
    return client;
  };
  const id = await paidByADyingInstance(new RedisCheckoutStore(connect(), { prefix }));
  const instances = [0, 1].map(() => {
    const loyalty = new RuLoyaltyAdapter(RuLoyaltyOptions.parse(loyaltyConfig()));
    const outbox = watch(new BullMqOutbox(redisServer.url, endpoint(), { prefix }));
    closing.push(() => outbox.outbox.close(), async () => loyalty.close?.());
    const service = new CheckoutService({ carts: new MemoryCartSource(), checkouts: new RedisCheckoutStore(connect(), { prefix }), loyalty, events: outbox.outbox });
    return { service, outbox };
  });
  const settled = await Promise.all(instances.map(({ service }) => service.flushPendingEvents()));
  assert.deepEqual(settled.sort(), [0, 1], 'one instance queued it; the other found it settled');
  assert.deepEqual(
    instances.flatMap(({ outbox }) => outbox.queued),
    [paidEvent(id)],
    'queued once in all',
  );
  assert.equal((await receiver.next('checkout.paid', id)).id, paidEvent(id));
  await sleep(300);
  assert.equal(deliveries(id).length, 1);
});

test('BullMQ outbox: the same event queued twice (a flush after a lost clear) is one job, delivered once', async () => {
  const outbox = new BullMqOutbox(redisServer.url, endpoint(), { prefix: 'dedup:' });
  closing.push(() => outbox.close());
  const id = `dedup-${Date.now()}`;
  const checkout = { id, status: 'paid' } as never;
  await outbox.emit('checkout.paid', checkout, 'co-1');
  await outbox.emit('checkout.paid', checkout, 'co-1');
  assert.equal((await receiver.next('checkout.paid', id)).id, eventId(id, 'checkout.paid', 'co-1'));
  // Delivered already: the job is kept (7 days), so queueing it again adds nothing.
  await outbox.emit('checkout.paid', checkout, 'co-1');
  await sleep(300);
  assert.equal(deliveries(id).length, 1);
});
