/**
 * `npm run bench:page`: the side-by-side browser benchmark. Our built drop-in on a merchant page
 * like the README's (a `<checkout-session>` with a client secret from a proxy started here with
 * the ru-loyalty simulator), with `locale="en"` and `locale="fr"`, against the peers a merchant
 * would pick instead (Adyen Web core + Card, Adyen's Drop-in, Primer Checkout), installed on
 * demand into `.bench/peers/` and rendered as far as they go offline. Headless Debian Chromium
 * (CHROME_PATH to override), everything on 127.0.0.1. Prints figures; asserts none.
 *
 *     npm run bench:page -- [--runs 7] [--rates 1,4] [--no-build] [--no-peers]
 *
 * Per page and CPU rate, over `--runs` cold loads (a fresh browser context each), min / median /
 * max of: scripts served (gzip -9), wall time until rendered and idle (last DOM change before
 * 1 s without any, none of the page's requests in flight), main-thread script and task time
 * (CDP Performance.getMetrics ScriptDuration / TaskDuration, including our instrument's small
 * share), long tasks. Ours only: per interaction (lookup, app code, spend change) the same, and
 * Lit render cycles per element (each element class's `update()` wrapped from the page); and
 * whether English shows before French with `locale="fr"` (text of the shadow roots sampled at
 * every animation frame, in separate loads so the sampling does not weigh on the timed ones).
 * Figures from a loaded machine are ranges, not truths: the load average is printed.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { coldLoad, launch, measureAction, QUIET_MS, type ActionResult, type Loaded } from './bench-page/browser.js';
import { PEERS, preparePeers } from './bench-page/peers.js';
import { startStack, type BenchStack, type Served } from './bench-page/stack.js';
import { analyseFlash, type FlashLoad } from './bench-page/flash.js';
import { kb, ms, printTable, range } from './bench-page/report.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here('..');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    rates: { type: 'string', default: '1,4' },
    'no-build': { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const RATES = args.rates!.split(',').map(Number);

interface PageRun {
  renderedMs: number;
  scriptMs: number;
  taskMs: number;
  longTasks: number;
  scripts: number;
  scriptsMin: number;
  css: number;
  files: string[];
  remoteHosts: string[];
  errors: string[];
  text: string;
}
interface Variant {
  id: string;
  label: string;
  url: (stack: BenchStack, secret: string) => string;
  ours: boolean;
  offline?: string;
}

const OURS: Variant[] = ['en', 'fr'].map((locale) => ({
  id: `ours-${locale}`,
  label: `ours, locale="${locale}"`,
  ours: true,
  url: (stack, secret) => `${stack.url}/pages/ours.html?locale=${locale}&client-secret=${secret}`,
}));
const ACTIONS = ['lookup (shows the customer)', 'app code (shows the balance)', 'spend change (slider + apply)'];

console.log('npm run bench:page — our drop-in beside the peers, in headless Chromium');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`machine: ${availableParallelism()} CPUs (${cpu}), Node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

let failed = false;
let browser: Browser | undefined;
let stack: BenchStack | undefined;
try {
  if (!args['no-build']) {
    const rollup = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (rollup.status !== 0) throw new Error('rollup -c failed');
  }
  const variants: Variant[] = [{ id: 'blank', label: 'blank shop page (baseline)', ours: false, url: (s) => `${s.url}/pages/blank.html` }, ...OURS];
  if (!args['no-peers']) {
    try {
      const versions = await preparePeers(`${ROOT}/.bench`, here('./bench-page/peers'));
      console.log(`peers: ${versions.join(', ')} (in .bench/peers/, not part of the package)`);
      variants.push(...PEERS.map((peer) => ({ id: peer.id, label: peer.label, ours: false, offline: peer.offline, url: (s: BenchStack) => `${s.url}/pages/${peer.id}.html` })));
    } catch (error) {
      failed = true;
      console.log(`peers: not measured (${(error as Error).message})`);
    }
  }
  stack = await startStack({ dist: `${ROOT}/dist`, peers: `${ROOT}/.bench/build`, pages: here('./bench-page/pages') });
  browser = await launch();
  const playwright = (createRequire(import.meta.url)('playwright-core/package.json') as { version: string }).version;
  console.log(`browser: Chromium ${browser.version()} (${process.env.CHROME_PATH ?? '/usr/bin/chromium'}), playwright-core ${playwright}`);
  console.log(`runs: ${RUNS} cold loads per page and CPU rate (${RATES.map((r) => `${r}×`).join(', ')}), a fresh browser context each; idle = no DOM change for ${QUIET_MS} ms\n`);

  const loads = new Map<string, PageRun[]>();
  const actions = new Map<string, ActionResult[]>();
  const flash = new Map<number, FlashLoad[]>();
  const english = new Map<number, FlashLoad[]>();
  const push = <T>(map: Map<string | number, T[]>, key: string | number, value: T) => map.set(key, [...(map.get(key) ?? []), value]);

  const load = async (variant: Variant, rate: number, sampleText = false): Promise<{ loaded: Loaded; run: PageRun; checkout?: string }> => {
    const checkout = variant.ours ? await stack!.createCheckout() : undefined;
    stack!.takeServed();
    const loaded = await coldLoad(browser!, variant.url(stack!, checkout?.clientSecret ?? ''), rate, { sampleText });
    const served = stack!.takeServed();
    const sum = (kind: Served['kind'], key: 'bytes' | 'raw' = 'bytes') => served.filter((s) => s.kind === kind).reduce((n, s) => n + s[key], 0);
    if (variant.ours) {
      const ready = await loaded.page.evaluate(() => {
        const input = document.querySelector('customer-lookup')?.shadowRoot?.querySelector<HTMLInputElement>('[part~="input"]');
        return !!input && !input.disabled;
      });
      if (!ready) throw new Error(`${variant.label}: the lookup field is not ready once the page is idle ("${loaded.text}")`);
    }
    const run: PageRun = {
      renderedMs: loaded.renderedMs,
      scriptMs: loaded.scriptMs,
      taskMs: loaded.taskMs,
      longTasks: loaded.longTasks.length,
      scripts: sum('script'),
      scriptsMin: sum('script', 'raw'),
      css: sum('css'),
      files: served.filter((s) => s.kind !== 'other').map((s) => `${s.path.replace(/^.*\//, '')} ${kb(s.bytes)}`),
      remoteHosts: loaded.remoteHosts,
      errors: loaded.errors,
      text: loaded.text,
    };
    return { loaded, run, checkout: checkout?.id };
  };

  // One unrecorded load of each page first: Chromium's own first start, the server's gzip cache.
  for (const variant of variants) await (await load(variant, RATES[0]!)).loaded.context.close();
  for (let i = 0; i < RUNS; i++) {
    for (const rate of RATES) {
      for (const variant of variants) {
        const { loaded, run, checkout } = await load(variant, rate);
        push(loads, `${variant.id}@${rate}`, run);
        if (variant.id === 'ours-en') {
          for (const [index, result] of (await interact(loaded, rate)).entries()) push(actions, `${ACTIONS[index]}@${rate}`, result);
          await stack.cancelCheckout(checkout!);
        }
        await loaded.context.close();
      }
      // Flash of another language: French page sampled frame by frame; English reference once per rate.
      for (const [locale, into] of [['fr', flash], ...(i === 0 ? [['en', english]] : [])] as Array<[string, Map<number, FlashLoad[]>]>) {
        const { loaded } = await load(OURS.find((v) => v.id === `ours-${locale}`)!, rate, true);
        push(into, rate, { frames: await loaded.page.evaluate(() => (window as any).__bench.frames) });
        await loaded.context.close();
      }
      process.stdout.write('.');
    }
  }
  process.stdout.write('\n\n');

  // Bytes: the same on every load (nothing is cached across contexts); the first load's list.
  printTable(
    'Bytes served (scripts gzip -9 as served, and minified; the files the page fetched from 127.0.0.1 until idle)',
    ['page', 'scripts min', 'scripts gzip', 'css gzip', 'files'],
    variants.map((v) => {
      const run = loads.get(`${v.id}@${RATES[0]}`)![0]!;
      return [v.label, kb(run.scriptsMin), kb(run.scripts), run.css ? kb(run.css) : '—', run.files.join(', ')];
    }),
  );
  printTable(
    'Page load, min / median / max (ms); rendered = navigation start → last DOM change before idle',
    ['page', 'CPU', 'rendered', 'script', 'tasks', 'long tasks'],
    variants.flatMap((v) =>
      RATES.map((rate) => {
        const runs = loads.get(`${v.id}@${rate}`)!;
        return [v.label, `${rate}×`, range(runs.map((r) => r.renderedMs), ms), range(runs.map((r) => r.scriptMs), ms), range(runs.map((r) => r.taskMs), ms), range(runs.map((r) => r.longTasks), String)];
      }),
    ),
  );
  for (const v of variants) {
    const runs = RATES.flatMap((rate) => loads.get(`${v.id}@${rate}`)!);
    const errors = [...new Set(runs.flatMap((r) => r.errors))];
    if (v.offline) console.log(`${v.label}, offline (${v.offline}): tried ${runs[0]!.remoteHosts.join(', ') || 'no remote host'}; rendered as far as it goes: ${runs[0]!.text}`);
    else if (v.ours) console.log(`${v.label}: rendered ${runs[0]!.text}`);
    if (errors.length) console.log(`  uncaught in the page: ${errors.join('; ')}`);
  }
  printTable(
    `\nOurs, per interaction (locale="en", after the load above), min / median / max (ms); renders = Lit update() calls per element, median`,
    ['action', 'CPU', 'wall', 'script', 'tasks', 'long tasks', 'renders'],
    ACTIONS.flatMap((action) =>
      RATES.map((rate) => {
        const runs = actions.get(`${action}@${rate}`)!;
        const tags = [...new Set(runs.flatMap((r) => Object.keys(r.renders)))];
        const renders = tags.map((tag) => `${tag} ${range(runs.map((r) => r.renders[tag] ?? 0), String, true)}`).join(', ');
        return [action, `${rate}×`, range(runs.map((r) => r.wallMs), ms), range(runs.map((r) => r.scriptMs), ms), range(runs.map((r) => r.taskMs), ms), range(runs.map((r) => r.longTasks.length), String), renders];
      }),
    ),
  );
  console.log('\nFlash of another language with locale="fr" (shadow-root text sampled at every animation frame):');
  for (const rate of RATES) console.log(`  ${rate}×: ${analyseFlash(english.get(rate)!, flash.get(rate)!)}`);
} catch (error) {
  failed = true;
  console.error(`\nbench:page failed: ${(error as Error).stack ?? error}`);
} finally {
  await browser?.close();
  await stack?.close();
  console.log(`\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  process.exitCode = failed ? 1 : 0;
}

/** The interactions a shopper makes on our page, each measured (see measureAction). */
async function interact(loaded: Loaded, rate: number): Promise<ActionResult[]> {
  const { page } = loaded;
  await page.evaluate(() => (window as any).__bench.countRenders());
  const results: ActionResult[] = [];
  // A phone number that finds the demo customer; the app code that proves the account is theirs.
  results.push(await measureAction(loaded, rate, 'customer-found', () => page.locator('customer-lookup [part~="input"]').fill('+7 920 123-45-67'), () => page.keyboard.press('Enter')));
  results.push(await measureAction(loaded, rate, 'customer-found', () => page.locator('customer-lookup [part~="code"]').fill('100001'), () => page.keyboard.press('Enter')));
  // The slider moved by keyboard (End = the most allowed), then a click on "Apply" (raw input
  // events: Playwright's own checks would run script in the page during the measure).
  let apply: { x: number; y: number; width: number; height: number } | null = null;
  const prepare = async () => {
    apply = await page.locator('loyalty-balance [part~="button"]').boundingBox();
    await page.locator('loyalty-balance [part~="input"]').focus();
  };
  const act = async () => {
    await page.keyboard.press('End');
    await page.mouse.click(apply!.x + apply!.width / 2, apply!.y + apply!.height / 2);
  };
  results.push(await measureAction(loaded, rate, 'loyalty-change', prepare, act));
  return results;
}
