import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { checkoutIdOf, payButton, receiptHeading, shadowText, useDemo, webhookListed, webhookTypes } from './demo-page.js';

/**
 * POS mode through the demo page (`resamania-pos`: a club's till, in English): the lookup
 * field has the focus for a scanner, the cashier records a cheque with its bank and number,
 * prints the receipt (print styles: the receipt alone), and "New order" focuses the field again.
 * The till records the cheque at once with the staff credential the shop's server issued for
 * it (SPEC §4a): no PSP, and the checkout's client secret alone could not record it.
 */
const { demo, open } = useDemo();
const sim = () => demo().simulators['resamania-pos'] as { journal: { entries: Array<{ method: string; path: string; body: any }> } };
const PAYMENTS = /\/payments$/;

const lookupHasFocus = (page: Page) =>
  page.waitForFunction(() => document.querySelector('customer-lookup')?.shadowRoot?.activeElement?.id === 'query', undefined, { timeout: 5000 });

test('a cashier: scan into the focused field, cheque with its details, printed receipt, next order', async () => {
  const page = await open('resamania-pos');
  assert.equal(await page.locator('#checkout').getAttribute('mode'), 'pos');
  await lookupHasFocus(page);
  // A scanner types into whatever has the focus, then Enter.
  await page.keyboard.type('camille.martin@example.test');
  await page.keyboard.press('Enter');
  await page.locator('customer-lookup').getByText(/Ca\*\*\*\* M\./).waitFor();

  // The page's client secret alone may not record a cheque: that takes the till's credential.
  const id = await checkoutIdOf(page);
  assert.ok(await page.locator('#checkout').getAttribute('till-credential'), 'the shop issued a till credential');
  const withoutTill = await page.evaluate(async (checkoutId) => {
    const secret = document.getElementById('checkout')!.getAttribute('client-secret');
    const response = await fetch(`/api/resamania-pos/v1/checkouts/${checkoutId}/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({ method: 'cheque', amount: 3990, cheque: { bank: 'Forged', number: '1' } }),
    });
    return { status: response.status, detail: ((await response.json()) as { detail?: string }).detail };
  }, id);
  assert.equal(withoutTill.status, 403, 'no cheque recorded with the client secret alone');
  assert.match(withoutTill.detail ?? '', /at a till/);

  const pay = page.locator('checkout-pay');
  await pay.getByRole('radio', { name: 'Cheque' }).check();
  await pay.getByLabel('Bank').fill('Crédit Agricole');
  await pay.getByLabel('Cheque number').fill('0012345');
  await payButton(page).click();
  await receiptHeading(page).waitFor();
  // Recorded at once by the till: no PSP asked.
  assert.equal(await page.getByRole('dialog', { name: 'Test PSP — no real money' }).isVisible(), false);
  assert.equal(await page.locator('#event-log [data-event="payment-requested"]').count(), 0);
  await page.locator('#event-log [data-event="payment-succeeded"]').waitFor();
  const payments = sim().journal.entries.filter((e) => e.method === 'POST' && PAYMENTS.test(e.path));
  assert.equal(payments.length, 1);
  assert.equal(payments[0]!.body.mean, 'cheque');
  assert.equal(payments[0]!.body.cheques[0].bank, 'Crédit Agricole');
  assert.equal(payments[0]!.body.cheques[0].code, '0012345');
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);

  // Print: window.print() with the receipt marked to print alone; the button itself is not printed.
  await page.evaluate(() => {
    (window as unknown as { printed: boolean[] }).printed = [];
    window.print = () => (window as unknown as { printed: boolean[] }).printed.push(document.querySelector('checkout-pay')!.hasAttribute('data-checkout-print'));
  });
  await pay.getByRole('button', { name: 'Print receipt' }).click();
  assert.deepEqual(await page.evaluate(() => (window as unknown as { printed: boolean[] }).printed), [true]);
  await page.locator('checkout-pay').evaluate((el) => el.setAttribute('data-checkout-print', ''));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await pay.getByRole('button', { name: 'Print receipt' }).isVisible(), false, 'the print button is not printed');
  assert.equal(await page.locator('#scenario').evaluate((el) => getComputedStyle(el).visibility), 'hidden', 'the rest of the page is not printed');
  await page.screenshot({ path: 'test-results/pos-receipt-print.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.locator('checkout-pay').evaluate((el) => el.removeAttribute('data-checkout-print'));
  assert.match(await shadowText(page, 'checkout-pay'), /Thank you, your order is paid/);

  // The next sale: the page starts a new order, the field has the focus again.
  await page.getByRole('button', { name: /new order/i }).click();
  await page.waitForFunction((paid) => {
    const state = (document.getElementById('checkout') as HTMLElement & { state?: { phase: string; checkout?: { id: string; status: string } } }).state;
    return state?.phase === 'ready' && !!state.checkout && state.checkout.id !== paid && state.checkout.status === 'open';
  }, id);
  await lookupHasFocus(page);
  await page.close();
});
