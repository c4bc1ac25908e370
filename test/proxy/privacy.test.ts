import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { maskDigits, maskName, publicCustomer } from '../../src/proxy/privacy.js';
import { createRateLimiter } from '../../src/proxy/rate-limit.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';

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
const running: Array<{ server: RunningServer; close: () => Promise<void> }> = [];

before(async () => {
  upstream = await listen(simulator.app);
});
after(async () => {
  for (const proxy of running) {
    await proxy.server.close();
    await proxy.close();
  }
  await upstream.close();
});
beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

async function startProxy(extra: Record<string, unknown> = {}) {
  const proxy = createProxyFromConfig(
    parseConfig({
      allowedOrigins: [ORIGIN],
      loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
      carts: { c1: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] } },
      ...extra,
    }),
    { log: () => {} },
  );
  const server = await listen(proxy.app);
  running.push({ server, close: proxy.close });
  const base = `${server.url}/checkout-api/v1`;
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, text };
  };
}

/** What must never leave the proxy for Ivan: full phone, surname, birthday, e-mail, photo, provider id, search. */
const IVAN_PRIVATE = ['79201234567', '7920123456', 'Петров', '1990-03-29', 'hidden@example.test', 'photo.jpeg', '62a000000000000000000001', '2000000000018', 'search'];
const assertNothingPrivate = (text: string, allow: string[] = []) => {
  for (const secret of IVAN_PRIVATE.filter((s) => !allow.includes(s))) assert.ok(!text.includes(secret), `leaked ${secret}: ${text}`);
};

