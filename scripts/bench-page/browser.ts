/**
 * The browser side of the page benchmark: one headless Chromium, a fresh context per load (no
 * cache, no storage), CPU throttling and metrics over CDP, and the in-page instrument
 * (`instrument.js`). Nothing outside 127.0.0.1 resolves: the peers' remote parts fail fast, as
 * offline, and the hosts they tried are reported.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROME_ARGS, CHROME_PATH } from '../../test/e2e/browser.js';

const INSTRUMENT = fileURLToPath(new URL('./instrument.js', import.meta.url));
/** No DOM change for this long (and no request of ours in flight) = rendered and idle. */
export const QUIET_MS = 1000;
const TIMEOUT_MS = 30_000;

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROME_PATH, headless: true, args: [...CHROME_ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
}

export interface Loaded {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  /** Milliseconds from navigation start to the last DOM change before the page went quiet. */
  renderedMs: number;
  /** Main-thread script and task time (ms) since the navigation started. */
  scriptMs: number;
  taskMs: number;
  longTasks: Array<{ start: number; duration: number }>;
  /** Hosts other than 127.0.0.1 the page tried to reach (all failed). */
  remoteHosts: string[];
  /** Uncaught errors in the page. */
  errors: string[];
  /** What the checkout rendered: its element count and text, shortened. */
  text: string;
}

export async function metrics(cdp: CDPSession): Promise<{ script: number; task: number }> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (list.find((m) => m.name === name)?.value ?? 0) * 1000;
  return { script: value('ScriptDuration'), task: value('TaskDuration') };
}

/** Waits until no DOM change for QUIET_MS and none of the page's local requests is in flight. */
async function settle(page: Page, inflight: () => number, rate: number): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS * rate;
  for (;;) {
    const last = await page.evaluate((quiet) => (window as any).__bench.quiet(quiet), QUIET_MS);
    if (inflight() === 0) return last;
    if (Date.now() > deadline) throw new Error(`page not idle after ${(TIMEOUT_MS * rate) / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens `url` in a fresh context at CPU slowdown `rate` and waits until it is rendered and idle. */
export async function coldLoad(browser: Browser, url: string, rate: number, options: { sampleText?: boolean } = {}): Promise<Loaded> {
  const context = await browser.newContext();
  if (options.sampleText) await context.addInitScript('window.__benchSampleText = true');
  await context.addInitScript({ path: INSTRUMENT });
  const page = await context.newPage();
  const remoteHosts = new Set<string>();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message.split('\n')[0]!.slice(0, 200)));
  let inflight = 0;
  const local = (u: string) => new URL(u).hostname === '127.0.0.1';
  page.on('request', (r) => (local(r.url()) ? inflight++ : /^https?:/.test(r.url()) && remoteHosts.add(new URL(r.url()).hostname)));
  page.on('requestfinished', (r) => local(r.url()) && inflight--);
  page.on('requestfailed', (r) => local(r.url()) && inflight--);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS * rate });
  const renderedMs = await settle(page, () => inflight, rate);
  const { script, task } = await metrics(cdp);
  // What the checkout rendered: the page's <main> and every shadow root (the shop's header aside).
  const { longTasks, text, elements } = await page.evaluate(() => {
    const roots = ((window as any).__bench.roots as Array<Document | ShadowRoot>).filter((root) => !(root instanceof Document));
    const main = document.querySelector('main');
    return {
      longTasks: (window as any).__bench.longTasks,
      text: [main?.innerText ?? '', ...roots.map((root) => root.textContent ?? '')].join(' ').replace(/\s+/g, ' ').trim(),
      elements: (main?.querySelectorAll('*').length ?? 0) + roots.reduce((n, root) => n + root.querySelectorAll('*').length, 0),
    };
  });
  const summary = `${elements} elements, ${text ? `"${text.length > 150 ? `${text.slice(0, 150)}…` : text}"` : 'no text'}`;
  return { context, page, cdp, renderedMs, scriptMs: script, taskMs: task, longTasks, remoteHosts: [...remoteHosts].sort(), errors, text: summary };
}

export interface ActionResult {
  wallMs: number;
  scriptMs: number;
  taskMs: number;
  renders: Record<string, number>;
  longTasks: Array<{ start: number; duration: number }>;
}

/**
 * One measured interaction: `prepare` is not measured (typing the query), `act` is (pressing
 * Enter), until `eventName` fired on the document and the page is quiet again.
 */
export async function measureAction(loaded: Loaded, rate: number, eventName: string, prepare: () => Promise<void>, act: () => Promise<void>): Promise<ActionResult> {
  await prepare();
  await loaded.page.evaluate((name) => (window as any).__bench.start(name), eventName);
  const before = await metrics(loaded.cdp);
  await act();
  const result = await loaded.page.evaluate(([quiet, timeout]) => (window as any).__bench.end(quiet, timeout), [QUIET_MS, TIMEOUT_MS * rate]);
  const after = await metrics(loaded.cdp);
  if (result.error) throw new Error(`${eventName}: ${result.error}`);
  // The quiet wait ran in the page too; its timers cost microseconds.
  return { ...result, scriptMs: after.script - before.script, taskMs: after.task - before.task };
}
