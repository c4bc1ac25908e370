import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { checkoutIdOf, confirmAccount, lookUp, payButton, receiptHeading, shadowText, useDemo, webhookListed, webhookTypes } from './demo-page.js';

/**
 * Pay in instalments with FLOA (SPEC §2.5) through the demo page, as a shopper would: the
 * offers re-checked after points are applied, the redirect to FLOA's (simulated) payment page
 * and the return, the sale recorded in the loyalty/CRM provider only once FLOA confirmed it.
 */
const { demo, open } = useDemo();
const LABEL = 'Loyalty card, phone or app code';
const RETAIL = '/integration/general/retail';
const RELEASE = '/integration/general/bonuses/release';
const loyalty = () => demo().simulators.floa;
const floa = () => demo().simulators['floa:instalments'];
const floaCount = (method: string, path: string | RegExp) => floa().journal.count(method, path) as number;

/** Camille Martin (eligible, 150 points), proved with her app code, with the most points applied: 500.00 − 150.00 = 350.00 due. */
async function camilleWithPoints(page: Page) {
  await lookUp(page, LABEL, '+33 6 12 34 56 78');
  // A phone number proves nothing: her points show once she gives the code in her app.
  await page.getByText(/Hello, Ca\*+ M\./).waitFor();
  assert.match(await shadowText(page, 'loyalty-balance'), /Confirm that this account is yours/);
  assert.equal(await page.getByRole('button', { name: 'Use the most' }).count(), 0);
  await confirmAccount(page, '200001');
  assert.match(await shadowText(page, 'loyalty-balance'), /150 points/);
  await page.getByRole('button', { name: 'Use the most' }).click();
  await page.getByRole('button', { name: 'Use points' }).click();
  // The offers are checked again for the new amount due.
  await page.getByRole('radio', { name: 'Pay €350.00 now' }).waitFor();
}

/** On FLOA's page: the order's total, then the shopper's choice. */
async function onFloaPage(page: Page, total: string, action: 'Pay' | 'Refuse (simulate a declined payment)' | 'Cancel and go back') {
  await page.waitForURL(/\/pay\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('body').innerText(), new RegExp(`Total ${total.replace('.', ',')}`));
  await page.getByRole('button', { name: action, exact: true }).click();
  await page.waitForURL((url) => url.origin === demo().url && url.pathname === '/');
}

// First: it leaves Camille's points as they were (the 3x payment below spends them).
test('a refused payment records nothing and releases the held points', async () => {
  const page = await open('floa');
  const retailBefore = loyalty().journal.count('POST', RETAIL);
  const releaseBefore = loyalty().journal.count('POST', RELEASE);
  await camilleWithPoints(page);
  assert.equal(loyalty().holds().length, 1, 'the points are held while the shopper pays');
  await page.getByRole('radio', { name: 'Pay in 4 instalments', exact: true }).check();
  await payButton(page).click();
  await onFloaPage(page, '357.70', 'Refuse (simulate a declined payment)');

  const pay = page.locator('checkout-pay');
  await pay.getByText('The payment in instalments was refused. Nothing was charged and your points are free again.').waitFor();
  await page.locator('#event-log [data-event="payment-failed"]').waitFor();
  assert.equal(loyalty().journal.count('POST', RETAIL), retailBefore, 'nothing recorded');
  assert.equal(loyalty().journal.count('POST', RELEASE), releaseBefore + 1, 'the hold released once');
  assert.equal(loyalty().holds().length, 0);
  // The points are free again; new offers for the whole amount; paying again is possible.
  await page.getByRole('radio', { name: 'Pay €500.00 now' }).waitFor();
  assert.equal(await payButton(page).innerText(), 'Pay €500.00');
  // The shop's server is told, by a signed webhook.
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.instalment_refused', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.instalment_refused']);
  await page.close();
});

