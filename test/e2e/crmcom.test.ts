import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookUp, payButton, receiptHeading, shadowText, useDemo } from './demo-page.js';

/**
 * The CRM.COM flow of SPEC §2.2 through the demo page, reproducing the document's worked
 * example: wallet 10.00, spendable 7.90, award 0.08, new balance 10.00 + 0.08 − 7.90 = 2.18.
 */
const { demo, open } = useDemo();
const LABEL = 'Loyalty card, phone or app code';
const sim = () => demo().simulators.crmcom;

test('identify, see the wallet, spend the most, pay, receipt with awarded, spent and new balance', async () => {
  const page = await open('crmcom');
  await lookUp(page, LABEL, '22265577');
  await page.getByText('Hello, Jo** D.').waitFor();
  const balance = await shadowText(page, 'loyalty-balance');
  assert.match(balance, /Balance\s+€10\.00/);
  assert.match(balance, /up to €7\.90/);
  assert.match(balance, /earns €0\.08/);

  await page.getByRole('button', { name: 'Use the most' }).click();
  await page.getByRole('button', { name: 'Use points' }).click();
  await page.locator('checkout-pay').getByText('Points used').waitFor();
  assert.match(await payButton(page).innerText(), /€22\.10/, '30.00 − 7.90');

  await payButton(page).click();
  await receiptHeading(page).waitFor();
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, /Paid\s+€22\.10/);
  assert.match(receipt, /Points used\s+€7\.90/);
  assert.match(receipt, /Points earned\s+€0\.08/);
  assert.match(receipt, /New balance\s+€2\.18/);
  assert.equal(sim().journal.count('POST', /purchases\/create$/), 1);
  assert.equal(sim().journal.count('POST', /spend_requests\/create$/), 1);
  await page.screenshot({ path: 'test-results/crmcom-receipt.png', fullPage: true });
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
