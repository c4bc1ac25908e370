import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { startDemo, type DemoStack } from '../../demo/stack.js';
import { launchChromium } from './browser.js';

/** One demo stack and one Chromium for a test file, stopped after it. */
export function useDemo(): { demo: () => DemoStack; browser: () => Browser; open: (scenario: string) => Promise<Page> } {
  let demo: DemoStack;
  let browser: Browser;
  before(async () => {
    demo = await startDemo({ quiet: true });
    browser = await launchChromium();
    mkdirSync('test-results', { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });
  return {
    demo: () => demo,
    /** The file's Chromium, for pages other than the demo shop (each `newPage()` has fresh storage). */
    browser: () => browser,
    /** Opens the demo page on a scenario with a fresh order, ready for a lookup. */
    async open(scenario: string) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
      await page.goto(`${demo.url}/?scenario=${scenario}`);
      await page.evaluate(() => sessionStorage.clear());
      await page.reload();
      await page.waitForFunction((id) => {
        const session = document.getElementById('checkout') as HTMLElement & { state?: { phase: string; capabilities?: { loyalty: { provider: string } } } };
        return session.state?.phase === 'ready' && session.getAttribute('endpoint') === `/api/${id}`;
      }, scenario);
      return page;
    },
  };
}

/** The rendered text of an element's shadow root, as a person reads it (no-break spaces as spaces). */
export function shadowText(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .evaluate((el) => [...(el.shadowRoot?.children ?? [])].map((c) => (c as HTMLElement).innerText).join('\n').replace(/[\u00a0\u202f]/g, ' '));
}

/** Types into the lookup field and presses Enter, as a person (or a card scanner) does. */
export async function lookUp(page: Page, label: string | RegExp, query: string): Promise<void> {
  const field = page.getByLabel(label);
  await field.fill(query);
  await field.press('Enter');
}

export const payButton = (page: Page) => page.locator('checkout-pay').getByRole('button', { name: /^Pay / });
export const receiptHeading = (page: Page) => page.getByRole('heading', { name: 'Thank you, your order is paid' });

/** The shopper proves the account is theirs with the code the programme has (app code, pass code). */
export async function confirmAccount(page: Page, code: string): Promise<void> {
  const field = page.getByLabel(/^To use your points/);
  await field.fill(code);
  await field.press('Enter');
  await field.waitFor({ state: 'detached' });
}

/**
 * Pays as a web shopper does: the pay button hands the amount to the shop's (test) PSP, whose
 * form pays it; the shop's server confirms it to the proxy and the receipt appears.
 */
export async function payWithTestPsp(page: Page, options: { card?: string; button?: Locator; receipt?: Locator } = {}): Promise<void> {
  await (options.button ?? payButton(page)).click();
  const dialog = page.getByRole('dialog', { name: 'Test PSP — no real money' });
  await dialog.waitFor();
  if (options.card) await dialog.getByLabel('Card number').fill(options.card);
  await dialog.getByRole('button', { name: 'Pay with the test card' }).click();
  // (The receipt's heading is in the scenario's language: pass it for a page not in English.)
  if (!options.card?.startsWith('4000')) await (options.receipt ?? receiptHeading(page)).waitFor();
}

/** The webhooks the demo shop's server received and verified, as its page lists them. */
export async function webhookTypes(page: Page, checkoutId: string): Promise<string[]> {
  const { received } = await page.evaluate(async () => (await fetch('/shop/webhooks')).json());
  return (received as Array<{ type: string; checkout: string }>).filter((w) => w.checkout === checkoutId).map((w) => w.type);
}

/** The id of the checkout the page's session holds. */
export const checkoutIdOf = (page: Page): Promise<string> => page.evaluate(() => (document.getElementById('checkout') as HTMLElement & { state: { checkout: { id: string } } }).state.checkout.id);

/** Waits until the demo page lists a webhook of this type for this checkout (its log polls the shop's server). */
export const webhookListed = (page: Page, type: string, checkoutId: string): Promise<void> =>
  page.locator(`#webhook-log [data-webhook="${type}"]`, { hasText: checkoutId }).waitFor();
