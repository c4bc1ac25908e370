import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createLogger } from '../../src/proxy/observe/logger.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startProxy, TEST_SECRET_KEY, type RunningProxy } from '../support/start-proxy.js';

/**
 * What an operator sees: one JSON log line per request (request id, route template, status,
 * duration, the provider calls and their outcome) with no personal data or secret in any of
 * them, and Prometheus metrics behind a token.
 */
const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
let proxy: RunningProxy;
const lines: string[] = [];
const METRICS_TOKEN = 'metrics-token-0123456789';
const CART = { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] };

before(async () => {
  upstream = await listen(simulator.app);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  proxy = await startProxy(
    { loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true }, metrics: { token: METRICS_TOKEN } },
    { logger: createLogger({ destination: sink }) },
  );
});
after(async () => {
  await proxy.close();
  await upstream.close();
});

test('a full flow logs one JSON line per request, with ids, routes and provider outcomes, and no personal data or secret', async () => {
  const checkout = await proxy.checkout({ cart: CART, reference: 'order-logs-1' });
  await checkout.page('POST', '/customer', { query: '+7 920 123-45-67' }, { 'x-request-id': 'shop-req-42' });
  await checkout.page('POST', '/customer/verification', { code: '100001' });
  await checkout.page('PUT', '/spend', { amount: 30000 });
  const requested = await checkout.page('POST', '/payment-request', { amount: 70000 });
  const paid = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 70000, currency: 'RUB' }, pspReference: 'psp-logs' }, { 'Idempotency-Key': requested.body.paymentRequest.key });
  assert.equal(paid.body.status, 'paid');
  assert.equal(paid.headers.get('x-request-id')?.length, 36, 'a request id is given back');
  await new Promise((resolve) => setTimeout(resolve, 50));

  const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
  const requests = entries.filter((e) => e.msg === 'request');
  assert.ok(requests.length >= 6, `${requests.length} request lines`);
  const lookup = requests.find((e) => e.requestId === 'shop-req-42');
  assert.ok(lookup, 'the caller\'s X-Request-Id is kept');
  assert.equal(lookup.route, '/v1/checkouts/:id/customer');
  assert.equal(lookup.status, 200);
  assert.equal(typeof lookup.durationMs, 'number');
  assert.deepEqual(lookup.upstream.map((u: any) => [u.provider, u.outcome]), [['ru-loyalty', 'ok'], ['ru-loyalty', 'ok']]);
  const confirm = requests.find((e) => e.route === '/v1/server/checkouts/:id/payments');
  assert.ok(confirm.upstream.some((u: any) => u.route === '/integration/general/retail'));

  // Ivan's phone, names, birthday, e-mail, card, client id, and every secret of the flow.
  const text = lines.join('\n');
  for (const secret of ['79201234567', '920 123', 'Иван', 'Петров', 'Ив**', '1990-03-29', 'hidden@example.test', '2000000000018', '100001', '62a000000000000000000001', checkout.clientSecret, TEST_SECRET_KEY, RU_DEMO_API_KEY, METRICS_TOKEN, 'psp-logs']) {
    assert.ok(!text.includes(secret), `logs hold ${secret}`);
  }
});

test('a hostile request id is replaced, not echoed', async () => {
  const reply = await proxy.call('GET', '/capabilities', undefined, { 'x-request-id': 'evil id"; injected=1, \\\\x' });
  assert.match(reply.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('health, readiness and metrics (behind their token)', async () => {
  assert.equal((await fetch(`${proxy.url}/checkout-api/healthz`)).status, 200);
  assert.equal((await fetch(`${proxy.url}/checkout-api/readyz`)).status, 200);
  assert.equal((await fetch(`${proxy.url}/checkout-api/metrics`)).status, 401);
  simulator.faults.add({ kind: 'status', status: 500, path: '/integration/general/client', times: 20 });
  const checkout = await proxy.checkout({ cart: CART });
  for (let i = 0; i < 3; i++) await checkout.page('POST', '/customer', { query: '2000000000018' });
  simulator.faults.clear();
  const metrics = await (await fetch(`${proxy.url}/checkout-api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  assert.match(metrics, /checkout_http_requests_total\{method="POST",route="\/v1\/checkouts\/:id\/customer",status="200"\} \d+/);
  assert.match(metrics, /checkout_upstream_calls_total\{provider="ru-loyalty",method="POST",route="\/integration\/general\/retail",outcome="ok"\} 1/);
  assert.match(metrics, /checkout_upstream_calls_total\{provider="ru-loyalty",method="POST",route="\/integration\/general\/client",outcome="http-5xx"\} \d+/);
  assert.match(metrics, /checkout_upstream_circuit_state\{provider="ru-loyalty"\} 2/, 'five failures in a row opened the circuit');
  assert.match(metrics, /checkout_http_request_duration_seconds_bucket/);
  assert.match(metrics, /checkout_payments_outcome_unknown 0/);
  assert.match(metrics, /checkout_idempotency_replays_total 0/);
  assert.match(metrics, /checkout_process_cpu_seconds_total/);
  assert.doesNotMatch(metrics, new RegExp(checkout.id), 'no checkout id as a label');
});
