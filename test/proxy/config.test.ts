import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/proxy/config.js';

/** The proxy's configuration is validated at start, with every problem named by its path. */
const minimal = { secretKeys: ['${SHOP_KEY}'], loyalty: { provider: 'ru-loyalty', baseUrl: 'https://loyalty.example/api', apiKey: '${RU_KEY}', pointId: 'p1' } };
const env = { RU_KEY: 'secret-key', SHOP_KEY: 'sk_live_0123456789abcdefghijklmn' };

test('defaults are filled in and ${NAME} is read from the environment', () => {
  const config = parseConfig(minimal, env);
  assert.deepEqual(config.secretKeys, [env.SHOP_KEY]);
  assert.equal(config.trustProxy, 0);
  assert.equal(config.webhooks, undefined);
  assert.equal(config.port, 8787);
  assert.equal(config.basePath, '/checkout-api');
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.unknownOutcomeSettleMs, 30_000);
  assert.deepEqual(config.lookupRateLimit, { perClient: 30, perCheckout: 10, windowMs: 60_000 });
  assert.equal(config.loyalty.provider === 'ru-loyalty' && config.loyalty.apiKey, 'secret-key');
  assert.equal(parseConfig({ ...minimal, unknownOutcomeSettleMs: 5000 }, env).unknownOutcomeSettleMs, 5000);
});

test('a missing environment variable is named', () => {
  assert.throws(() => parseConfig(minimal, {}), (error: Error) => error instanceof ConfigError && /RU_KEY/.test(error.message) && /SHOP_KEY/.test(error.message));
});

test('every invalid setting is reported with its path', () => {
  const bad = { port: 'eighty', secretKeys: ['short'], allowedOrigins: ['not a url'], webhooks: { url: 'https://shop.example/hooks', secrets: ['plain'] }, loyalty: { provider: 'ru-loyalty', baseUrl: 'nope', apiKey: 'k' } };
  assert.throws(
    () => parseConfig(bad, {}),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      for (const path of ['port', 'secretKeys.0', 'allowedOrigins.0', 'webhooks.secrets.0', 'loyalty.baseUrl', 'loyalty.pointId']) assert.match(error.message, new RegExp(`- ${path.replaceAll('.', '\\.')}:`), path);
      return true;
    },
  );
  assert.throws(() => parseConfig({ loyalty: { provider: 'nobody' } }, {}), ConfigError);
  // No secret key: the shop's server could never create a checkout.
  assert.throws(() => parseConfig({ loyalty: minimal.loyalty }, env), (error: Error) => /secretKeys/.test(error.message));
});

test('the app code pattern of the Russian loyalty API is a regular expression, with a six-digit default', () => {
  const loyalty = (config: ReturnType<typeof parseConfig>) => (config.loyalty.provider === 'ru-loyalty' ? config.loyalty.appCodePattern : undefined);
  assert.equal(loyalty(parseConfig(minimal, env)), '^\\d{6}$');
  assert.equal(loyalty(parseConfig({ ...minimal, loyalty: { ...minimal.loyalty, appCodePattern: '^[A-Z0-9]{8}$' } }, env)), '^[A-Z0-9]{8}$');
  assert.throws(
    () => parseConfig({ ...minimal, loyalty: { ...minimal.loyalty, appCodePattern: '^\\d{6' } }, env),
    (error: Error) => error instanceof ConfigError && /- loyalty\.appCodePattern:.*regular expression/.test(error.message),
  );
});

test('the Node entry refuses to start on a bad file, with the message and exit code 78', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-config-'));
  const file = join(dir, 'checkout.config.json');
  writeFileSync(file, JSON.stringify({ loyalty: { provider: 'ru-loyalty', baseUrl: 'nope', apiKey: 'k', pointId: 'p' } }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/serve.ts'], { env: { ...process.env, CHECKOUT_CONFIG: file }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 78, run.stderr);
  assert.match(run.stderr, /loyalty\.baseUrl/);
});