test('a retail basket with points applied and the rest in 3x: redirected, paid, recorded once', async () => {
  const page = await open('floa');
  const retailBefore = loyalty().journal.count('POST', RETAIL);
  const sessionsBefore = floaCount('POST', '/v1/payment-sessions');
  await camilleWithPoints(page);
  const offers = await shadowText(page, 'eligibility-check');
  // Every offer shows its cost and schedule (fees with the first instalment, monthly after).
  assert.match(offers, /Pay in 3 instalments\s+Total €355\.08, including €5\.08 fees/);
  assert.match(offers, /Pay in 4 instalments\s+Total €357\.70, including €7\.70 fees/);
  assert.match(offers, /Pay in 10 monthly instalments \(credit\)\s+Total €371\.00, including €21\.00 fees/);
  assert.match(offers, /Pay later, on /);
  assert.match(offers, /€121\.76(.|\n)+€116\.66(.|\n)+€116\.66/, '3x schedule: 116.68 + 5.08 fees, then 116.66 twice');

  await page.getByRole('radio', { name: 'Pay in 3 instalments', exact: true }).check();
  await page.locator('#event-log [data-event="eligibility-change"]', { hasText: '"chosen":"floa-81"' }).waitFor();
  assert.equal(await payButton(page).innerText(), 'Pay in 3 instalments: €355.08');
  assert.match(await shadowText(page, 'checkout-pay'), /Instalment fees\s+€5\.08\s+Total with fees\s+€355\.08/);
  await payButton(page).click();

  await onFloaPage(page, '355.08', 'Pay');
  await receiptHeading(page).waitFor();
  const receipt = await shadowText(page, 'checkout-pay');
  assert.match(receipt, /Paid\s+€350\.00/);
  assert.match(receipt, /Paid with\s+Pay in 3 instalments — Total €355\.08, including €5\.08 fees/);
  assert.match(receipt, /Points used\s+150 points/);
  await page.locator('#event-log [data-event="payment-succeeded"]').waitFor();
  assert.equal(loyalty().journal.count('POST', RETAIL), retailBefore + 1);
  const sale = loyalty().journal.entries.filter((e: { path: string }) => e.path === RETAIL).at(-1).body;
  assert.equal(sale.spend, 150, 'the points spent with the sale');
  assert.equal(floaCount('POST', '/v1/payment-sessions'), sessionsBefore + 1);
  // Paid from a public page only because FLOA confirmed it; the shop learns it by webhook, not by the page's PSP.
  assert.equal(await page.locator('#event-log [data-event="payment-requested"]').count(), 0, 'the shop\'s PSP is not asked');
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
  await page.screenshot({ path: 'test-results/floa-3x-receipt.png', fullPage: true });

  // Reload, or back to FLOA's page and forward again: the same receipt, nothing paid twice.
  await page.reload();
  await receiptHeading(page).waitFor();
  await page.goBack();
  await page.goForward();
  await receiptHeading(page).waitFor();
  assert.equal(loyalty().journal.count('POST', RETAIL), retailBefore + 1);
  assert.equal(floaCount('POST', '/v1/payment-sessions'), sessionsBefore + 1);
  await page.close();
});

test('a not-eligible shopper is told plainly and can still pay in full', async () => {
  const page = await open('floa');
  const sessionsBefore = floaCount('POST', '/v1/payment-sessions');
  const checksBefore = floaCount('POST', /\/eligibilities$/);
  await lookUp(page, LABEL, '3000000000024');
  // A card number proves nothing: FLOA is not asked about this person until he proves the account is his.
  await page.locator('eligibility-check').getByText('Confirm that this account is yours to see whether you can pay in instalments.').waitFor();
  assert.equal(floaCount('POST', /\/eligibilities$/), checksBefore, 'no check in an unproven member\'s name');
  await confirmAccount(page, '200002');
  await page.getByText('did not accept paying this order in instalments, and does not say why').waitFor();
  await page.locator('#event-log [data-event="eligibility-change"]', { hasText: '"reason":"not-eligible"' }).waitFor();
  assert.equal(await page.getByRole('radio').count(), 0, 'no offer to pick');
  assert.equal(await payButton(page).innerText(), 'Pay €500.00');
  assert.equal(floaCount('POST', '/v1/payment-sessions'), sessionsBefore);
  await page.close();
});

