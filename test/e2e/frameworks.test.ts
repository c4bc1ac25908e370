import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { CRMCOM_DEMO_PROOFS } from '../../src/simulators/crmcom/simulator.js';
import { checkoutIdOf, confirmAccount, lookUp, payButton, receiptHeading, shadowText, useDemo, webhookTypes } from './demo-page.js';

/**
 * The framework examples (examples/<framework>/, built by `npm run build:examples`): each page
 * gets its checkout's client secret from the demo shop's server, renders the elements with its
 * framework, which sets properties on them (the client secret too) and keeps their events in
 * its own state, and answers `payment-requested` with the shop's test PSP before refreshing the
 * session. Against the demo stack's CRM.COM proxy, in Chromium.
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
  test(`${name}: gets its checkout from the shop, sets properties, receives customer-found, pays on payment-requested, receives payment-succeeded, one purchase per payment`, async () => {
    const { page, errors } = await openExample(framework);
    assert.match(await page.locator('h1').innerText(), new RegExp(name));

    // The framework set properties, not attributes: the elements reflect them under their
    // attribute names, and no lower-cased stand-in attribute (`hidetier`, `clientsecret`) exists.
    const balance = page.locator('loyalty-balance');
    assert.equal(await balance.evaluate((el) => (el as HTMLElement & { hideTier: boolean }).hideTier), true);
    assert.equal(await balance.getAttribute('hide-tier'), '');
    assert.equal(await balance.getAttribute('hidetier'), null);
    // The client secret the shop's server handed over, set as a property (not reflected).
    const session = page.locator('checkout-session');
    const id = await checkoutIdOf(page);
    assert.ok((await session.evaluate((el) => (el as HTMLElement & { clientSecret: string }).clientSecret)).startsWith(`${id}_secret_`), 'the session holds the checkout\'s client secret');
    assert.equal(await session.getAttribute('client-secret'), null);
    assert.equal(await session.getAttribute('clientsecret'), null);
    assert.equal(await session.getAttribute('endpoint'), '/api/crmcom');
    assert.equal(await page.locator('#last-event').innerText(), 'No event yet');

    // customer-found reaches the framework's state; the wallet shows once the pass code proves the account.
    await lookUp(page, LABEL, '22265577');
    await page.getByText('Hello, Jo** D.').waitFor();
    assert.equal(await rendered(page, 'customer', 'Customer: Jo** D.'), 'Customer: Jo** D.');
    assert.equal(await rendered(page, 'last-event', 'customer-found'), 'Last event: customer-found, Jo** D.');
    assert.match(await shadowText(page, 'loyalty-balance'), /Confirm that this account is yours/);
    await confirmAccount(page, CRMCOM_DEMO_PROOFS['22265577'].passCode);
    assert.match(await shadowText(page, 'loyalty-balance'), /Balance\s+€\d+\.\d\d/);
    assert.equal(await page.locator('loyalty-balance [part="level"]').count(), 0, 'hideTier: no level line');

    // payment-requested reaches the framework, which has the shop's PSP take €30.00 and
    // refreshes the session; payment-succeeded then reaches it with the receipt; CRM.COM
    // records exactly one purchase and the shop's server gets its webhook.
    const before = purchases();
    // (Only watches the page's call: the receipt must come from the framework's refresh, not the session's next check.)
    await session.evaluate((el) => {
      const target = el as HTMLElement & { refresh(): Promise<unknown> };
      const refresh = target.refresh.bind(target);
      target.refresh = () => ((window as unknown as { refreshed: boolean }).refreshed = true) && refresh();
    });
    const requested = page.waitForRequest((r) => r.url().endsWith('/shop/psp/pay') && r.method() === 'POST');
    await payButton(page).click();
    const sent = JSON.parse((await requested).postData() ?? '{}') as { scenario: string; checkoutId: string; amount: unknown; key: string };
    assert.deepEqual({ ...sent, key: typeof sent.key }, { scenario: 'crmcom', checkoutId: id, amount: { amount: 3000, currency: 'EUR' }, key: 'string', card: '4242424242424242' });
    await receiptHeading(page).waitFor();
    const reference = (await page.locator('checkout-pay .reference').innerText()).trim();
    assert.ok(reference, 'the receipt has a reference');
    assert.equal(await rendered(page, 'last-event', 'payment-succeeded'), `Last event: payment-succeeded, receipt ${reference}`);
    assert.equal(await page.evaluate(() => (window as unknown as { refreshed?: boolean }).refreshed), true, `${name} refreshed the session once its shop confirmed the payment`);
    assert.equal(purchases(), before + 1, 'one CRM.COM purchase for one payment');
    await page.waitForFunction(async (checkoutId) => ((await (await fetch('/shop/webhooks')).json()) as { received: Array<{ checkout: string }> }).received.some((w) => w.checkout === checkoutId), id);
    assert.deepEqual(await webhookTypes(page, id), ['checkout.paid']);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: `test-results/example-${framework}.png`, fullPage: true });
    await page.close();
  });
}

test('the React example runs under the Content-Security-Policy of the operator guide, from its shop\'s checkout to the receipt', async () => {
  // (The Vue and Angular examples compile their templates in the browser: they need 'unsafe-eval'.)
  const { page, errors } = await openExample('react', { csp: CSP });
  await lookUp(page, LABEL, '22265577');
  assert.equal(await rendered(page, 'last-event', 'customer-found'), 'Last event: customer-found, Jo** D.');
  await payButton(page).click();
  await receiptHeading(page).waitFor();
  await rendered(page, 'last-event', 'payment-succeeded');
  assert.deepEqual(errors, []);
  await page.close();
});
