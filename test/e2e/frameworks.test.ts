import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { lookUp, payButton, receiptHeading, shadowText, useDemo } from './demo-page.js';

/**
 * The framework examples (examples/<framework>/, built by `npm run build:examples`): each page
 * renders the elements with its framework, which sets properties on them and keeps their
 * events in its own state. Against the demo stack's CRM.COM proxy, in Chromium.
 */
const { demo, browser } = useDemo();
const LABEL = 'Loyalty card, phone or app code';
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:";
const FRAMEWORKS = { react: 'React', vue: 'Vue', angular: 'Angular' } as const;
const purchases = () => demo().simulators.crmcom.journal.count('POST', /purchases\/create$/);

/** Opens an example page (fresh storage) once its framework rendered and the session is ready; collects errors. */
async function openExample(framework: string, options: { csp?: string } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser().newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) errors.push(`console: ${message.text()}`);
  });
  if (options.csp) {
    const csp = options.csp;
    await page.route(`**/examples/${framework}/`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
  }
  await page.goto(`${demo().url}/examples/${framework}/`);
  await page
    .waitForFunction(() => {
      const session = document.querySelector('checkout-session') as (HTMLElement & { state?: { phase: string } }) | null;
      return session?.state?.phase === 'ready' && !!document.getElementById('last-event');
    })
    .catch((error) => assert.fail(`${framework} example not ready: ${error.message}\n${errors.join('\n')}`));
  return { page, errors };
}

/** Waits until the framework rendered this text in `#id`, then returns what it shows. */
async function rendered(page: Page, id: string, text: string): Promise<string> {
  await page.locator(`#${id}`, { hasText: text }).waitFor();
  return page.locator(`#${id}`).innerText();
}

for (const [framework, name] of Object.entries(FRAMEWORKS)) {
  test(`${name}: sets properties, receives customer-found and payment-succeeded, one purchase per payment`, async () => {
    const { page, errors } = await openExample(framework);
    assert.match(await page.locator('h1').innerText(), new RegExp(name));

    // The framework set properties, not attributes: the elements reflect them under their
    // attribute names, and no lower-cased stand-in attribute (`hidetier`, `cartid`) exists.
    const balance = page.locator('loyalty-balance');
    assert.equal(await balance.evaluate((el) => (el as HTMLElement & { hideTier: boolean }).hideTier), true);
    assert.equal(await balance.getAttribute('hide-tier'), '');
    assert.equal(await balance.getAttribute('hidetier'), null);
    const session = page.locator('checkout-session');
    assert.equal(await session.evaluate((el) => (el as HTMLElement & { cartId: string }).cartId), 'crm-demo');
    assert.equal(await session.getAttribute('cart-id'), 'crm-demo');
    assert.equal(await session.getAttribute('cartid'), null);
    assert.equal(await session.getAttribute('endpoint'), '/api/crmcom');
    assert.equal(await page.locator('#last-event').innerText(), 'No event yet');

    // customer-found reaches the framework's state.
    await lookUp(page, LABEL, '22265577');
    await page.getByText('Hello, Jo** D.').waitFor();
    assert.equal(await rendered(page, 'customer', 'Customer: Jo** D.'), 'Customer: Jo** D.');
    assert.equal(await rendered(page, 'last-event', 'customer-found'), 'Last event: customer-found, Jo** D.');
    assert.match(await shadowText(page, 'loyalty-balance'), /Balance\s+€\d+\.\d\d/);
    assert.equal(await page.locator('loyalty-balance [part="level"]').count(), 0, 'hideTier: no level line');

    // payment-succeeded reaches it with the receipt; CRM.COM records exactly one purchase.
    const before = purchases();
    await payButton(page).click();
    await receiptHeading(page).waitFor();
    const reference = (await page.locator('checkout-pay .reference').innerText()).trim();
    assert.ok(reference, 'the receipt has a reference');
    assert.equal(await rendered(page, 'last-event', 'payment-succeeded'), `Last event: payment-succeeded, receipt ${reference}`);
    assert.equal(purchases(), before + 1, 'one CRM.COM purchase for one payment');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: `test-results/example-${framework}.png`, fullPage: true });
    await page.close();
  });
}

test('the React example runs under the Content-Security-Policy of the operator guide', async () => {
  // (The Vue and Angular examples compile their templates in the browser: they need 'unsafe-eval'.)
  const { page, errors } = await openExample('react', { csp: CSP });
  await lookUp(page, LABEL, '22265577');
  assert.equal(await rendered(page, 'last-event', 'customer-found'), 'Last event: customer-found, Jo** D.');
  assert.deepEqual(errors, []);
  await page.close();
});