test('a record breaking FLOA\'s country rules is explained without calling FLOA', async () => {
  const page = await open('floa');
  const before = floaCount('POST', /\/eligibilities$/);
  await lookUp(page, LABEL, '3000000000055');
  await page.locator('eligibility-check').getByText('Confirm that this account is yours to see whether you can pay in instalments.').waitFor();
  await confirmAccount(page, '200005');
  const alert = page.locator('eligibility-check').getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /some of your details on file are missing or not valid.+birth zip code/i);
  assert.equal(await page.locator('eligibility-check').getByRole('button', { name: 'Try again' }).count(), 0, 'no retry: retrying cannot help');
  assert.equal(floaCount('POST', /\/eligibilities$/), before);
  await page.close();
});

test('a replayed notification records nothing twice: the journal shows one recording', async () => {
  const page = await open('floa');
  const retailBefore = loyalty().journal.count('POST', RETAIL);
  // Signed in: the shop vouches for her, FLOA is asked in her name at once.
  await page.getByLabel('Signed in as').selectOption({ label: 'Camille Martin' });
  await page.getByRole('radio', { name: 'Pay later', exact: false }).waitFor();
  await page.getByRole('radio', { name: 'Pay in 4 instalments', exact: true }).check();
  // A double click opens one session.
  await payButton(page).dblclick();
  await onFloaPage(page, '511.00', 'Pay');
  await receiptHeading(page).waitFor();
  assert.equal(loyalty().journal.count('POST', RETAIL), retailBefore + 1);

  const notification = floa().notifications.at(-1);
  for (let i = 0; i < 3; i++) {
    const replay = await fetch(notification.url, { method: 'POST', body: new URLSearchParams(notification.fields) });
    assert.equal(replay.status, 200, 'acknowledged, so FLOA stops sending it');
  }
  assert.equal(loyalty().journal.count('POST', RETAIL), retailBefore + 1, 'one recording, whatever the replays');
  await page.reload();
  await receiptHeading(page).waitFor();
  assert.equal(loyalty().journal.count('POST', RETAIL), retailBefore + 1);
  // One event for the shop too, however often FLOA notified.
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
  await page.close();
});

test('club membership (Resamania) paid in 4x: recorded in Resamania as CBWeb once FLOA confirmed it', async () => {
  const page = await open('resamania-floa');
  const resamania = demo().simulators['resamania-floa'];
  const checksBefore = demo().simulators['resamania-floa:instalments'].journal.count('POST', /\/eligibilities$/);
  // An e-mail address anyone may know: FLOA is not asked in her name. The club has no code a
  // member could give: she signs in to the shop, which vouches for her.
  await lookUp(page, 'E-mail address', 'camille.martin@example.test');
  await page.locator('eligibility-check').getByText('Sign in to the shop to see whether you can pay in instalments.').waitFor();
  assert.equal(demo().simulators['resamania-floa:instalments'].journal.count('POST', /\/eligibilities$/), checksBefore);
  await page.getByLabel('Signed in as').selectOption({ label: 'Camille Martin' });
  await page.getByRole('radio', { name: 'Pay in 4 instalments', exact: true }).check();
  // 39.90 + 79.00 = 118.90, and 2.2 % fees.
  assert.match(await shadowText(page, 'eligibility-check'), /Pay in 4 instalments\s+Total €121\.52, including €2\.62 fees/);
  const paymentsBefore = resamania.journal.count('POST', /\/payments$/);
  await payButton(page).click();
  await onFloaPage(page, '121.52', 'Pay');
  await receiptHeading(page).waitFor();
  assert.match(await shadowText(page, 'checkout-pay'), /Paid\s+€118\.90/);
  const payments = resamania.journal.entries.filter((e: { method: string; path: string }) => e.method === 'POST' && /\/payments$/.test(e.path));
  assert.equal(payments.length, paymentsBefore + 1, 'one payment call');
  assert.equal(payments.at(-1).body.mean, 'CBWeb');
  await page.screenshot({ path: 'test-results/floa-resamania-4x.png', fullPage: true });
  await page.close();
});

test('a club member with a debt is not offered instalments, and FLOA is not asked', async () => {
  const page = await open('resamania-floa');
  const before = demo().simulators['resamania-floa:instalments'].journal.count('POST', /\/eligibilities$/);
  await lookUp(page, 'E-mail address', 'julien.bernard@example.test');
  await page.locator('eligibility-check').getByText('An outstanding balance must be settled first.').waitFor();
  assert.equal(demo().simulators['resamania-floa:instalments'].journal.count('POST', /\/eligibilities$/), before);
  await page.close();
});