describe('lookup rate limits', () => {
  test('per client IP, across checkouts: 429 with Retry-After, and no upstream call', async () => {
    const call = await startProxy({ lookupRateLimit: { perClient: 3, perCheckout: 100, windowMs: 60_000 } });
    const statuses = [];
    let last;
    for (let i = 0; i < 5; i++) {
      const { body } = await call('POST', '/checkouts', { cartId: 'c1' });
      last = await call('POST', `/checkouts/${body.id}/customer`, { query: '2000000000018' });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal(last!.body.type, '/problems/rate-limited');
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(simulator.journal.count('POST', CLIENT), 3);
  });

  test('the window is configurable and frees the client when it ends', async () => {
    const call = await startProxy({ lookupRateLimit: { perClient: 1, perCheckout: 1, windowMs: 300 } });
    const { body } = await call('POST', '/checkouts', { cartId: 'c1' });
    assert.equal((await call('POST', `/checkouts/${body.id}/customer`, { query: '0000000' })).status, 404);
    assert.equal((await call('POST', `/checkouts/${body.id}/customer`, { query: '0000000' })).status, 429);
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await call('POST', `/checkouts/${body.id}/customer`, { query: '2000000000018' })).status, 200);
  });

  test('the limiter counts per key and keeps its memory bounded', () => {
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, maxKeys: 100 });
    limiter.take('a');
    limiter.take('a');
    assert.throws(() => limiter.take('a'), (e: ProblemError) => e.status === 429 && Number(e.headers?.['Retry-After']) === 60);
    limiter.take('b');
    for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`);
    assert.doesNotThrow(() => limiter.take('fresh'));
  });
});

describe('nothing private leaves the proxy', () => {
  test('lookup, checkout, spend, payment and receipt: masked name and phone only', async () => {
    const call = await startProxy();
    const created = await call('POST', '/checkouts', { cartId: 'c1' });
    const id = created.body.id as string;
    const replies = [
      await call('POST', `/checkouts/${id}/customer`, { query: '+7 920 123-45-67' }),
      await call('GET', `/checkouts/${id}`),
      await call('PUT', `/checkouts/${id}/spend`, { amount: 10000 }),
      await call('POST', `/checkouts/${id}/payments`, { method: 'card' }, { 'Idempotency-Key': `private-${id}` }),
      await call('GET', `/checkouts/${id}`),
    ];
    for (const reply of replies) {
      assert.ok(reply.status < 300, reply.text);
      assert.deepEqual(reply.body.customer, { displayName: 'Ив** П.', maskedPhone: '•••• 67' });
      assertNothingPrivate(reply.text);
    }
    assert.equal(replies[4]!.body.receipt.spent.points, 100);
  });

  test('problems say what went wrong without echoing what was typed or the provider\'s data', async () => {
    const call = await startProxy();
    const { body } = await call('POST', '/checkouts', { cartId: 'c1' });
    const missing = await call('POST', `/checkouts/${body.id}/customer`, { query: '79209999999' });
    assert.equal(missing.status, 404);
    assert.ok(!missing.text.includes('79209999999'), missing.text);
    assertNothingPrivate(missing.text);
  });

  test('the operator may reveal the full name (a till), never the rest', async () => {
    const call = await startProxy({ privacy: { revealName: true } });
    const { body } = await call('POST', '/checkouts', { cartId: 'c1' });
    const reply = await call('POST', `/checkouts/${body.id}/customer`, { query: '2000000000018' });
    assert.equal(reply.body.customer.displayName, 'Иван Петров');
    assertNothingPrivate(reply.text, ['Петров', '2000000000018']);
    assert.ok(!reply.text.includes('2000000000018'), 'the card typed is not echoed');
  });

  test('masks hold for short, single and non-Latin names, and for short numbers', () => {
    assert.equal(maskName('Иван Петров'), 'Ив** П.');
    assert.equal(maskName('Al'), 'A*');
    assert.equal(maskName('X'), 'X');
    assert.equal(maskName('  Jean-Pierre   de la Tour '), 'Je**** d. l. T.');
    assert.equal(maskName('李小龙'), '李小*');
    assert.equal(maskDigits('+7 (920) 123-45-67', 2), '•••• 67');
    assert.equal(maskDigits('12', 2), '••');
    const shown = publicCustomer({ providerId: 'p', name: 'Ann Lee', phone: '5551234', card: '4000123412341234', email: 'a@b.c', data: { birthday: '2000-01-01' } });
    assert.deepEqual(shown, { displayName: 'An* L.', maskedPhone: '•••• 34', maskedCard: '•••• 1234' });
  });
});

describe('browser-side guards', () => {
  test('state changes need an allowed Origin; a cross-site call without one is refused', async () => {
    const call = await startProxy();
    const cases: Array<[Record<string, string>, number]> = [
      [{ origin: ORIGIN, 'sec-fetch-site': 'cross-site' }, 201],
      [{ 'sec-fetch-site': 'same-origin' }, 201],
      [{}, 201], // a server-side client (no browser headers)
      [{ 'sec-fetch-site': 'cross-site' }, 403],
      [{ origin: 'null' }, 403],
      [{ origin: 'https://shop.example.evil.test' }, 403],
      [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-site' }, 403],
    ];
    for (const [headers, status] of cases) {
      const reply = await call('POST', '/checkouts', { cartId: 'c1' }, headers);
      assert.equal(reply.status, status, JSON.stringify(headers));
      assert.notEqual(reply.headers.get('access-control-allow-origin'), '*');
    }
    const id = (await call('POST', '/checkouts', { cartId: 'c1' })).body.id;
    for (const [method, path, body] of [
      ['DELETE', `/checkouts/${id}/customer`, undefined],
      ['PUT', `/checkouts/${id}/spend`, { amount: 0 }],
      ['POST', `/checkouts/${id}/payments`, { method: 'card' }],
    ] as const) {
      assert.equal((await call(method, path, body, { 'sec-fetch-site': 'cross-site', 'Idempotency-Key': 'cross-site-key' })).status, 403, `${method} ${path}`);
    }
    const preflight = await fetch(`${running.at(-1)!.server.url}/checkout-api/v1/checkouts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('a chunked body over the limit (no Content-Length) is a 413 too', async () => {
    await startProxy({});
    const { url } = running.at(-1)!.server;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/checkout-api/v1/checkouts`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"cartId":"c1","padding":"');
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
      req.end('"}');
    });
    assert.equal(status, 413);
  });
});
