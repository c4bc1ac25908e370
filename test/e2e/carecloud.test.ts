import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cs } from '../../src/i18n/locales/cs.js';
import { checkoutIdOf, lookUp, payWithTestPsp, shadowText, useDemo, webhookListed, webhookTypes } from './demo-page.js';

/**
 * The CareCloud flow of SPEC §2.4 through the demo page (in Czech, the scenario's locale):
 * customer by card → points → rewards for the bill → accept-payment with the chosen points
 * (commits nothing) → send-purchase (201, bill_id unique) → payment summary. CareCloud has no
 * code a shopper could give: only the shop vouching for its signed-in shopper lets her see and
 * spend points (SPEC §4a).
 */
const { demo, open } = useDemo();
const sim = () => demo().simulators.carecloud;
const SEND = /send-purchase$/;
const JANA = '8bc8ea4c1466859cbba26e522f';
const payButtonCs = (page: import('playwright-core').Page) =>
  page.locator('checkout-pay').getByRole('button', { name: new RegExp(`^${(cs['pay.submit'] as string).split(' ')[0]}`) });

test('a card typed by a guest shows no points; signed in, she spends them and pays: one purchase sent, points deducted, receipt, webhook', async () => {
  const page = await open('carecloud');
  // A guest typing a card number proves nothing: no balance, nothing to spend.
  await lookUp(page, cs['lookup.label']!, '2001 9900 0188 4');
  await page.locator('customer-lookup').getByText(/Ja\*\* N\./).waitFor();
  const guest = await shadowText(page, 'loyalty-balance');
  assert.match(guest, new RegExp(cs['loyalty.unverifiedShop'] as string));
  assert.doesNotMatch(guest, /1\s?250/);
  assert.equal(await page.getByRole('button', { name: cs['loyalty.useMax'] as string }).count(), 0, 'no spend for a guest');
  assert.equal(await page.getByLabel(/^Chcete-li použít body/).count(), 0, 'no code to ask for: CareCloud has none');

  // Signed in to the shop: its server vouches for her when it opens the order.
  await page.getByLabel('Signed in as').selectOption({ label: 'Jana Nováková' });
  await page.locator('customer-lookup').getByText(/Ja\*\* N\./).waitFor();
  await page.locator('loyalty-balance [part="balance"]').getByText(/1\s?250/).waitFor();

  await page.getByRole('button', { name: cs['loyalty.useMax'] as string }).click();
  await page.getByRole('button', { name: cs['loyalty.apply'] as string }).click();
  await page.locator('checkout-pay').getByText(cs['pay.points'] as string).waitFor();
  const due = await shadowText(page, 'checkout-pay');
  await payWithTestPsp(page, { button: payButtonCs(page), receipt: page.locator('checkout-pay').getByRole('heading', { name: cs['receipt.title'] as string }) });
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, new RegExp(cs['receipt.title'] as string));
  assert.equal(sim().journal.count('POST', SEND), 1, 'one send-purchase');
  assert.equal(sim().journal.count('POST', /accept-payment$/) >= 1, true, 'accept-payment before sending');
  assert.ok(sim().points(JANA) < 1250, 'points were redeemed');
  assert.notEqual(due, receipt);
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
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
