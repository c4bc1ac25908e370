import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { clients, TEST_SECRET_KEY } from '../support/start-proxy.js';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';
import { launchChromium } from './browser.js';

/**
 * The package as merchants and operators get it (SPEC §4b):
 * 1. the tarball `npm pack` makes from a clean copy of the repository, installed with its
 *    production dependencies in a scratch shop app outside the repository
 *    (test/fixtures/shop-app), whose page and proxy use only what the package exports;
 * 2. the compiled proxy deployed with `npm ci --omit=dev` and run with `npm run proxy`.
 * Every npm install prefers the cache `npm ci` filled (--prefer-offline): the scratch app starts
 * from the production part of the repository's lockfile, so it needs no registry metadata.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SHOP_FIXTURE = join(REPO, 'test/fixtures/shop-app');
const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];
const RETAIL = '/integration/general/retail';
const BUILD_TIMEOUT = 15 * 60_000;

const simulator = createRuLoyaltySimulator();
let upstream: RunningServer;
let work: string;
/** A copy of the repository as a fresh clone holds it (no dist/), where `npm pack` builds and packs. */
let checkout: string;
let tarball: string;

before(
  async () => {
    upstream = await listen(simulator.app);
    work = await mkdtemp(join(tmpdir(), 'checkout-package-'));
    checkout = join(work, 'repo');
    // The sources as they are now (committed or not), without what a build or an install leaves.
    const leftovers = new Set(['.git', 'node_modules', 'dist', 'test-results'].map((name) => join(REPO, name)));
    await cp(REPO, checkout, { recursive: true, filter: (source) => !leftovers.has(resolve(source)) });
    await symlink(join(REPO, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    // `npm pack` builds through `prepack`: what it packs is built from the sources, never a stale dist/.
    const packed = await run('npm', ['pack', '--pack-destination', work], { cwd: checkout, env: npmEnv(), timeoutMs: BUILD_TIMEOUT });
    assert.equal(packed.code, 0, packed.stdout + packed.stderr);
    const name = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    assert.ok(name, 'npm pack made a tarball');
    tarball = join(work, name);
  },
  { timeout: BUILD_TIMEOUT },
);

after(async () => {
  await upstream?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the tarball, installed in a merchant\'s shop app', () => {
  let shopDir: string;
  let installed: string;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;

  before(
    async () => {
      shopDir = join(work, 'shop');
      await cp(SHOP_FIXTURE, shopDir, { recursive: true });
      await writeFile(join(shopDir, 'package-lock.json'), JSON.stringify(await productionLockfile('scratch-shop'), null, 2));
      const install = await run('npm', ['install', '--omit=dev', ...INSTALL_FLAGS, tarball], { cwd: shopDir, env: npmEnv(), timeoutMs: 5 * 60_000 });
      assert.equal(install.code, 0, install.stdout + install.stderr);
      installed = join(shopDir, 'node_modules/checkout-elements');
      shop = await startShop(shopDir);
      browser = await launchChromium();
    },
    { timeout: 6 * 60_000 },
  );
  after(async () => {
    await browser?.close();
    if (shop) await stop(shop.child);
  });

  test('the tarball holds the built package and its docs, no test, demo, simulator or source file', async (t) => {
    const files = await walk(installed);
    const paths = files.map((f) => relative(installed, f).split(sep).join('/'));
    const unpacked = (await Promise.all(files.map((f) => stat(f)))).reduce((sum, s) => sum + s.size, 0);
    t.diagnostic(`tarball: ${(await stat(tarball)).size} bytes, ${paths.length} files, ${unpacked} bytes unpacked`);
    for (const expected of ['package.json', 'README.md', 'custom-elements.json', 'dist/checkout-elements.js', 'dist/server/node/cli.js', 'dist/server/node/index.js', 'docs/integrate.md', 'docs/operator-guide.md']) {
      assert.ok(paths.includes(expected), `${expected} is in the tarball`);
    }
    const unwanted = paths.filter((p) => /(^|\/)(test|tests|demo|examples|scripts|src|simulators?|node_modules)\//.test(p) || /simulator|\.test\.|\.spec\./.test(p) || (/\.(ts|tsx|mts|cts)$/.test(p) && !p.endsWith('.d.ts')));
    assert.deepEqual(unwanted, []);
    // Every browser file is loaded by an entry point: no chunk left over from an older build.
    const browserFiles = paths.filter((p) => p.endsWith('.js') && p.startsWith('dist/') && !p.startsWith('dist/server/'));
    const entries = ['dist/checkout-elements.js', ...paths.filter((p) => /^dist\/elements\/[^/]+\.js$/.test(p))];
    const reachable = new Set<string>();
    for (const entry of entries) for (const file of await imports(join(installed, entry), true)) reachable.add(relative(installed, file).split(sep).join('/'));
    assert.deepEqual(browserFiles.filter((p) => !reachable.has(p)), [], 'orphan browser files');
  });

  test('every entry point resolves through the exports map to a file of the installed package', async (t) => {
    for (const conditions of [[], ['--conditions=types']]) {
      const printed = await run(process.execPath, [...conditions, 'resolve.mjs'], { cwd: shopDir });
      assert.equal(printed.code, 0, printed.stderr);
      const { tags, resolved } = JSON.parse(printed.stdout) as { tags: string[]; resolved: Record<string, string | { error: string }> };
      // The tags come from checkout-elements/custom-elements.json, read where it resolves.
      assert.deepEqual([...tags].sort(), ['checkout-pay', 'checkout-session', 'customer-lookup', 'eligibility-check', 'loyalty-balance']);
      for (const specifier of ['checkout-elements', 'checkout-elements/elements/customer-lookup', 'checkout-elements/custom-elements.json', 'checkout-elements/proxy', 'checkout-elements/proxy/node']) {
        assert.ok(specifier in resolved, `${specifier} is exported`);
      }
      for (const [specifier, file] of Object.entries(resolved)) {
        assert.equal(typeof file, 'string', `${specifier} ${conditions.join(' ')}: ${JSON.stringify(file)}`);
        assert.ok(!relative(installed, file as string).startsWith('..'), `${specifier} resolves inside the installed package, not ${file}`);
        assert.ok(await stat(file as string).catch(() => undefined), `${specifier} ${conditions.join(' ')} → ${relative(installed, file as string)} exists in the tarball`);
        if (!conditions.length && (file as string).endsWith('.js')) {
          const closure = await imports(file as string, false);
          const sizes = await Promise.all([...closure].map(async (f) => ({ raw: (await stat(f)).size, gzip: gzipSync(await readFile(f)).length })));
          t.diagnostic(`${specifier} → ${relative(installed, file as string)}: ${sizes.reduce((s, x) => s + x.raw, 0)} bytes (${sizes.reduce((s, x) => s + x.gzip, 0)} gzip) in ${closure.size} files with its static imports`);
        }
      }
    }
  });

  test('the shop\'s page: lookup, pay with the shop\'s PSP, receipt; one retail operation and a verified checkout.paid webhook', async () => {
    const { page, problems } = await open(browser, `${shop.origin}/?order=order-package-1`);
    const retails = simulator.journal.count('POST', RETAIL);
    // The page's script is the installed package's bundle, served by the shop from its node_modules.
    const scripts = await page.evaluate(() => [...document.querySelectorAll('script[src]')].map((s) => (s as HTMLScriptElement).src));
    assert.ok(scripts.some((src) => src.endsWith('/assets/checkout-elements.js')), scripts.join(' '));
    assert.equal(shop.ready.bundle, join(installed, 'dist/checkout-elements.js'), 'the shop resolved the bundle in its own node_modules');

    const field = page.getByLabel('Loyalty card, phone or app code');
    await field.fill('2000000000032');
    await field.press('Enter');
    await page.getByText('Hello, Ол** С.').waitFor();
    await page.locator('checkout-pay').getByRole('button', { name: /^Pay / }).click();
    const psp = page.getByRole('dialog', { name: 'Fake PSP' });
    await psp.waitFor();
    assert.match(await psp.innerText(), /999\.9 RUB/);
    await psp.getByRole('button', { name: 'Pay with the fake card' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is paid' }).waitFor();
    assert.equal(simulator.journal.count('POST', RETAIL) - retails, 1, 'one retail operation');

    const checkoutId = await page.evaluate(() => (document.getElementById('checkout') as HTMLElement & { state: { checkout: { id: string } } }).state.checkout.id);
    const paid = await waitFor(async () => {
      const received = (await (await fetch(`${shop.origin}/received-webhooks`)).json()) as Array<{ type: string; checkout: string; status: string }>;
      return received.find((w) => w.checkout === checkoutId && w.type === 'checkout.paid');
    }, 'a verified checkout.paid webhook');
    assert.equal(paid.status, 'paid');
    // The shop verifies what it receives: a forged message is refused.
    const forged = await fetch(`${shop.origin}/checkout-webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' },
      body: JSON.stringify({ type: 'checkout.paid', data: { checkout: { id: checkoutId, status: 'paid' } } }),
    });
    assert.equal(forged.status, 400);
    assert.deepEqual(problems, [], 'nothing went wrong on the page');
    await page.close();
  });

  test('one element alone loads from its own entry point and defines only its tag', async () => {
    const { page, problems } = await open(browser, `${shop.origin}/lookup-only`);
    await page.waitForFunction(() => customElements.get('customer-lookup') !== undefined);
    const defined = await page.evaluate(() => ['checkout-session', 'customer-lookup', 'loyalty-balance', 'eligibility-check', 'checkout-pay'].filter((tag) => customElements.get(tag)));
    assert.deepEqual(defined, ['customer-lookup']);
    assert.ok(await page.evaluate(() => document.querySelector('customer-lookup')!.shadowRoot !== null), 'the element rendered');
    assert.deepEqual(problems, [], 'nothing went wrong on the page');
    await page.close();
  });
});

describe('the compiled proxy, deployed with production dependencies only', () => {
  let deploy: string;
  let configFile: string;

  before(
    async () => {
      deploy = join(work, 'deploy');
      await mkdir(deploy);
      for (const item of ['dist', 'package.json', 'package-lock.json']) await cp(join(checkout, item), join(deploy, item), { recursive: true });
      const install = await run('npm', ['ci', '--omit=dev', ...INSTALL_FLAGS], { cwd: deploy, env: npmEnv(), timeoutMs: 5 * 60_000 });
      assert.equal(install.code, 0, install.stdout + install.stderr);
      configFile = join(deploy, 'checkout.config.json');
      await writeFile(
        configFile,
        JSON.stringify({
          host: '127.0.0.1',
          port: 0,
          secretKeys: ['${CHECKOUT_SECRET_KEY}'],
          loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: '${RU_LOYALTY_API_KEY}', pointId: RU_DEMO_POINT },
          metrics: { token: '${METRICS_TOKEN}' },
        }),
      );
    },
    { timeout: 6 * 60_000 },
  );

  const env = () => npmEnv({ CHECKOUT_CONFIG: configFile, CHECKOUT_SECRET_KEY: TEST_SECRET_KEY, RU_LOYALTY_API_KEY: RU_DEMO_API_KEY, METRICS_TOKEN: 'metrics-token-0123456789' });

  test('no development dependency is installed', async () => {
    const modules = await readdir(join(deploy, 'node_modules'));
    for (const dev of ['typescript', 'tsx', 'rollup', 'lit', 'playwright-core', 'esbuild']) assert.ok(!modules.includes(dev), `${dev} is not installed`);
    assert.ok(modules.includes('hono'));
  });

  test('npx checkout-proxy check <file> validates it and reaches the provider', async () => {
    const checked = await run('npx', ['--no', 'checkout-proxy', 'check', configFile], { cwd: deploy, env: env(), timeoutMs: 60_000 });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /✓ configuration: valid/);
    assert.match(checked.stdout, /✓ loyalty \(ru-loyalty\)/);
  });

  test('npm run proxy: a full sale over HTTP, health and readiness; SIGTERM to npm alone stops the server, exit 0, port free', async () => {
    // Its own process group, so that a failure below can still stop whatever npm started.
    const child = spawn('npm', ['run', 'proxy'], { cwd: deploy, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const listening = await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`npm run proxy exited: ${output}`);
        return logLines(output).find((line) => line.msg === 'listening');
      }, 'the proxy listening');
      const url = new URL(String(listening.url));
      assert.equal(url.hostname, '127.0.0.1');
      const { call, server, checkout: create } = clients(`${url.href}/v1`);
      const health = await call('GET', '/../healthz');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      const ready = await call('GET', '/../readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'ready');

      // The shop's server creates the checkout for its signed-in shopper (vouched: may spend points).
      const ivan = simulator.client('62a000000000000000000001')!;
      const before = ivan.balance;
      const retails = simulator.journal.count('POST', RETAIL);
      const sale = await create({ reference: 'order-deployed-1', cart: { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] }, customer: { query: '2000000000018' } });
      const spent = await sale.page('PUT', '/spend', { amount: 20000 });
      assert.equal(spent.status, 200, JSON.stringify(spent.body));
      assert.deepEqual(spent.body.amountDue, { amount: 80000, currency: 'RUB' });
      const confirmed = await server('POST', `/checkouts/${sale.id}/payments`, { method: 'external', amount: { amount: 80000, currency: 'RUB' }, pspReference: 'psp_deployed_1' }, { 'Idempotency-Key': `deployed-${sale.id}` });
      assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body));
      assert.equal(confirmed.body.status, 'paid');
      assert.equal(simulator.journal.count('POST', RETAIL) - retails, 1, 'one retail operation');
      assert.equal(ivan.balance, before - 200, 'the points were spent');
      const metrics = await fetch(new URL(`${url.pathname}/metrics`, url), { headers: { authorization: 'Bearer metrics-token-0123456789' } });
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^# HELP /m);

      // The signal goes to npm only; npm passes it to the server, which drains and exits 0.
      assert.ok(child.kill('SIGTERM'));
      const draining = await waitFor(async () => ((await call('GET', '/../readyz')).status === 503 ? true : undefined), 'readiness failing while draining');
      assert.ok(draining);
      const [code, signal] = await withTimeout(exited, 30_000, () => `npm did not exit after SIGTERM: ${output}`);
      assert.equal(signal, null, output);
      assert.equal(code, 0, output);
      assert.match(output, /SIGTERM: not ready any more/);
      assert.ok(logLines(output).some((line) => line.msg === 'stopped'), output);
      assert.equal(await accepts(url), false, 'nothing answers on the port any more');
      assert.ok(await canListen(Number(url.port)), 'the port is free');
      assert.throws(() => process.kill(-child.pid!, 0), { code: 'ESRCH' }, 'no process npm started is left');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group is gone: everything stopped.
      }
    }
  });
});

/** The environment for a child npm: this process's, without what an outer `npm run` set for its own project. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cafile']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.has(key.toLowerCase())));
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr + (error && typeof error.code !== 'number' ? `\n${error.message}` : '') }),
    );
  });
}

/**
 * The scratch app's lockfile: the production packages of the repository's lockfile (the
 * versions the repository is tested with, which `npm ci` put in the npm cache). npm then
 * resolves the tarball's dependencies to them without asking the registry for metadata.
 */
async function productionLockfile(name: string) {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const packages = Object.fromEntries(Object.entries(lock.packages).filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev));
  return { name, lockfileVersion: 3, requires: true, packages: { '': { name }, ...packages } };
}

/** Starts the shop app (`node server.mjs`) and waits for the line it prints once it listens. */
async function startShop(dir: string) {
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: { ...npmEnv(), PORT: '0', CHECKOUT_SECRET_KEY: TEST_SECRET_KEY, CHECKOUT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, RU_LOYALTY_URL: upstream.url, RU_LOYALTY_API_KEY: RU_DEMO_API_KEY, RU_LOYALTY_POINT: RU_DEMO_POINT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const ready = await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`the shop app exited: ${output}`);
    return logLines(output).find((line) => typeof line.listening === 'string');
  }, 'the shop app listening');
  return { child, origin: String(ready.listening), ready, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Opens a page and collects what goes wrong on it: script errors, console errors (a CSP violation is one), failed loads. */
async function open(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => void (message.type() === 'error' && problems.push(`console error: ${message.text()}`)));
  page.on('response', (response) => void (response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`)));
  await page.goto(url);
  return { page, problems };
}

/** The JSON lines of a process's output (the proxy's logs, the shop's ready line). */
function logLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown;
      return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** The files a module loads within its package: its static imports (and with `dynamic`, its literal dynamic imports), transitively. */
async function imports(entry: string, dynamic: boolean): Promise<Set<string>> {
  const seen = new Set<string>();
  const todo = [resolve(entry)];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const [, call, specifier] of source.matchAll(/(?:\bfrom|\bimport)\s*(\()?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      if (!call || dynamic) todo.push(resolve(dirname(file), specifier!));
    }
  }
  return seen;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return (await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])))).flat();
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)))]).finally(() => clearTimeout(timer));
}

/** Whether something accepts TCP connections at the URL's host and port. */
function accepts(url: URL): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

async function canListen(port: number): Promise<boolean> {
  const probe = createServer();
  try {
    probe.listen(port, '127.0.0.1');
    await once(probe, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}
