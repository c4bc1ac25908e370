import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { listen } from '../../src/node/listen.js';
import type { Cart } from '../../src/protocol/index.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { ProblemError } from '../../src/proxy/problems.js';
import type { CustomerRecord, RecordSaleInput } from '../../src/proxy/providers/provider.js';
import { ResamaniaAdapter, ResamaniaOptions } from '../../src/proxy/providers/resamania/adapter.js';
import { RedisSaleLedger } from '../../src/proxy/providers/resamania/redis-sale-ledger.js';
import type { SaleLedgerEntry } from '../../src/proxy/providers/resamania/sale-ledger.js';
import { createResamaniaSimulator, RESAMANIA_DEMO } from '../../src/simulators/resamania/simulator.js';
import { clients, TEST_SECRET_KEY } from '../support/start-proxy.js';
import { startRedis, type RunningRedis } from '../support/redis.js';

/**
 * The Resamania sale ledger in a real `redis-server`, shared by several proxy instances: one
 * sale and one payment per checkout whatever the instance, and an unknown outcome on one
 * instance settled by another.
 */
const CT = RESAMANIA_DEMO.clientToken;
const TOWEL = `/${CT}/offers/131`;
const PAYMENTS = /\/sales\/\d+\/payments$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redisServer: RunningRedis;
before(async () => (redisServer = await startRedis()));
after(() => redisServer.stop());

/** A connection of its own (as each proxy instance has), closed after the test. */
function connect(t: TestContext): Redis {
  const client = new Redis(redisServer.url);
  t.after(() => client.quit());
  return client;
}

const entry = (stage: SaleLedgerEntry['stage']): SaleLedgerEntry => ({ sale: `/${CT}/sales/1`, stage, articleLines: [0], updatedAt: Date.now() });

describe('RedisSaleLedger', () => {
  test('entries round-trip and are kept for the retention', async (t) => {
    const redis = connect(t);
    const ledger = new RedisSaleLedger(redis, { prefix: 't1:', retentionMs: 5000 });
    assert.equal(await ledger.get('co-a'), undefined);
    const written = entry('articles');
    assert.equal(await ledger.set('co-a', written), true);
    assert.deepEqual(await ledger.get('co-a'), written);
    const ttl = await redis.pttl('t1:resamania-sale:entry:co-a');
    assert.ok(ttl > 0 && ttl <= 5000, `ttl ${ttl}`);
  });

  test('one lease among instances; writes under a lease only while it holds; a dead holder\'s lease lapses', async (t) => {
    const [a, b] = [new RedisSaleLedger(connect(t), { prefix: 't2:', leaseMs: 300 }), new RedisSaleLedger(connect(t), { prefix: 't2:', leaseMs: 300 })];
    let inside = 0;
    let most = 0;
    const task = (ledger: RedisSaleLedger) =>
      ledger.withLease('co-b', 5000, async (lease) => {
        most = Math.max(most, ++inside);
        assert.equal(await ledger.set('co-b', entry('created'), lease), true);
        await sleep(20);
        inside--;
        return lease;
      });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => task(i % 2 ? a : b)));
    assert.equal(most, 1, 'never two holders at once');
    assert.ok(results.every((r) => r.held));

    // Held (and renewed) by a, b gives up after its wait; a write with a stale lease is refused.
    let stale = '';
    const holder = a.withLease('co-c', 0, async (lease) => {
      stale = lease;
      await sleep(700);
    });
    await sleep(20);
    assert.deepEqual(await b.withLease('co-c', 100, async () => 'ran'), { held: false }, 'renewed past its 300 ms lifetime');
    await holder;
    assert.equal(await b.set('co-c', entry('settling'), stale), false);
    assert.equal(await b.get('co-c'), undefined);

    // A holder that dies stops renewing: its lease lapses and another instance takes over.
    const dead = connect(t);
    await dead.set('t2:resamania-sale:lease:co-d', 'crashed-instance', 'PX', 300);
    assert.deepEqual(await b.withLease('co-d', 2000, async () => 'taken over'), { held: true, value: 'taken over' });
  });
});

