import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { SCENARIOS } from '../../demo/scenarios.js';
import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';
import { browserFiles } from '../../scripts/sri.js';
import { TEST_SECRET_KEY } from '../support/start-proxy.js';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';

/**
 * Secrets and provider addresses stay on the server: the drop-in bundle built from
 * `rollup.config.mjs` holds none of the demo's configured credentials or provider URLs (nor
 * any provider API path, which would mean proxy code leaked into the widget), and the proxy's
 * problems and logs hold none either when a provider or Redis fails.
 */
const FAKE_PROVIDER_URL = 'http://loyalty-provider.invalid:4711/account-0042';

/** Credential-like settings of every demo scenario, and their base URLs. */
function configuredSecrets(): string[] {
  const found = new Set<string>([FAKE_PROVIDER_URL, 'loyalty-provider.invalid']);
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/url$|key|secret|password|token|login|user|client|point|organi[sz]ation|unit|store|app/i.test(key) && value.length >= 6) found.add(value);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  for (const scenario of SCENARIOS) walk(scenario.loyalty(FAKE_PROVIDER_URL), 'loyalty');
  // The shop's own secrets: its key for the server API and its webhook signing secret.
  found.add(TEST_SECRET_KEY).add(TEST_WEBHOOK_SECRET);
  return [...found];
}

test('the built drop-in bundle holds no configured secret, provider URL or provider API path', async () => {
  const configs = (await import('../../rollup.config.mjs')).default as RollupOptions[];
  for (const config of configs) {
    const bundle = await rollup({ ...config, onwarn: () => {} });
    for (const output of ([] as OutputOptions[]).concat(config.output ?? [])) await bundle.write(output);
    await bundle.close();
  }
  // What a browser loads: the drop-in, its chunks and the per-element entries (not the compiled
  // server in dist/server, nor the types).
  const files = browserFiles('dist').map((file) => join('dist', file));
  assert.ok(files.some((f) => f.endsWith('checkout-elements.js')), `built: ${files.join(', ')}`);
  const secrets = configuredSecrets();
  assert.ok(secrets.length >= 8, `found only ${secrets.join(', ')}`);
  // Proxy-side code in the bundle would show through these.
  const serverOnly = ['/integration/general', 'oauth/v2/token', 'x-gravitee-api-key', 'apikey', 'Idempotency-Replayed: true', 'redis://', 'ioredis', 'cockatiel', 'undici'];
  let scanned = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    scanned += text.length;
    for (const needle of [...secrets, ...serverOnly]) assert.ok(!text.includes(needle), `${file} contains ${needle}`);
  }
  console.log(`secrets: ${files.length} files (${scanned} characters) in dist/ checked for ${secrets.length} configured values and ${serverOnly.length} server-only markers`);
});

test('a failing provider or Redis: no secret, provider URL or Redis password in problems or logs', async () => {
  const logs: string[] = [];
  const log = (message: string, error?: unknown) => void logs.push(`${message} ${error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error ?? '')}`);
  const apiKey = 'sk-live-9f8e7d6c5b4a';
  // A closed port: the provider cannot be reached.
  const closed = await listen({ fetch: () => new Response(null) });
  await closed.close();
  const providerUrl = `${closed.url}/tenant-7731`;
  const carts = { c1: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100 }] } };
  const loyalty = { provider: 'ru-loyalty', baseUrl: providerUrl, apiKey, pointId: 'point-secret-1234', timeoutMs: 500 };

  const shop = { authorization: `Bearer ${TEST_SECRET_KEY}` };
  const proxy = createProxyFromConfig(parseConfig({ secretKeys: [TEST_SECRET_KEY], loyalty, carts }), { log });
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    proxy.app.fetch(new Request(`http://proxy.test/checkout-api/v1${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) }));
  const created = (await (await send('POST', '/server/checkouts', { cartId: 'c1' }, shop)).json()) as { checkout: { id: string }; clientSecret: string };
  const lookup = await send('POST', `/checkouts/${created.checkout.id}/customer`, { query: '2000000000018' }, { authorization: `Bearer ${created.clientSecret}` });
  assert.equal(lookup.status, 502);
  const texts = [await lookup.text()];
  // The shop's server vouching for a customer the provider cannot be asked about.
  const vouched = await send('POST', '/server/checkouts', { cartId: 'c1', customer: { query: '2000000000018' } }, shop);
  assert.ok([502, 503].includes(vouched.status), String(vouched.status));
  texts.push(await vouched.text());
  await proxy.close();

  const redisPassword = 'redis-pass-5e4d3c';
  const withRedis = createProxyFromConfig(parseConfig({ secretKeys: [TEST_SECRET_KEY], loyalty, carts, redis: { url: `redis://:${redisPassword}@${new URL(closed.url).host}/0` } }), { log });
  const send2 = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    withRedis.app.fetch(new Request(`http://proxy.test/checkout-api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));
  const failed = await send2('/server/checkouts', { cartId: 'c1', reference: 'order-1' }, shop);
  assert.equal(failed.status, 500, 'no store, no checkout');
  texts.push(await failed.text());
  await withRedis.close();

  assert.ok(logs.some((l) => /Redis/.test(l)), `logs: ${logs.join(' | ')}`);
  for (const text of [...texts, ...logs]) {
    for (const secret of [apiKey, 'point-secret-1234', 'tenant-7731', closed.url, redisPassword, TEST_SECRET_KEY, created.clientSecret]) assert.ok(!text.includes(secret), `"${secret}" in: ${text}`);
  }
});
