import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { UpstreamClient, type UpstreamOptions } from '../../src/proxy/http/upstream.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { Faults } from '../../src/simulators/faults.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { createIdempotencyGuard } from '../../src/proxy/idempotency/guard.js';
import { MemoryIdempotencyStore } from '../../src/proxy/idempotency/store.js';
import { startProxy, type RunningProxy, type TestCheckout } from '../support/start-proxy.js';

/**
 * Failing providers, made to fail on purpose by the simulator's fault injection: the HTTP
 * client retries only what is safe to repeat, honours 429s within a bound, times calls out
 * and stops calling a provider that keeps failing; the proxy turns all of it into problems.
 */
const CLIENT = '/integration/general/client';
const RECALC = '/integration/general/recalc';
const RETAIL = '/integration/general/retail';
const IVAN = '62a000000000000000000001';
const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
const opened: UpstreamClient[] = [];

before(async () => {
  upstream = await listen(simulator.app);
});
after(async () => {
  for (const client of opened) await client.close();
  await upstream.close();
});
beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

function client(options: Partial<UpstreamOptions> = {}) {
  const made = new UpstreamClient({
    name: 'The loyalty service',
    baseUrl: upstream.url,
    headers: { apikey: RU_DEMO_API_KEY },
    timeoutMs: 1000,
    retry: { initialDelayMs: 20, maxDelayMs: 100 },
    ...options,
  });
  opened.push(made);
  return made;
}
const recalc = { method: 'POST' as const, json: { client: IVAN, point: RU_DEMO_POINT, amount: 100 } };
const retail = { method: 'POST' as const, json: { client: IVAN, point: RU_DEMO_POINT, amount: 100, spend: 0 } };
const isProblem = (kind: string) => (error: unknown) => error instanceof ProblemError && error.kind === kind;

