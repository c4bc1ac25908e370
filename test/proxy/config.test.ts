import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/proxy/config.js';

/** The proxy's configuration is validated at start, with every problem named by its path. */
const minimal = { loyalty: { provider: 'ru-loyalty', baseUrl: 'https://loyalty.example/api', apiKey: '${RU_KEY}', pointId: 'p1' } };

test('defaults are filled in and ${NAME} is read from the environment', () => {
  const config = parseConfig(minimal, { RU_KEY: 'secret-key' });
  assert.equal(config.port, 8787);
  assert.equal(config.basePath, '/checkout-api');
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.unknownOutcomeSettleMs, 30_000);
  assert.deepEqual(config.lookupRateLimit, { perClient: 30, perCheckout: 10, windowMs: 60_000 });
  assert.equal(config.loyalty.provider === 'ru-loyalty' && config.loyalty.apiKey, 'secret-key');
  assert.equal(parseConfig({ ...minimal, unknownOutcomeSettleMs: 5000 }, { RU_KEY: 'k' }).unknownOutcomeSettleMs, 5000);
});

test('a missing environment variable is named', () => {
  assert.throws(() => parseConfig(minimal, {}), (error: Error) => error instanceof ConfigError && /RU_KEY/.test(error.message));
});

test('every invalid setting is reported with its path', () => {
  const bad = { port: 'eighty', allowedOrigins: ['not a url'], loyalty: { provider: 'ru-loyalty', baseUrl: 'nope', apiKey: 'k' } };
  assert.throws(
    () => parseConfig(bad, {}),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      for (const path of ['port', 'allowedOrigins.0', 'loyalty.baseUrl', 'loyalty.pointId']) assert.match(error.message, new RegExp(`- ${path.replace('.', '\\.')}:`), path);
      return true;
    },
  );
  assert.throws(() => parseConfig({ loyalty: { provider: 'nobody' } }, {}), ConfigError);
});

test('the Node entry refuses to start on a bad file, with the message and exit code 78', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-config-'));
  const file = join(dir, 'checkout.config.json');
  writeFileSync(file, JSON.stringify({ loyalty: { provider: 'ru-loyalty', baseUrl: 'nope', apiKey: 'k', pointId: 'p' } }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/proxy/server.ts'], { env: { ...process.env, CHECKOUT_CONFIG: file }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 78, run.stderr);
  assert.match(run.stderr, /loyalty\.baseUrl/);
});
