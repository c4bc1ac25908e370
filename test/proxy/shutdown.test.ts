import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { clients, TEST_SECRET_KEY } from '../support/start-proxy.js';

/**
 * The Node entry stops without cutting a sale in half: on SIGTERM `/readyz` fails first, the
 * request in flight (a slow provider) finishes and records its sale once, then the process
 * exits 0. Run as an operator runs it: a child process with a configuration file.
 */
const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
const RETAIL = '/integration/general/retail';

before(async () => {
  upstream = await listen(simulator.app);
});
after(() => upstream.close());

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

async function startEntry(): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-shutdown-'));
  const file = join(dir, 'checkout.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      secretKeys: ['${SHOP_KEY}'],
      loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, timeoutMs: 5000 },
      shutdown: { readinessDelayMs: 400, graceMs: 5000 },
    }),
  );
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/serve.ts'], { env: { ...process.env, CHECKOUT_CONFIG: file, CHECKOUT_PORT: String(port), SHOP_KEY: TEST_SECRET_KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const deadline = Date.now() + 20_000;
  while (!text.includes('listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the proxy did not start: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, base: `http://127.0.0.1:${port}/checkout-api/v1`, output: () => text };
}

test('SIGTERM: readiness fails first, the sale in flight finishes once, then the process exits 0', async () => {
  const { child, base, output } = await startEntry();
  const { checkout, server, call } = clients(base);
  assert.equal((await call('GET', '/../readyz')).status, 200);
  const order = await checkout({ cart: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] }, customer: { query: '2000000000018' } });
  // The provider takes a second to record the sale.
  simulator.faults.add({ kind: 'latency', ms: 1000, path: RETAIL, times: 1 });
  const paying = server('POST', `/checkouts/${order.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'psp-1' }, { 'Idempotency-Key': `drain-${order.id}` });
  await new Promise((resolve) => setTimeout(resolve, 150));
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const readiness = await call('GET', '/../readyz');
  assert.equal(readiness.status, 503, 'not ready while draining');
  assert.equal(readiness.body.checks.draining, false);
  const paid = await paying;
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  assert.equal(paid.body.status, 'paid');
  const [code] = await exited;
  assert.equal(code, 0, output());
  assert.equal(simulator.journal.count('POST', RETAIL), 1, 'one sale, whole');
  await assert.rejects(fetch(`${base}/capabilities`), 'nothing listens any more');
  assert.match(output(), /SIGTERM: not ready any more/);
});
