import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { fr } from '../../src/i18n/locales/fr.js';
import { checkoutIdOf, lookUp, shadowText, useDemo, webhookListed, webhookTypes } from './demo-page.js';

/**
 * The club membership flow of SPEC §2.1 through the demo page (in French): identify the
 * contact → debt → catalog for the contact → sale, article with a start date, check → one
 * payment. Never a second payments call for one checkout. The amount due is taken by the
 * shop's (test) PSP; the shop's server confirms it, and only then is the sale paid in
 * Resamania (SPEC §4a).
 */
const { demo, open } = useDemo();
const sim = () => demo().simulators.resamania;
const PAYMENTS = /\/payments$/;
const LABEL = fr['lookup.label.email']!;
const payer = (page: Page) => page.locator('checkout-pay').getByRole('button', { name: /^Payer/ });
const receipt = (page: Page) => page.locator('checkout-pay').getByRole('heading', { name: fr['receipt.title'] as string });
const psp = (page: Page) => page.getByRole('dialog', { name: 'Test PSP — no real money' });

test('a member in good standing: catalog listed, subscription sold through the shop\'s PSP, one payment, webhook', async () => {
  const page = await open('resamania');
  await lookUp(page, LABEL, 'camille.martin@example.test');
  await page.locator('customer-lookup').getByText(/Ca\*\*\*\* M\./).waitFor();
  // The page lists what she may buy, from the catalog-change event.
  await page.locator('#offers').getByText(/Étudiant mensuel/).waitFor();
  assert.equal(await page.locator('loyalty-balance').isHidden(), true, 'no points to show for a club');

  assert.match(await payer(page).innerText(), /39,90/);
  const requested: string[] = [];
  await page.exposeFunction('sawRequest', (key: string) => requested.push(key));
  await page.evaluate(() => document.addEventListener('payment-requested', (e) => (window as any).sawRequest((e as CustomEvent).detail.key)));
  // A double click asks the PSP once.
  await payer(page).dblclick();
  await psp(page).getByRole('button', { name: 'Pay with the test card' }).click();
  await receipt(page).waitFor();
  assert.equal(new Set(requested).size, 1, 'one payment request, one key');
  assert.match(await shadowText(page, 'checkout-pay'), new RegExp(fr['receipt.title'] as string));
  assert.equal(sim().journal.count('POST', PAYMENTS), 1, 'exactly one payments call');
  // Checked when the page asked for payment (before the PSP took the money) and again just before paying.
  assert.equal(sim().journal.count('GET', /\/check$/), 2);
  assert.equal(sim().journal.count('POST', /\/sales$/), 1, 'one sale: the prepared one is paid');
  const id = await checkoutIdOf(page);
  await webhookListed(page, 'checkout.paid', id);
  assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
  await page.reload();
  await receipt(page).waitFor();
  assert.equal(sim().journal.count('POST', PAYMENTS), 1);
  await page.screenshot({ path: 'test-results/resamania-receipt.png', fullPage: true });
  await page.close();
});

test('a member in debt is told to settle it (its amount only once signed in): no payment asked of the PSP, no sale attempted', async () => {
  const page = await open('resamania');
  const sales = sim().journal.count('POST', /\/sales$/);
  const payments = sim().journal.count('POST', PAYMENTS);
  // An e-mail address anyone may know reveals that there is a debt, not how much.
  await lookUp(page, LABEL, 'julien.bernard@example.test');
  await page.locator('customer-lookup').getByText(fr['lookup.debtUnverified'] as string).waitFor();
  assert.doesNotMatch(await shadowText(page, 'customer-lookup'), /45,00/);
  assert.equal(await payer(page).getAttribute('aria-disabled'), 'true');
  // Signed in, the shop vouches for him: he sees the amount.
  await page.getByLabel('Signed in as').selectOption({ label: 'Julien Bernard' });
  await page.locator('customer-lookup').getByText(/45,00/).waitFor();
  assert.equal(await payer(page).getAttribute('aria-disabled'), 'true');
  await payer(page).click({ force: true });
  // The same as the click, awaited: it pays nothing and asks the PSP for nothing.
  assert.equal(await page.locator('checkout-pay').evaluate((el) => (el as HTMLElement & { pay(): Promise<unknown> }).pay()), undefined);
  assert.equal(await psp(page).isVisible(), false, 'the PSP is not opened');
  assert.equal(await page.locator('#event-log [data-event="payment-requested"]').count(), 0);
  assert.equal(sim().journal.count('POST', /\/sales$/), sales, 'no sale created');
  assert.equal(sim().journal.count('POST', PAYMENTS), payments);
  await page.close();
});

// SPEC §2.1: `check` the sale (400 shown to the user, no payment attempted): the sale is
// prepared and checked when the page asks for payment, before the shop's PSP takes anything.
test('a sale the club refuses at check is shown before the PSP takes any money, and nothing is paid', async () => {
  const page = await open('resamania');
  const payments = sim().journal.count('POST', PAYMENTS);
  await lookUp(page, LABEL, 'leo.petit@example.test');
  await page.locator('customer-lookup').getByText(/Lé\** P\./).waitFor();
  await payer(page).click();
  const alert = page.locator('checkout-pay').getByRole('alert');
  await alert.getByText(/16/).waitFor({ timeout: 5000 });
  assert.equal(await psp(page).isVisible(), false, 'the PSP is not asked to take money for a sale the club refuses');
  assert.equal(await page.locator('#event-log [data-event="payment-requested"]').count(), 0);
  assert.equal(sim().journal.count('POST', PAYMENTS), payments);
  assert.ok(sim().journal.count('GET', /\/check$/) > 0, 'the club checked the sale');
  await page.close();
});
