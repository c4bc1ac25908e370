import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookUp, payButton, receiptHeading, shadowText, useDemo } from './demo-page.js';

/** The Russian loyalty flow of SPEC §2.3, driven through the demo page as a shopper would. */
const { demo, open } = useDemo();
const RETAIL = '/integration/general/retail';
const LABEL = 'Loyalty card, phone or app code';
const sim = () => demo().simulators['ru-loyalty'];

test('look up a client, choose points, pay, see the receipt with the new balance', async () => {
  const page = await open('ru-loyalty');
  const client = sim().client('62a000000000000000000001');
  const before = client.balance;

  await lookUp(page, LABEL, '+7 920 123-45-67');
  await page.getByText('Hello, Ив** П.').waitFor();
  assert.match(await shadowText(page, 'loyalty-balance'), /878 points/);

  // 999.90 ₽ with up to 50 % in points → 499 points at most; use the most.
  await page.getByRole('button', { name: 'Use the most' }).click();
  await page.getByRole('button', { name: 'Use points' }).click();
  await page.locator('loyalty-balance').getByText(/reserved for you until/).waitFor();
  const held = sim().holds();
  assert.equal(held.length, 1, 'the chosen points are held while the shopper pays');
  assert.equal(held[0].amount, 499);

  assert.match(await payButton(page).innerText(), /RUB\s500\.90/);
  await payButton(page).click();
  await receiptHeading(page).waitFor();
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, /Points used\s+499 points/);
  assert.match(receipt, /New balance\s+379 points/);
  assert.equal(client.balance, before - 499, 'the simulator spent the points');
  assert.equal(sim().journal.count('POST', RETAIL), 1);
  await page.locator('#event-log [data-event="payment-succeeded"]').waitFor();
  await page.screenshot({ path: 'test-results/ru-loyalty-receipt.png', fullPage: true });

  // A reload shows the same receipt and pays nothing again.
  await page.reload();
  await receiptHeading(page).waitFor();
  assert.equal(sim().journal.count('POST', RETAIL), 1);
  await page.close();
});

test('a double click on pay and a repeated request with the same key create one retail operation', async () => {
  const page = await open('ru-loyalty');
  await lookUp(page, LABEL, '2000000000032');
  await page.getByText('Hello, Ол** С.').waitFor();
  const retailsBefore = sim().journal.count('POST', RETAIL);

  // Capture the payment request the widget sends, to replay it with its Idempotency-Key.
  const paymentRequest = page.waitForRequest((r) => r.url().endsWith('/payments') && r.method() === 'POST');
  await payButton(page).dblclick();
  await receiptHeading(page).waitFor();
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
  assert.equal(sim().journal.count('POST', RETAIL) - retailsBefore, 1, 'exactly one retail operation');
  // Earn-only client: 999.90 × 5 % = 49 points earned.
  assert.match(await shadowText(page, 'checkout-pay'), /Points earned\s+49 points/);
  await page.close();
});

test('an unknown client is explained next to the field, and nothing is recorded', async () => {
  const page = await open('ru-loyalty');
  const retailsBefore = sim().journal.count('POST', RETAIL);
  await lookUp(page, LABEL, '0000000');
  await page.locator('customer-lookup').getByRole('alert').getByText('We could not find that').waitFor();
  assert.equal(await page.getByLabel(LABEL).getAttribute('aria-invalid'), 'true');
  assert.equal(await payButton(page).getAttribute('aria-disabled'), 'true');
  assert.equal(sim().journal.count('POST', RETAIL), retailsBefore);
  await page.close();
});
