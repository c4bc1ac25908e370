import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { SCENARIOS, type Identity } from '../../demo/scenarios.js';
import { useDemo } from './demo-page.js';

/**
 * "Looked at, not only tested": a full-page screenshot of every demo scenario after a lookup,
 * and of the three-themes page, saved under test-results/screenshots/ for a person to check.
 */
const { demo, browser, open } = useDemo();
const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });
const VIEWPORT = { width: 1280, height: 900 };

/** What a shopper types for an identity: its first alternative, without the "card"/"app code" prefix. */
function typeable(identity: Identity): string | undefined {
  const first = identity.type.split(' or ')[0]!.trim().replace(/^(card|app code)\s+/, '');
  return /^[\w+@.\- ]{3,}$/.test(first) ? first : undefined;
}

/** The code an identity proves its account with (app code, pass code), if the scenario lists one. */
function proofCode(identity: Identity): string | undefined {
  return /\b(?:app|pass) code (\d+)/.exec(identity.type)?.[1];
}

/** The masked name the lookup shows for a person ("Иван Петров" → "Ив** П."). */
function maskedName(who: string): RegExp {
  const [first, last] = who.split(' ');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escape(first!.slice(0, 2))}\\*+ ${escape(last![0]!)}\\.`);
}

/** The session has nothing in flight, the instalment offers (if any) match the amount due, and a club's catalog is listed. */
async function settled(page: Page, sessionId = 'checkout'): Promise<void> {
  await page.waitForFunction((id) => {
    const session = document.getElementById(id) as HTMLElement & { state?: any };
    const state = session?.state;
    if (!state || state.phase !== 'ready' || state.busy) return false;
    if (state.capabilities?.instalments && state.checkout?.customer && !state.problem) {
      const eligibility = state.instalments?.eligibility;
      if (!eligibility || eligibility.amountDue.amount !== state.checkout.amountDue.amount) return false;
      // Checked for the customer as she is now, not before she was found or proved the account hers
      // (the scenarios' first identities are all known to their instalment provider).
      if (eligibility.reason === 'no-customer' || (eligibility.reason === 'unverified' && state.checkout.customer.verified)) return false;
    }
    if (state.capabilities?.loyalty.catalog && state.checkout?.customer && id === 'checkout') return !document.getElementById('catalog')?.hidden;
    return true;
  }, sessionId);
  // One more frame, so the elements have rendered the settled state.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

for (const scenario of SCENARIOS) {
  test(`scenario ${scenario.id}: looks up its first identity and saves a screenshot`, async () => {
    const page = await open(scenario.id);
    await page.setViewportSize(VIEWPORT);
    const identity = scenario.identities[0];
    const query = identity && typeable(identity);
    if (identity && query) {
      // The field by its place, not its label: the label is in the scenario's language.
      const field = page.locator('customer-lookup input[name="query"]');
      await field.fill(query);
      await field.press('Enter');
      const customer = page.locator('customer-lookup [part="customer"]');
      await customer.waitFor();
      assert.match(await customer.innerText(), maskedName(identity.who), `${scenario.id}: the lookup shows ${identity.who}, masked`);
      // Show what the account holder sees: proved with the identity's code, or signed in to the
      // shop where the programme has no code (the shop vouches for its shopper).
      const code = proofCode(identity);
      const shopper = scenario.shoppers?.find((s) => s.label === identity.who);
      // (Points or instalment offers the shopper could only see once signed in: a programme without a code.)
      const hidden = () =>
        page.evaluate(() => {
          const state = (document.getElementById('checkout') as HTMLElement & { state?: any }).state;
          return (state?.capabilities?.loyalty.spend || state?.capabilities?.instalments) && state.checkout?.customer?.verified === false;
        });
      if (code) {
        const field = page.locator('customer-lookup input[name="code"]');
        await field.fill(code);
        await field.press('Enter');
        await page.locator('loyalty-balance [part="balance"]').getByText(/\d/).waitFor();
      } else if (shopper && scenario.mode !== 'pos' && (await hidden())) {
        await page.getByLabel('Signed in as').selectOption({ label: shopper.label });
        await page.waitForFunction(() => (document.getElementById('checkout') as HTMLElement & { state?: any }).state?.checkout?.customer?.verified === true);
        await customer.waitFor();
      }
      await settled(page);
    }
    await page.screenshot({ path: `${SHOTS}/${scenario.id}.png`, fullPage: true });
    // The same scenario in the dark and brand themes of demo/themes.css (page CSS only).
    const surface = () => page.locator('checkout-pay').evaluate((el) => getComputedStyle(el.shadowRoot!.querySelector('.card')!).backgroundColor);
    const surfaces = new Set([await surface()]);
    await page.addStyleTag({ url: '/demo/themes.css' });
    for (const theme of ['dark', 'brand'] as const) {
      await page.evaluate((name) => {
        document.body.classList.remove('theme-dark', 'theme-brand');
        document.body.classList.add(`theme-${name}`);
      }, theme);
      await settled(page);
      surfaces.add(await surface());
      await page.screenshot({ path: `${SHOTS}/${scenario.id}-${theme}.png`, fullPage: true });
    }
    assert.equal(surfaces.size, 3, `${scenario.id}: three themes, three looks (${[...surfaces].join(', ')})`);
    await page.close();
  });
}

/** A strict policy, as the operator guide gives it: no inline script or style, same origin only. */
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:";
const THEMES = ['light', 'dark', 'brand'] as const;
/** Each copy looks up the same customer (by phone or by card), so the three themes show the same controls. */
const WHO = { light: '+7 920 123-45-67', dark: '2000000000018', brand: '+7 920 123-45-67' } as const;

/** The checkout id each copy holds. */
const checkoutIds = (page: Page) =>
  page.evaluate((ids) => ids.map((id) => (document.getElementById(`checkout-${id}`) as HTMLElement & { state: { checkout?: { id: string } } }).state.checkout?.id), THEMES as unknown as string[]);

const themesReady = (page: Page) =>
  page.waitForFunction(
    (ids) => ids.every((id) => (document.getElementById(`checkout-${id}`) as HTMLElement & { state?: { phase: string } })?.state?.phase === 'ready'),
    THEMES as unknown as string[],
  );

test('themes page: three independent checkouts, three looks, under a strict CSP', async () => {
  const page = await browser().newPage({ viewport: VIEWPORT });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Any error counts (CSP violations are reported here), except the browser's own favicon request.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) errors.push(`console: ${message.text()}`);
  });
  // Serve the page with the Content-Security-Policy header a merchant would send.
  await page.route('**/demo/themes.html', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
  });
  await page.goto(`${demo().url}/demo/themes.html`);
  await themesReady(page);

  assert.equal(new Set(await checkoutIds(page)).size, 3, 'each copy has its own checkout');
  // Before any lookup: each copy's field and its button sit on one line, in every theme.
  for (const id of THEMES) {
    const field = await page.locator(`#checkout-${id} customer-lookup input[name="query"]`).boundingBox();
    const button = await page.locator(`#checkout-${id} customer-lookup [part="button"]`).boundingBox();
    assert.ok(field && button && Math.abs(field.y + field.height / 2 - (button.y + button.height / 2)) < 2, `${id}: "Find me" beside the field`);
  }
  await page.screenshot({ path: `${SHOTS}/themes-start.png`, fullPage: true });

  // The pay button's colours come from each theme: three different backgrounds.
  const payColours = async () =>
    Promise.all(
      THEMES.map((id) =>
        page.locator(`#checkout-${id} checkout-pay`).evaluate((el) => {
          const style = getComputedStyle(el.shadowRoot!.querySelector('[part~="button"]')!);
          return { background: style.backgroundColor, color: style.color, radius: style.borderTopLeftRadius, font: style.fontFamily };
        }),
      ),
    );

  for (const id of THEMES) {
    // Before this copy's lookup, it still asks for a customer: the earlier lookups did not reach it.
    await page.locator(`#checkout-${id} customer-lookup [part="form"]`).waitFor();
    const field = page.locator(`#checkout-${id} customer-lookup input[name="query"]`);
    await field.fill(WHO[id]);
    await field.press('Enter');
    await page.locator(`#checkout-${id} customer-lookup [part="customer"]`).getByText('Hello, Ив** П.').waitFor();
    // The code in his app proves the account is his: then his points show, with the spend controls.
    const code = page.locator(`#checkout-${id} customer-lookup input[name="code"]`);
    await code.fill('100001');
    await code.press('Enter');
    await code.waitFor({ state: 'detached' });
    await settled(page, `checkout-${id}`);
    assert.match(await page.locator(`#checkout-${id} loyalty-balance [part="balance"]`).innerText(), /878 points/);
  }

  const [light, dark, brand] = await payColours();
  assert.equal(light!.background, 'rgb(11, 87, 208)', 'light: the default accent');
  assert.equal(dark!.background, 'rgb(138, 180, 248)', 'dark: its accent token');
  assert.equal(dark!.color, 'rgb(10, 31, 68)', 'dark: its on-accent token');
  assert.equal(brand!.background, 'rgb(123, 63, 0)', 'brand: its accent token');
  assert.equal(new Set([light!.background, dark!.background, brand!.background]).size, 3, 'three different pay buttons');
  assert.equal(brand!.radius, '999px', 'brand: the ::part(button) rule wins over the element’s own radius');
  assert.match(brand!.font, /Georgia/, 'brand: its font token');
  assert.notEqual(light!.radius, brand!.radius);

  // The surfaces differ too (the card behind the lookup result).
  const surfaces = await Promise.all(
    THEMES.map((id) => page.locator(`#checkout-${id} customer-lookup [part="customer"]`).evaluate((el) => getComputedStyle(el).backgroundColor)),
  );
  assert.deepEqual(surfaces, ['rgb(255, 255, 255)', 'rgb(31, 36, 43)', 'rgb(255, 250, 243)']);

  await page.screenshot({ path: `${SHOTS}/themes.png`, fullPage: true });
  assert.deepEqual(errors, [], 'no script error and no CSP violation');
  await page.close();
});

// Three sessions on one endpoint and cart each resume their own checkout after a reload (the
// storage key once left out the session's id, so all three resumed the last one stored).
test('themes page: after a reload each copy still has its own checkout', async () => {
  const page = await browser().newPage({ viewport: VIEWPORT });
  await page.goto(`${demo().url}/demo/themes.html`);
  await themesReady(page);
  const field = page.locator('#checkout-light customer-lookup input[name="query"]');
  await field.fill('+7 920 123-45-67');
  await field.press('Enter');
  await page.locator('#checkout-light customer-lookup [part="customer"]').waitFor();
  const before = await checkoutIds(page);
  await page.reload();
  await themesReady(page);
  try {
    assert.deepEqual(await checkoutIds(page), before, 'each copy resumes its own checkout');
    await page.locator('#checkout-light customer-lookup [part="customer"]').waitFor({ timeout: 2000 });
  } finally {
    await page.close();
  }
});
