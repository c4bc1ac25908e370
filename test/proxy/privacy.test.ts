import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { publicCustomer } from '../../src/proxy/checkout/view.js';
import { maskDigits, maskName } from '../../src/proxy/privacy.js';
import { createRateLimiter } from '../../src/proxy/rate-limits.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startProxy as start, TEST_SECRET_KEY, type RunningProxy } from '../support/start-proxy.js';

/**
 * What the issue asks of a public, hostile-input-proof proxy beyond `app.test.ts`: lookups
 * limited per client IP with a configurable window, nothing private in any reply (checkout,
 * receipt, errors), the operator's reveal option, and the browser-side guards (Origin,
 * `Sec-Fetch-Site`, body size without a Content-Length).
 */
const ORIGIN = 'https://shop.example';
const CLIENT = '/integration/general/client';
const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
const running: RunningProxy[] = [];
const CART = { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] };

before(async () => {
  upstream = await listen(simulator.app);
});
after(async () => {
  for (const proxy of running) await proxy.close();
  await upstream.close();
});
beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

async function startProxy(extra: Record<string, unknown> = {}) {
  const proxy = await start({ allowedOrigins: [ORIGIN], loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT }, ...extra });
  running.push(proxy);
  return proxy;
}
const text = (reply: { body: unknown }) => JSON.stringify(reply.body);

/** What must never leave the proxy for Ivan: full phone, surname, birthday, e-mail, photo, provider id, search. */
const IVAN_PRIVATE = ['79201234567', '7920123456', 'Петров', '1990-03-29', 'hidden@example.test', 'photo.jpeg', '62a000000000000000000001', '2000000000018', 'search'];
const assertNothingPrivate = (text: string, allow: string[] = []) => {
  for (const secret of IVAN_PRIVATE.filter((s) => !allow.includes(s))) assert.ok(!text.includes(secret), `leaked ${secret}: ${text}`);
};

describe('lookup rate limits', () => {
  test('per client IP, across checkouts: 429 with Retry-After, and no upstream call', async () => {
    const proxy = await startProxy({ lookupRateLimit: { perClient: 3, perCheckout: 100, windowMs: 60_000 } });
    const statuses = [];
    let last;
    for (let i = 0; i < 5; i++) {
      const checkout = await proxy.checkout({ cart: CART });
      last = await checkout.page('POST', '/customer', { query: '2000000000018' });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal(last!.body.type, '/problems/rate-limited');
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(simulator.journal.count('POST', CLIENT), 3);
  });

  test('the window is configurable and frees the client when it ends', async () => {
    const proxy = await startProxy({ lookupRateLimit: { perClient: 1, perCheckout: 1, windowMs: 1000 } });
    const checkout = await proxy.checkout({ cart: CART });
    assert.equal((await checkout.page('POST', '/customer', { query: '0000000' })).status, 404);
    assert.equal((await checkout.page('POST', '/customer', { query: '0000000' })).status, 429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await checkout.page('POST', '/customer', { query: '2000000000018' })).status, 200);
  });

  test('the limiter counts per key', async () => {
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, what: 'lookups', keyPrefix: 'test' });
    await limiter.take('a');
    await limiter.take('a');
    await assert.rejects(limiter.take('a'), (e: ProblemError) => e.status === 429 && Number(e.headers?.['Retry-After']) > 0 && Number(e.headers?.['Retry-After']) <= 60);
    await limiter.take('b');
  });

  test('behind a trusted reverse proxy, each shopper has their own bucket (X-Forwarded-For); untrusted, the header is ignored', async () => {
    const trusting = await startProxy({ trustProxy: 1, lookupRateLimit: { perClient: 1, perCheckout: 100, windowMs: 60_000 } });
    const one = await trusting.checkout({ cart: CART });
    // The load balancer appends the address it saw; what the client wrote before it is not believed.
    const lookup = (checkout: typeof one, ip: string) => checkout.page('POST', '/customer', { query: '2000000000018' }, { 'x-forwarded-for': `198.51.100.7, ${ip}` });
    assert.equal((await lookup(one, '203.0.113.1')).status, 200);
    assert.equal((await lookup(one, '203.0.113.2')).status, 200, 'another shopper behind the same load balancer');
    assert.equal((await lookup(one, '203.0.113.1')).status, 429);
    const naive = await startProxy({ lookupRateLimit: { perClient: 1, perCheckout: 100, windowMs: 60_000 } });
    const two = await naive.checkout({ cart: CART });
    assert.equal((await lookup(two, '203.0.113.1')).status, 200);
    assert.equal((await lookup(two, '203.0.113.2')).status, 429, 'a forged X-Forwarded-For buys nothing without trustProxy');
  });
});

