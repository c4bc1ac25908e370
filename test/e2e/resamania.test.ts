import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fr } from '../../src/i18n/locales/fr.js';
import { lookUp, shadowText, useDemo } from './demo-page.js';

/**
 * The club membership flow of SPEC §2.1 through the demo page (in French): identify the
 * contact → debt → catalog for the contact → sale, article with a start date, check → one
 * payment. Never a second payments call for one checkout.
 */
const { demo, open } = useDemo();
const sim = () => demo().simulators.resamania;
const PAYMENTS = /\/payments$/;
const LABEL = fr['lookup.label.email']!;

test('a member in good standing: catalog listed, subscription sold, one payment', async () => {
  const page = await open('resamania');
  await lookUp(page, LABEL, 'camille.martin@example.test');
  await page.locator('customer-lookup').getByText(/Ca\*\*\*\* M\./).waitFor();
  // The page lists what she may buy, from the catalog-change event.
  await page.locator('#offers').getByText(/Étudiant mensuel/).waitFor();
  assert.equal(await page.locator('loyalty-balance').isHidden(), true, 'no points to show for a club');

  const pay = page.locator('checkout-pay').getByRole('button', { name: /^Payer/ });
  assert.match(await pay.innerText(), /39,90/);
  await pay.dblclick();
  await page.locator('checkout-pay').getByRole('heading').waitFor();
  assert.match(await shadowText(page, 'checkout-pay'), new RegExp(fr['receipt.title'] as string));
  assert.equal(sim().journal.count('POST', PAYMENTS), 1, 'exactly one payments call');
  assert.equal(sim().journal.count('GET', /\/check$/), 1, 'checked once before paying');
  await page.reload();
  await page.locator('checkout-pay').getByRole('heading').waitFor();
  assert.equal(sim().journal.count('POST', PAYMENTS), 1);
  await page.screenshot({ path: 'test-results/resamania-receipt.png', fullPage: true });
  await page.close();
});

test('a member in debt is told to settle it and no sale is attempted', async () => {
  const page = await open('resamania');
  const sales = sim().journal.count('POST', /\/sales$/);
  const payments = sim().journal.count('POST', PAYMENTS);
  await lookUp(page, LABEL, 'julien.bernard@example.test');
  await page.locator('customer-lookup').getByText(/45,00/).waitFor();
  const pay = page.locator('checkout-pay').getByRole('button', { name: /^Payer/ });
  assert.equal(await pay.getAttribute('aria-disabled'), 'true');
  await pay.click({ force: true });
  assert.equal(sim().journal.count('POST', /\/sales$/), sales, 'no sale created');
  assert.equal(sim().journal.count('POST', PAYMENTS), payments);
  await page.close();
});

test('a sale the club refuses at check is shown, and nothing is paid', async () => {
  const page = await open('resamania');
  const payments = sim().journal.count('POST', PAYMENTS);
  await lookUp(page, LABEL, 'leo.petit@example.test');
  await page.locator('customer-lookup').getByText(/Lé\** P\./).waitFor();
  await page.locator('checkout-pay').getByRole('button', { name: /^Payer/ }).click();
  const alert = page.locator('checkout-pay').getByRole('alert');
  await alert.getByText(/./).waitFor();
  assert.ok((await alert.innerText()).length > 10, 'the refusal is explained');
  assert.equal(sim().journal.count('POST', PAYMENTS), payments, 'no payment after a failed check');
  await page.close();
});
