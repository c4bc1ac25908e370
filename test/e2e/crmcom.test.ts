import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CRMCOM_DEMO_PROOFS } from '../../src/simulators/crmcom/simulator.js';
import { checkoutIdOf, confirmAccount, lookUp, payButton, payWithTestPsp, receiptHeading, shadowText, useDemo, webhookListed, webhookTypes } from './demo-page.js';

/**
 * The CRM.COM flow of SPEC §2.2 through the demo page, reproducing the document's worked
 * example: wallet 10.00, spendable 7.90, award 0.08, new balance 10.00 + 0.08 − 7.90 = 2.18.
 * The wallet is shown and spent only once the shopper gave the account's pass code (SPEC §4a).
 */
const { demo, open } = useDemo();
const LABEL = 'Loyalty card, phone or app code';
const sim = () => demo().simulators.crmcom;

test('identify, prove it with the pass code, see the wallet, spend the most, pay with the shop\'s PSP, receipt and webhook', async () => {
  const page = await open('crmcom');
  await lookUp(page, LABEL, '22265577');
  await page.getByText('Hello, Jo** D.').waitFor();
  // A code anyone may have read proves nothing: no wallet amount, nothing to spend.
  const unproven = await shadowText(page, 'loyalty-balance');
  assert.match(unproven, /Confirm that this account is yours/);
  assert.doesNotMatch(unproven, /10\.00|7\.90/);
  assert.equal(await page.getByRole('button', { name: 'Use the most' }).count(), 0, 'no spend before the proof');
  await confirmAccount(page, CRMCOM_DEMO_PROOFS['22265577'].passCode);

  const balance = await shadowText(page, 'loyalty-balance');
  assert.match(balance, /Balance\s+€10\.00/);
  assert.match(balance, /up to €7\.90/);
  assert.match(balance, /earns €0\.08/);

  await page.getByRole('button', { name: 'Use the most' }).click();
  await page.getByRole('button', { name: 'Use points' }).click();
  await page.locator('checkout-pay').getByText('Points used').waitFor();
  assert.match(await payButton(page).innerText(), /€22\.10/, '30.00 − 7.90');

  await payWithTestPsp(page);
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, /Paid\s+€22\.10/);
  assert.match(receipt, /Points used\s+€7\.90/);
  assert.match(receipt, /Points earned\s+€0\.08/);
  assert.match(receipt, /New balance\s+€2\.18/);
  assert.equal(sim().journal.count('POST', /purchases\/create$/), 1);
  assert.equal(sim().journal.count('POST', /spend_requests\/create$/), 1);
  // The PSP was asked for what the points leave, and the shop's server heard of the payment.
  const requested = page.locator('#event-log [data-event="payment-requested"]');
  await requested.waitFor();
  assert.match(await requested.innerText(), /"amount":\{"amount":2210,"currency":"EUR"\}/);
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
  await page.screenshot({ path: 'test-results/crmcom-receipt.png', fullPage: true });
  await page.close();
});

test('a wrong pass code is refused next to its field: still no wallet shown, nothing spent', async () => {
  const page = await open('crmcom');
  const spends = sim().journal.count('POST', /spend_requests\/create$/);
  await lookUp(page, LABEL, '22265578');
  await page.getByText(/Hello, Ma\*+ G\./).waitFor();
  const field = page.getByLabel(/^To use your points/);
  await field.fill('0000');
  await field.press('Enter');
  await page.locator('customer-lookup').getByRole('alert').getByText('This code is not right').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await shadowText(page, 'loyalty-balance'), /Confirm that this account is yours/);
  assert.equal(await page.getByRole('button', { name: 'Use the most' }).count(), 0);
  assert.equal(sim().journal.count('POST', /spend_requests\/create$/), spends);
  await page.close();
});

test('a card the PSP declines records nothing; another card then pays once', async () => {
  const page = await open('crmcom');
  const purchases = sim().journal.count('POST', /purchases\/create$/);
  // Maria earns only: no proof needed to pay without points.
  await lookUp(page, LABEL, '22265578');
  await page.getByText(/Hello, Ma\*+ G\./).waitFor();
  await payWithTestPsp(page, { card: '4000 0000 0000 0002' });
  const dialog = page.getByRole('dialog', { name: 'Test PSP — no real money' });
  await dialog.getByRole('alert').getByText('The test card was declined. Nothing was charged.').waitFor();
  assert.equal(sim().journal.count('POST', /purchases\/create$/), purchases, 'nothing recorded');
  // The checkout waits for the shop's payment; nothing is paid.
  await page.locator('checkout-pay').getByText(/Waiting for your payment of €30\.00/).waitFor();
  assert.equal(await page.evaluate(() => (document.getElementById('checkout') as HTMLElement & { state: { checkout: { status: string } } }).state.checkout.status), 'awaiting-payment');

  await dialog.getByLabel('Card number').fill('4242 4242 4242 4242');
  await dialog.getByRole('button', { name: 'Pay with the test card' }).click();
  await receiptHeading(page).waitFor();
  assert.match(await shadowText(page, 'checkout-pay'), /Paid\s+€30\.00/);
  assert.equal(sim().journal.count('POST', /purchases\/create$/), purchases + 1, 'one purchase');
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
  await page.close();
});

test('a signed-in shopper (the shop vouches for him) sees his wallet without a code', async () => {
  const page = await open('crmcom');
  await page.getByLabel('Signed in as').selectOption({ label: 'John Doe' });
  await page.getByText('Hello, Jo** D.').waitFor();
  assert.equal(await page.getByLabel(/^To use your points/).count(), 0, 'no code asked');
  assert.match(await shadowText(page, 'loyalty-balance'), /Balance\s+€\d+\.\d\d/);
  assert.equal(await page.getByRole('button', { name: 'Use the most' }).count(), 1);
  await page.close();
});

test('an unknown code is explained, nothing recorded', async () => {
  const page = await open('crmcom');
  const before = sim().journal.count('POST', /purchases\/create$/);
  await lookUp(page, LABEL, '99999999');
  await page.locator('customer-lookup').getByRole('alert').getByText('We could not find that').waitFor();
  assert.equal(sim().journal.count('POST', /purchases\/create$/), before);
  await page.close();
});
