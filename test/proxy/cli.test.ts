import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { CRMCOM_DEMO_UNIT, CRMCOM_DEMO_USER, createCrmcomSimulator } from '../../src/simulators/crmcom/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { TEST_SECRET_KEY } from '../support/start-proxy.js';

/** `checkout-proxy check`: validates a configuration and tries each provider's credentials, moving nothing. */
const ru = createRuLoyaltySimulator();
const crm = createCrmcomSimulator();
let ruServer: RunningServer;
let crmServer: RunningServer;
before(async () => {
  ruServer = await listen(ru.app);
  crmServer = await listen(crm.app);
});
after(async () => {
  await ruServer.close();
  await crmServer.close();
});

/** Runs the command in a child process (not blocking this one, whose simulators must answer). */
function check(config: unknown): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-check-'));
  const file = join(dir, 'checkout.config.json');
  writeFileSync(file, JSON.stringify(config));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', 'check', file], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('good credentials pass; nothing is recorded at the provider', async () => {
  const run = await check({ secretKeys: [TEST_SECRET_KEY], loyalty: { provider: 'ru-loyalty', baseUrl: ruServer.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT } });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /✓ configuration: valid/);
  assert.match(run.stdout, /✓ loyalty \(ru-loyalty\): API key and point accepted/);
  assert.equal(ru.journal.count('POST', '/integration/general/retail'), 0);
  assert.equal(ru.journal.count('POST', '/integration/general/bonuses/hold'), 0);
});

test('a wrong point, a wrong key, a refused login: each named, exit 1', async () => {
  const point = await check({ secretKeys: [TEST_SECRET_KEY], loyalty: { provider: 'ru-loyalty', baseUrl: ruServer.url, apiKey: RU_DEMO_API_KEY, pointId: 'no-such-point' } });
  assert.equal(point.status, 1, point.stdout);
  assert.match(point.stdout, /✗ loyalty \(ru-loyalty\)/);
  const key = await check({ secretKeys: [TEST_SECRET_KEY], loyalty: { provider: 'ru-loyalty', baseUrl: ruServer.url, apiKey: 'wrong-key', pointId: RU_DEMO_POINT } });
  assert.equal(key.status, 1, key.stdout);
  const login = await check({ secretKeys: [TEST_SECRET_KEY], loyalty: { provider: 'crmcom', baseUrl: crmServer.url, username: CRMCOM_DEMO_USER.username, password: 'wrong', organisation: CRMCOM_DEMO_USER.organisation, unit: CRMCOM_DEMO_UNIT } });
  assert.equal(login.status, 1, login.stdout);
  assert.match(login.stdout, /✗ loyalty \(crmcom\)/);
  for (const run of [point, key, login]) assert.ok(!run.stdout.includes('wrong-key') && !run.stdout.includes(RU_DEMO_API_KEY), 'no secret printed');
});

test('an invalid file exits 78 with the path of each problem', async () => {
  const run = await check({ loyalty: { provider: 'ru-loyalty', baseUrl: 'nope' } });
  assert.equal(run.status, 78);
  assert.match(run.stderr, /loyalty\.baseUrl/);
});