describe('Resamania on several instances sharing Redis', () => {
  async function club(t: TestContext) {
    let offset = 0;
    const now = () => Date.now() + offset;
    const sim = createResamaniaSimulator({ now });
    const server = await listen(sim.app);
    const prefix = `club-${Math.random().toString(36).slice(2)}:`;
    const instance = () => {
      const adapter = new ResamaniaAdapter(options(server.url), { ledger: new RedisSaleLedger(connect(t), { prefix }), now });
      t.after(() => adapter.close());
      return adapter;
    };
    t.after(() => server.close());
    return { sim, url: server.url, instances: [instance(), instance(), instance()] as const, advance: (ms: number) => (offset += ms) };
  }

  test('concurrent attempts for one checkout on three instances: one sale, one payment', async (t) => {
    const { sim, instances } = await club(t);
    const customer = await instances[0].identify('camille.martin@example.test', {});
    const input = sale(customer, 'co-shared');
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => instances[i % 3]!.recordSale(input, {})));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set(['fulfilled']));
    assert.equal(sim.journal.count('POST', `/${CT}/sales`), 1, 'one draft sale');
    assert.equal(sim.journal.count('POST', PAYMENTS), 1);
    assert.equal(sim.account(1001)?.credit, 0, 'no overpayment');
  });

  test('a payment whose reply was lost on one instance is found by another; nothing recorded is paid once, on the same sale', async (t) => {
    const { sim, instances, advance } = await club(t);
    const [a, b] = instances;
    const customer = await a.identify('camille.martin@example.test', {});
    const lost = sale(customer, 'co-lost');
    sim.failNextPayment('commit-then-504');
    await assert.rejects(a.recordSale(lost, {}), (e) => e instanceof ProblemError && e.kind === 'payment-outcome-unknown');
    assert.equal((await b.saleOutcome(lost, {})).state, 'recorded');
    await b.recordSale(lost, {});
    assert.equal(sim.journal.count('POST', PAYMENTS), 1);

    const failed = sale(customer, 'co-failed');
    sim.failNextPayment('fail-before-commit');
    await assert.rejects(a.recordSale(failed, {}), (e) => e instanceof ProblemError && e.kind === 'payment-outcome-unknown');
    await assert.rejects(b.recordSale(failed, {}), (e) => e instanceof ProblemError && e.kind === 'payment-outcome-unknown' && e.retryable === true);
    assert.equal((await b.saleOutcome(failed, {})).state, 'unknown');
    advance(61_000);
    assert.equal((await b.saleOutcome(failed, {})).state, 'not-recorded');
    await b.recordSale(failed, {});
    assert.equal(sim.journal.count('POST', `/${CT}/sales`), 2, 'one sale per checkout');
    assert.equal(sim.payments().length, 2);
  });

  test('the proxy shares the sale ledger through Redis: an unknown outcome on one instance is settled on the other', async (t) => {
    const sim = createResamaniaSimulator();
    const upstream = await listen(sim.app);
    const prefix = `proxy-${Math.random().toString(36).slice(2)}:`;
    const proxies = await Promise.all(
      [0, 1].map(async () => {
        const proxy = createProxyFromConfig(
          parseConfig(
            {
              secretKeys: [TEST_SECRET_KEY],
              loyalty: options(upstream.url),
              carts: { towel: { currency: 'EUR', lines: [{ sku: TOWEL, name: 'Towel', quantity: 1, unitPrice: 1200 }] } },
              redis: { url: redisServer.url, prefix },
              lookupRateLimit: { perClient: 1000, perCheckout: 1000, windowMs: 60_000 },
              pageRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
            },
            {},
          ),
          { log: () => {} },
        );
        const server = await listen(proxy.app);
        return { server, proxy, base: `${server.url}/checkout-api/v1` };
      }),
    );
    t.after(async () => {
      for (const { server, proxy } of proxies) {
        await server.close();
        await proxy.close();
      }
      await upstream.close();
    });
    // The shop's server vouches for Camille, and confirms what its PSP took (12.00 €) through either instance.
    const checkout = await clients(proxies[0]!.base).checkout({ cartId: 'towel', customer: { query: 'camille.martin@example.test' } });
    const id = checkout.id;
    const confirm = (instance: number) =>
      clients(proxies[instance]!.base).server('POST', `/checkouts/${id}/payments`, { method: 'external', amount: { amount: 1200, currency: 'EUR' }, pspReference: 'psp-1' }, { 'Idempotency-Key': 'key-redis-1' });
    sim.failNextPayment('commit-then-504');
    assert.equal((await confirm(0)).body.type, '/problems/payment-outcome-unknown');
    // The other instance finds the sale (shared ledger) and its payment: paid, never paid again.
    assert.equal((await clients(proxies[1]!.base).pageOf(id, checkout.clientSecret)('GET', '')).body.status, 'paid');
    assert.equal((await confirm(1)).status, 201);
    assert.equal(sim.journal.count('POST', PAYMENTS), 1);
  });
});

function options(url: string): ResamaniaOptions {
  return ResamaniaOptions.parse({
    provider: 'resamania',
    baseUrl: url,
    clientToken: CT,
    clientId: RESAMANIA_DEMO.clientId,
    clientSecret: RESAMANIA_DEMO.clientSecret,
    apiKey: RESAMANIA_DEMO.apiKey,
    clubId: RESAMANIA_DEMO.clubId,
    clubCode: RESAMANIA_DEMO.clubCode,
    timeoutMs: 2000,
  });
}

function sale(customer: CustomerRecord, reference: string): RecordSaleInput {
  const cart: Cart = {
    id: 'towel',
    currency: 'EUR',
    lines: [{ sku: TOWEL, name: 'Towel', quantity: 1, unitPrice: { amount: 1200, currency: 'EUR' }, total: { amount: 1200, currency: 'EUR' } }],
    total: { amount: 1200, currency: 'EUR' },
  };
  return { checkoutId: reference, customer, cart, spend: 0, method: 'external', reference, paid: cart.total };
}