describe('nothing private leaves the proxy', () => {
  test('lookup, checkout, spend, payment and receipt: masked name and phone only', async () => {
    const proxy = await startProxy();
    const till = (await proxy.server('POST', '/till-credentials', { till: 't1' })).body.credential;
    const checkout = await proxy.checkout({ cart: CART, till: 't1' });
    const headers = { 'Checkout-Till-Credential': till };
    const replies = [
      await checkout.page('POST', '/customer', { query: '+7 920 123-45-67' }, headers),
      await checkout.page('GET', ''),
      await checkout.page('PUT', '/spend', { amount: 10000 }, headers),
      await checkout.page('POST', '/payments', { method: 'card', amount: 90000 }, { ...headers, 'Idempotency-Key': `private-${checkout.id}` }),
      await checkout.page('GET', ''),
    ];
    for (const reply of replies) {
      assert.ok(reply.status < 300, text(reply));
      assert.deepEqual(reply.body.customer, { displayName: 'Ив** П.', maskedPhone: '•••• 67', verified: true });
      assertNothingPrivate(text(reply));
    }
    assert.equal(replies[4]!.body.receipt.spent.points, 100);
  });

  test('problems say what went wrong without echoing what was typed or the provider\'s data', async () => {
    const proxy = await startProxy();
    const checkout = await proxy.checkout({ cart: CART });
    const missing = await checkout.page('POST', '/customer', { query: '79209999999' });
    assert.equal(missing.status, 404);
    assert.ok(!text(missing).includes('79209999999'), text(missing));
    assertNothingPrivate(text(missing));
  });

  test('the operator may reveal the full name (a till), never the rest', async () => {
    const proxy = await startProxy({ privacy: { revealName: true } });
    const checkout = await proxy.checkout({ cart: CART });
    const reply = await checkout.page('POST', '/customer', { query: '2000000000018' });
    assert.equal(reply.body.customer.displayName, 'Иван Петров');
    assertNothingPrivate(text(reply), ['Петров', '2000000000018']);
    assert.ok(!text(reply).includes('2000000000018'), 'the card typed is not echoed');
  });

  test('masks hold for short, single and non-Latin names, and for short numbers', () => {
    assert.equal(maskName('Иван Петров'), 'Ив** П.');
    assert.equal(maskName('Al'), 'A*');
    assert.equal(maskName('X'), 'X');
    assert.equal(maskName('  Jean-Pierre   de la Tour '), 'Je**** d. l. T.');
    assert.equal(maskName('李小龙'), '李小*');
    assert.equal(maskDigits('+7 (920) 123-45-67', 2), '•••• 67');
    assert.equal(maskDigits('12', 2), '••');
    const ann = { providerId: 'p', name: 'Ann Lee', phone: '5551234', card: '4000123412341234', email: 'a@b.c', debt: { amount: 4500, currency: 'EUR' }, data: { birthday: '2000-01-01' } };
    assert.deepEqual(publicCustomer(ann, true), { displayName: 'An* L.', maskedPhone: '•••• 34', maskedCard: '•••• 1234', verified: true, inDebt: true, debt: { amount: 4500, currency: 'EUR' } });
    // Unverified: that there is a debt (no sale is possible), never how much.
    assert.deepEqual(publicCustomer(ann, false), { displayName: 'An* L.', maskedPhone: '•••• 34', maskedCard: '•••• 1234', verified: false, inDebt: true });
  });
});

describe('browser-side guards', () => {
  test('state changes need an allowed Origin; a cross-site call without one is refused', async () => {
    const proxy = await startProxy();
    const checkout = await proxy.checkout({ cart: CART });
    const cases: Array<[Record<string, string>, number]> = [
      [{ origin: ORIGIN, 'sec-fetch-site': 'cross-site' }, 200],
      [{ 'sec-fetch-site': 'same-origin' }, 200],
      [{}, 200], // a client without browser headers
      [{ 'sec-fetch-site': 'cross-site' }, 403],
      [{ origin: 'null' }, 403],
      [{ origin: 'https://shop.example.evil.test' }, 403],
      [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-site' }, 403],
    ];
    for (const [headers, status] of cases) {
      const reply = await checkout.page('DELETE', '/customer', undefined, headers);
      assert.equal(reply.status, status, JSON.stringify(headers));
      assert.notEqual(reply.headers.get('access-control-allow-origin'), '*');
    }
    for (const [method, path, body] of [
      ['POST', '/customer', { query: '2000000000018' }],
      ['PUT', '/spend', { amount: 0 }],
      ['POST', '/payments', { method: 'none', amount: 0 }],
    ] as const) {
      assert.equal((await checkout.page(method, path, body, { 'sec-fetch-site': 'cross-site', 'Idempotency-Key': 'cross-site-key' })).status, 403, `${method} ${path}`);
    }
    const preflight = await fetch(`${proxy.base}/checkouts/${checkout.id}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('behind a TLS terminator, the same-origin page is allowed once the forwarded scheme is trusted', async () => {
    const naive = await startProxy();
    const trusting = await startProxy({ trustProxy: 1 });
    for (const [proxy, status] of [[naive, 403], [trusting, 200]] as const) {
      const checkout = await proxy.checkout({ cart: CART });
      const host = new URL(proxy.url).host;
      const reply = await checkout.page('DELETE', '/customer', undefined, { origin: `https://${host}`, 'x-forwarded-proto': 'https' });
      assert.equal(reply.status, status);
    }
  });

  test('a chunked body over the limit (no Content-Length) is a 413 too', async () => {
    const proxy = await startProxy({});
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${proxy.base}/server/checkouts`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', authorization: `Bearer ${TEST_SECRET_KEY}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"cartId":"c1","reference":"');
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
      req.end('"}');
    });
    assert.equal(status, 413);
  });
});
