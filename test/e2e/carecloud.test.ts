import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cs } from '../../src/i18n/locales/cs.js';
import { lookUp, shadowText, useDemo } from './demo-page.js';

/**
 * The CareCloud flow of SPEC §2.4 through the demo page (in Czech, the scenario's locale):
 * customer by card → points → rewards for the bill → accept-payment with the chosen points
 * (commits nothing) → send-purchase (201, bill_id unique) → payment summary.
 */
const { demo, open } = useDemo();
const sim = () => demo().simulators.carecloud;
const SEND = /send-purchase$/;

test('card lookup, spend points, pay: one purchase sent, points deducted, receipt', async () => {
  const page = await open('carecloud');
  await lookUp(page, cs['lookup.label']!, '2001 9900 0188 4');
  await page.locator('customer-lookup').getByText(/Ja\*\* N\./).waitFor();
  assert.match(await shadowText(page, 'loyalty-balance'), /1\s?250/);

  await page.getByRole('button', { name: cs['loyalty.useMax'] as string }).click();
  await page.getByRole('button', { name: cs['loyalty.apply'] as string }).click();
  await page.locator('checkout-pay').getByText(cs['pay.points'] as string).waitFor();
  const due = await shadowText(page, 'checkout-pay');
  await page.locator('checkout-pay').getByRole('button', { name: new RegExp(`^${(cs['pay.submit'] as string).split(' ')[0]}`) }).click();
  await page.locator('checkout-pay').getByRole('heading').waitFor();
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, new RegExp(cs['receipt.title'] as string));
  assert.equal(sim().journal.count('POST', SEND), 1, 'one send-purchase');
  assert.equal(sim().journal.count('POST', /accept-payment$/) >= 1, true, 'accept-payment before sending');
  assert.ok(sim().points('8bc8ea4c1466859cbba26e522f') < 1250, 'points were redeemed');
  assert.notEqual(due, receipt);
  await page.screenshot({ path: 'test-results/carecloud-receipt.png', fullPage: true });
  await page.close();
});

test('a blocked card is refused with a clear message and nothing is sent', async () => {
  const page = await open('carecloud');
  const before = sim().journal.count('POST', SEND);
  await lookUp(page, cs['lookup.label']!, '2001990002294');
  const alert = page.locator('customer-lookup').getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /block/i);
  assert.equal(sim().journal.count('POST', SEND), before);
  await page.close();
});
