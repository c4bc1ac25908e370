import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type DemoStack } from '../../demo/stack.js';
import { launchChromium } from './browser.js';

/** The Russian loyalty flow of SPEC §2.3, driven through the demo page as a shopper would. */
let demo: DemoStack;
let browser: Browser;
const RETAIL = '/integration/general/retail';

before(async () => {
  demo = await startDemo({ quiet: true });
  browser = await launchChromium();
  mkdirSync('test-results', { recursive: true });
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

/** The rendered text of an element's shadow root, as a person reads it. */
function shadowText(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((el) => [...(el.shadowRoot?.children ?? [])].map((c) => (c as HTMLElement).innerText).join('\n'));
}

async function openDemo(): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
  await page.goto(`${demo.url}/`);
  await page.getByRole('button', { name: 'Find me' }).waitFor();
  return page;
}

test('look up a client, choose points, pay, see the receipt with the new balance', async () => {
  const page = await openDemo();
  const client = demo.simulators.ruLoyalty.client('62a000000000000000000001')!;
  const before = client.balance;

  await page.getByLabel('Loyalty card, phone or app code').fill('+7 920 123-45-67');
  await page.getByRole('button', { name: 'Find me' }).click();
  await page.getByText('Hello, Ив** П.').waitFor();
  assert.match(await shadowText(page, 'loyalty-balance'), /878 points/);

  // 999.90 ₽ with up to 50 % in points → 499 points at most; use the most.
  await page.getByRole('button', { name: 'Use the most' }).click();
  await page.getByRole('button', { name: 'Use points' }).click();
  await page.locator('loyalty-balance').getByText(/reserved for you until/).waitFor();
  const held = demo.simulators.ruLoyalty.holds();
  assert.equal(held.length, 1, 'the chosen points are held while the shopper pays');
  assert.equal(held[0]!.amount, 499);

  const pay = page.locator('checkout-pay').getByRole('button', { name: /^Pay / });
  assert.match((await pay.innerText()).replace(/\s/g, ' '), /RUB\s500\.90/);
  await pay.click();
  await page.getByRole('heading', { name: 'Thank you, your order is paid' }).waitFor();
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, /Points used\s+499 points/);
  assert.match(receipt, /New balance\s+379 points/);
  assert.equal(client.balance, before - 499, 'the simulator spent the points');
  assert.equal(demo.simulators.ruLoyalty.journal.count('POST', RETAIL), 1);
  await page.locator('#event-log [data-event="payment-succeeded"]').waitFor();
  await page.screenshot({ path: 'test-results/ru-loyalty-receipt.png', fullPage: true });

  // A reload shows the same receipt and pays nothing again.
  await page.reload();
  await page.getByRole('heading', { name: 'Thank you, your order is paid' }).waitFor();
  assert.equal(demo.simulators.ruLoyalty.journal.count('POST', RETAIL), 1);
  await page.close();
});

test('a double click on pay and a repeated request with the same key create one retail operation', async () => {
  const page = await openDemo();
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.getByLabel('Loyalty card, phone or app code').fill('2000000000032');
  await page.getByRole('button', { name: 'Find me' }).click();
  await page.getByText('Hello, Ол** С.').waitFor();
  const retailsBefore = demo.simulators.ruLoyalty.journal.count('POST', RETAIL);

  // Capture the payment request the widget sends, to replay it with its Idempotency-Key.
  const paymentRequest = page.waitForRequest((r) => r.url().endsWith('/payments') && r.method() === 'POST');
  await page.locator('checkout-pay').getByRole('button', { name: /^Pay / }).dblclick();
  await page.getByRole('heading', { name: 'Thank you, your order is paid' }).waitFor();
  const request = await paymentRequest;
  const key = request.headers()['idempotency-key'];
  assert.ok(key && key.length >= 8, 'the widget sends an Idempotency-Key');

  const replay = await page.evaluate(
    async ({ url, key, body }) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'Idempotency-Key': key }, body });
      return { status: response.status, replayed: response.headers.get('Idempotency-Replayed'), body: await response.json() };
    },
    { url: request.url(), key, body: request.postData() ?? '' },
  );
  assert.equal(replay.status, 201);
  assert.equal(replay.replayed, 'true');
  assert.equal(replay.body.status, 'paid');
  assert.equal(demo.simulators.ruLoyalty.journal.count('POST', RETAIL) - retailsBefore, 1, 'exactly one retail operation');
  // Earn-only client: 999.90 × 5 % = 49 points earned.
  assert.match(await shadowText(page, 'checkout-pay'), /Points earned\s+49 points/);
  await page.close();
});

test('an unknown client is explained next to the field, and nothing is recorded', async () => {
  const page = await openDemo();
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  const retailsBefore = demo.simulators.ruLoyalty.journal.count('POST', RETAIL);
  const field = page.getByLabel('Loyalty card, phone or app code');
  await field.fill('0000000');
  await page.getByRole('button', { name: 'Find me' }).click();
  const alert = page.locator('customer-lookup').getByRole('alert');
  await alert.getByText('We could not find that').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('checkout-pay').getByRole('button', { name: /^Pay / }).getAttribute('aria-disabled'), 'true');
  assert.equal(demo.simulators.ruLoyalty.journal.count('POST', RETAIL), retailsBefore);
  await page.close();
});