describe('fault injection', () => {
  test('switchable over HTTP: listed, applied a number of times, cleared', async () => {
    const added = await fetch(`${upstream.url}/__faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ kind: 'status', status: 500, path: '/integration/*', method: 'POST', times: 2 }]),
    });
    assert.equal(added.status, 204);
    assert.equal(((await (await fetch(`${upstream.url}/__faults`)).json()) as unknown[]).length, 1);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await client().request(RECALC, recalc)).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    assert.equal((await fetch(`${upstream.url}/__faults`, { method: 'POST', body: '{"kind":"explode"}' })).status, 400);
    await fetch(`${upstream.url}/__faults`, { method: 'POST', body: JSON.stringify({ kind: 'status' }) });
    assert.equal((await fetch(`${upstream.url}/__faults`, { method: 'DELETE' })).status, 204);
    assert.equal((await client().request(RECALC, recalc)).status, 200);
  });

  test('in-process: latency, 429, malformed JSON, a replaced reply; a drop without a socket fails the request', async () => {
    const faults = new Faults().add({ kind: 'latency', ms: 120, times: 1 }, { kind: 'rate-limit', retryAfter: 7, times: 1 }, { kind: 'malformed', times: 1 }, { kind: 'reply', body: { odd: true }, status: 201, times: 1 });
    simulator.faults.add(...faults.list());
    const started = Date.now();
    assert.equal((await fetch(`${upstream.url}/nowhere`)).status, 404);
    assert.ok(Date.now() - started >= 100);
    const limited = await fetch(`${upstream.url}/nowhere`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    await assert.rejects(async () => JSON.parse(await (await fetch(`${upstream.url}/nowhere`)).text()), SyntaxError);
    const replaced = await fetch(`${upstream.url}/nowhere`);
    assert.deepEqual([replaced.status, await replaced.json()], [201, { odd: true }]);
    // `app.fetch` has no connection to drop: a network error response instead.
    const inProcess = createRuLoyaltySimulator();
    inProcess.faults.add({ kind: 'reset', times: 1 }, { kind: 'reply', status: 204, body: { ignored: true } });
    const dropped = await inProcess.app.fetch(new Request('http://sim/integration/general/client', { method: 'POST', headers: { apikey: RU_DEMO_API_KEY } }));
    assert.deepEqual([dropped.type, dropped.status], ['error', 0]);
    const empty = await inProcess.app.fetch(new Request('http://sim/anything'));
    assert.deepEqual([empty.status, await empty.text()], [204, '']);
  });
});

describe('UpstreamClient', () => {
  test('a safe call is retried through 5xx and a reset connection', async () => {
    simulator.faults.add({ kind: 'status', status: 503, path: RECALC, times: 1 }, { kind: 'reset', path: RECALC, times: 1 });
    const reply = await client().request(RECALC, { ...recalc, safe: true });
    assert.equal(reply.status, 200);
    assert.equal(simulator.journal.count('POST', RECALC), 3);
  });

  test('a timed-out safe call is retried; each attempt has its own timeout', async () => {
    simulator.faults.add({ kind: 'latency', ms: 400, path: RECALC, times: 1 });
    const started = Date.now();
    const reply = await client({ timeoutMs: 150 }).request(RECALC, { ...recalc, safe: true });
    assert.equal(reply.status, 200);
    assert.ok(Date.now() - started >= 150);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(simulator.journal.count('POST', RECALC), 2, 'the slow attempt and the retry');
  });

  test('retries stop after the configured count, with exponential, jittered delays', async () => {
    const gapsOfOneRun = async () => {
      simulator.journal.clear();
      simulator.faults.add({ kind: 'status', status: 502, path: RECALC, times: 4 });
      const reply = await client({ retry: { retries: 3, initialDelayMs: 40, maxDelayMs: 1000 } }).request(RECALC, { ...recalc, safe: true });
      assert.equal(reply.status, 502, 'the last 5xx is handed to the adapter');
      const times = simulator.journal.entries.filter((e) => e.path === RECALC).map((e) => e.at);
      assert.equal(times.length, 4, 'one attempt and three retries');
      return times.slice(1).map((t, i) => t - times[i]!);
    };
    const first = await gapsOfOneRun();
    const second = await gapsOfOneRun();
    // Decorrelated jitter: three delays from 40 ms sum to 2^(2..3)·0.71·40 ≈ 110–230 ms.
    for (const gaps of [first, second]) {
      const total = gaps.reduce((a, b) => a + b);
      assert.ok(total >= 100 && total < 1000, `gaps ${gaps}`);
    }
    assert.notDeepEqual(first, second, 'jittered: two runs wait differently');
  });

  test('calls not marked safe are sent once; a payment that loses its connection is an unknown outcome', async () => {
    simulator.faults.add({ kind: 'reset', path: RETAIL, times: 1 }, { kind: 'status', status: 503, path: RETAIL, times: 1 }, { kind: 'reset', path: RECALC, times: 1 });
    const http = client();
    await assert.rejects(http.request(RETAIL, { ...retail, unsafe: true, safe: true }), isProblem('payment-outcome-unknown'));
    assert.equal((await http.request(RETAIL, { ...retail, unsafe: true })).status, 503, 'the adapter decides what a 5xx means');
    await assert.rejects(http.request(RECALC, recalc), isProblem('upstream-unavailable'));
    assert.equal(simulator.journal.count('POST', RETAIL), 2);
    assert.equal(simulator.journal.count('POST', RECALC), 1);
  });

  test('a payment that times out is an unknown outcome, sent once', async () => {
    simulator.faults.add({ kind: 'latency', ms: 300, path: RETAIL, times: 1 });
    await assert.rejects(client({ timeoutMs: 100 }).request(RETAIL, { ...retail, unsafe: true }), (e: ProblemError) => e.kind === 'payment-outcome-unknown' && /did not answer in time/.test(e.message));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(simulator.journal.count('POST', RETAIL), 1);
  });

  test('a 429 is retried after its Retry-After when that is short, and returned when it is too long', async () => {
    simulator.faults.add({ kind: 'rate-limit', retryAfter: 1, path: RECALC, times: 1 });
    let started = Date.now();
    assert.equal((await client().request(RECALC, { ...recalc, safe: true })).status, 200);
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    simulator.faults.add({ kind: 'rate-limit', retryAfter: 60, path: RECALC, times: 1 });
    started = Date.now();
    const limited = await client().request(RECALC, { ...recalc, safe: true });
    assert.equal(limited.status, 429);
    assert.ok(Date.now() - started < 500, 'did not wait a minute');
    assert.equal(simulator.journal.count('POST', RECALC), 3);
    // A 503 that asks for a minute is not waited on either.
    simulator.faults.add({ kind: 'status', status: 503, retryAfter: 60, path: RECALC, times: 1 });
    started = Date.now();
    assert.equal((await client().request(RECALC, { ...recalc, safe: true })).status, 503);
    assert.ok(Date.now() - started < 500);
  });

  test('the circuit opens after consecutive failures, fails fast with Retry-After, and closes after a good trial', async () => {
    const http = client({ breaker: { threshold: 3, halfOpenAfterMs: 300 } });
    simulator.faults.add({ kind: 'status', status: 500, path: RECALC });
    for (let i = 0; i < 3; i++) assert.equal((await http.request(RECALC, recalc)).status, 500);
    assert.equal(http.circuit, 'open');
    await assert.rejects(http.request(RECALC, { ...recalc, unsafe: true }), (e: ProblemError) => {
      assert.equal(e.kind, 'upstream-unavailable', 'nothing was sent: not an unknown outcome');
      assert.equal(e.status, 503);
      assert.equal(e.retryable, true);
      assert.equal(e.headers?.['Retry-After'], '1');
      return true;
    });
    assert.equal(simulator.journal.count('POST', RECALC), 3, 'no call while open');
    simulator.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await http.request(RECALC, recalc)).status, 200);
    assert.equal(http.circuit, 'closed');
    // A 4xx is an answer, not a failure: it never opens the circuit.
    for (let i = 0; i < 5; i++) await http.request(RECALC, { method: 'POST', json: {} });
    assert.equal(http.circuit, 'closed');
  });
});

describe('the proxy in front of a failing provider', () => {
  let proxy: RunningProxy;
  let till: Record<string, string>;

  before(async () => {
    proxy = await startProxy({
      loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, timeoutMs: 200 },
      carts: { c1: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] } },
      lookupRateLimit: { perClient: 1000, perCheckout: 1000, windowMs: 60_000 },
      pageRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
    });
    till = { 'Checkout-Till-Credential': (await proxy.server('POST', '/till-credentials', { till: 't1' })).body.credential };
  });
  after(() => proxy.close());

  /** A checkout rung up at till t1 (whose cashier records the card payment). */
  const newCheckout = () => proxy.checkout({ cartId: 'c1', till: 't1' });
  const payByCard = (checkout: TestCheckout, key: string) => checkout.page('POST', '/payments', { method: 'card', amount: 100000 }, { ...till, 'Idempotency-Key': key });

  test('a slow lookup is retried within its timeout and the shopper never notices', async () => {
    const checkout = await newCheckout();
    simulator.faults.add({ kind: 'latency', ms: 400, path: CLIENT, times: 1 });
    const reply = await checkout.page('POST', '/customer', { query: '2000000000018' });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.customer.displayName, 'Ив** П.');
    // The abandoned slow attempt still ends on the simulator: let it, before the next test.
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  test('a malformed or unexpected provider reply is a 502 problem, and nothing is recorded', async () => {
    const checkout = await newCheckout();
    for (const fault of [{ kind: 'malformed' as const }, { kind: 'reply' as const, body: { success: true, client: { id: 42 } } }]) {
      simulator.faults.add({ ...fault, path: CLIENT, times: 3 });
      const reply = await checkout.page('POST', '/customer', { query: '2000000000018' });
      assert.equal(reply.status, 502, JSON.stringify(reply.body));
      assert.equal(reply.body.type, '/problems/upstream-unavailable');
      assert.doesNotMatch(reply.body.detail, /127\.0\.0\.1|apikey|demo-ru/);
      simulator.faults.clear();
      assert.equal((await checkout.page('GET', '')).body.customer, null);
    }
  });

  test('a provider that is down: a retryable 502, then the same lookup works when it is back', async () => {
    const checkout = await newCheckout();
    simulator.faults.add({ kind: 'status', status: 500, path: CLIENT, times: 3 });
    const down = await checkout.page('POST', '/customer', { query: '2000000000018' });
    assert.equal(down.status, 502);
    assert.equal(down.body.retryable, true);
    assert.equal(simulator.journal.count('POST', CLIENT), 3, 'first attempt and two retries');
    assert.equal((await checkout.page('POST', '/customer', { query: '2000000000018' })).status, 200);
  });

  test('a 429 on the payment: nothing was recorded, so the same key may pay once the provider lets us', async () => {
    const checkout = await newCheckout();
    await checkout.page('POST', '/customer', { query: '2000000000018' }, till);
    simulator.faults.add({ kind: 'rate-limit', retryAfter: 3, path: RETAIL, times: 1 });
    const busy = await payByCard(checkout, `busy-${checkout.id}`);
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get('retry-after'), '3');
    assert.equal(busy.body.retryable, true);
    assert.equal((await checkout.page('GET', '')).body.status, 'open');
    const paid = await payByCard(checkout, `busy-${checkout.id}`);
    assert.equal(paid.status, 201);
    assert.equal(paid.headers.get('idempotency-replayed'), null, 'ran again: the 503 was not stored as final');
    assert.equal(simulator.journal.entries.filter((e) => e.path === RETAIL && e.status === 200).length, 1);
    assert.equal(simulator.client(IVAN)!.balance, 978);
  });

  test('a refused payment (422) is final: replayed under its key, the checkout stays open for a new attempt', async () => {
    const checkout = await newCheckout();
    await checkout.page('POST', '/customer', { query: '2000000000018' }, till);
    simulator.faults.add({ kind: 'reply', status: 422, body: { client: 'Client not found.' }, path: RETAIL, times: 1 });
    const refused = await payByCard(checkout, `refused-${checkout.id}`);
    assert.equal(refused.status, 404);
    const again = await payByCard(checkout, `refused-${checkout.id}`);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.equal((await checkout.page('GET', '')).body.status, 'open');
    assert.equal((await payByCard(checkout, `second-${checkout.id}`)).status, 201);
  });
});

describe('the idempotency guard never keeps a transient failure as a key\'s answer', () => {
  test('an unexpected exception (a 500) gives the key back: the same request runs again', async () => {
    const guard = createIdempotencyGuard({ store: new MemoryIdempotencyStore() });
    let runs = 0;
    const request = { key: 'transient-key-1', scope: 'page:c1', method: 'POST', path: '/p', body: {} };
    const handler = async () => {
      runs += 1;
      if (runs === 1) throw new Error('Redis went away');
      return Response.json({ ok: true }, { status: 201 });
    };
    await assert.rejects(guard(request, handler));
    const second = await guard(request, handler);
    assert.equal(second.status, 201);
    assert.equal(runs, 2);
    const replay = await guard(request, handler);
    assert.equal(replay.headers.get('idempotency-replayed'), 'true');
    assert.equal(runs, 2);
  });

  test('a 5xx response is not stored either; a key is scoped to its caller', async () => {
    const guard = createIdempotencyGuard({ store: new MemoryIdempotencyStore() });
    let runs = 0;
    const handler = async () => new Response('{}', { status: ++runs === 1 ? 503 : 201 });
    const request = { key: 'transient-key-2', scope: 'server', method: 'POST', path: '/p', body: {} };
    assert.equal((await guard(request, handler)).status, 503);
    assert.equal((await guard(request, handler)).status, 201);
    // The same key from a page (another scope) is another key: no mismatch, no replay of the shop's answer.
    assert.equal((await guard({ ...request, scope: 'page:c1', body: { other: true } }, handler)).status, 201);
    assert.equal(runs, 3);
  });
});
