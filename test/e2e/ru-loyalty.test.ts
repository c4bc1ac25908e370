import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkoutIdOf, confirmAccount, lookUp, payButton, payWithTestPsp, receiptHeading, shadowText, useDemo, webhookTypes } from './demo-page.js';

/** The Russian loyalty flow of SPEC §2.3, driven through the demo page as a shopper would. */
const { demo, open } = useDemo();
const RETAIL = '/integration/general/retail';
const LABEL = 'Loyalty card, phone or app code';
const sim = () => demo().simulators['ru-loyalty'];

test('look up a client, prove it with the app code, choose points, pay with the shop\'s PSP, see the receipt and the webhook', async () => {
  const page = await open('ru-loyalty');
  const client = sim().client('62a000000000000000000001');
  const before = client.balance;

  await lookUp(page, LABEL, '+7 920 123-45-67');
  await page.getByText('Hello, Ив** П.').waitFor();
  // A phone number proves nothing: no balance shown, no points to spend yet.
  assert.match(await shadowText(page, 'loyalty-balance'), /Confirm that this account is yours/);
  assert.doesNotMatch(await shadowText(page, 'loyalty-balance'), /878/);
  await confirmAccount(page, '100001');
  assert.match(await shadowText(page, 'loyalty-balance'), /878 points/);

  // 999.90 ₽ with up to 50 % in points → 499 points at most; use the most.
  await page.getByRole('button', { name: 'Use the most' }).click();
  await page.getByRole('button', { name: 'Use points' }).click();
  await page.locator('loyalty-balance').getByText(/reserved for you until/).waitFor();
  const held = sim().holds();
  assert.equal(held.length, 1, 'the chosen points are held while the shopper pays');
  assert.equal(held[0].amount, 499);

  assert.match(await payButton(page).innerText(), /RUB\s500\.90/);
  await payWithTestPsp(page);
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, /Points used\s+499 points/);
  assert.match(receipt, /New balance\s+379 points/);
  assert.equal(client.balance, before - 499, 'the simulator spent the points');
  assert.equal(sim().journal.count('POST', RETAIL), 1);
  await page.locator('#event-log [data-event="payment-requested"]').waitFor();
  await page.locator('#event-log [data-event="payment-succeeded"]').waitFor();
  // The shop's server learns it from a signed webhook, not from the page.
  const id = await checkoutIdOf(page);
  await page.locator('#webhook-log [data-webhook="checkout.paid"]').waitFor();
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
  await page.screenshot({ path: 'test-results/ru-loyalty-receipt.png', fullPage: true });

  // A reload shows the same receipt (the shop's order finds the same checkout) and pays nothing again.
  await page.reload();
  await receiptHeading(page).waitFor();
  assert.equal(sim().journal.count('POST', RETAIL), 1);
  await page.close();
});

test('a double click asks the PSP once; the shop\'s confirmation replayed with the same key records one retail operation', async () => {
  const page = await open('ru-loyalty');
  await lookUp(page, LABEL, '2000000000032');
  await page.getByText('Hello, Ол** С.').waitFor();
  const retailsBefore = sim().journal.count('POST', RETAIL);
  const requested: string[] = [];
  await page.exposeFunction('sawRequest', (key: string) => requested.push(key));
  await page.evaluate(() => document.addEventListener('payment-requested', (e) => (window as any).sawRequest((e as CustomEvent).detail.key)));

  // Capture the shop server's confirmation, to replay it with its Idempotency-Key.
  const confirmation = page.waitForRequest((r) => r.url().endsWith('/shop/psp/pay') && r.method() === 'POST');
  await payButton(page).dblclick();
  const dialog = page.getByRole('dialog', { name: 'Test PSP — no real money' });
  await dialog.getByRole('button', { name: 'Pay with the test card' }).click();
  await receiptHeading(page).waitFor();
  assert.equal(new Set(requested).size, 1, 'one payment request, one key');
  const sent = JSON.parse((await confirmation).postData() ?? '{}') as { checkoutId: string; amount: unknown; key: string };
  assert.ok(sent.key.length >= 8);

  const replay = await fetch(`${demo().url}/api/ru-loyalty/v1/server/checkouts/${sent.checkoutId}/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${demo().secretKey}`, 'content-type': 'application/json', 'Idempotency-Key': sent.key },
    body: JSON.stringify({ method: 'external', amount: sent.amount, pspReference: 'replayed' }),
  });
  assert.equal(replay.status, 422, 'the same key with another PSP reference is refused');
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
  assert.equal(sim().journal.count('POST', RETAIL), retailsBefore);
  await page.close();
});

test('a signed-in shopper (the shop vouches for him) may spend points without a code', async () => {
  const page = await open('ru-loyalty');
  await page.getByLabel('Signed in as').selectOption({ label: 'Иван Петров' });
  await page.getByText('Hello, Ив** П.').waitFor();
  assert.match(await shadowText(page, 'loyalty-balance'), /\d+ points/);
  assert.equal(await page.getByRole('button', { name: 'Use the most' }).count(), 1);
  await page.close();
});
