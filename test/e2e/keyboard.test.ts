import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { receiptHeading, shadowText, useDemo } from './demo-page.js';

/**
 * The café flow (Russian loyalty API) with the keyboard only: Tab, Shift+Tab, Enter, Space,
 * arrows and typing — no click, no fill. `page.evaluate` only reads where the focus is. The
 * shopper proves the account with the code in her app, and pays in the shop's (test) PSP form.
 */
const { demo, open } = useDemo();
const sim = () => demo().simulators['ru-loyalty'];
/** Where the focus is once the receipt shows (read by the second test). */
let afterPay: Focus | undefined;
mkdirSync('test-results/screenshots', { recursive: true });

interface Focus {
  /** The focus chain through shadow roots, outermost first, e.g. `customer-lookup > input#query`. */
  path: string;
  /** The deepest focused element's part names and text, to tell stops apart. */
  part: string;
  text: string;
  /** It matches :focus-visible and draws something (outline or box-shadow). */
  visible: boolean;
  indicator: string;
}

/** Where the focus is, read through the shadow roots (no action). */
function focus(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    const chain: Element[] = [];
    let active: Element | null = document.activeElement;
    while (active && active !== document.body) {
      chain.push(active);
      active = active.shadowRoot?.activeElement ?? null;
    }
    const deepest = chain.at(-1);
    if (!deepest) return { path: 'body', part: '', text: '', visible: false, indicator: 'none' };
    const style = getComputedStyle(deepest);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : '';
    const shadow = style.boxShadow !== 'none' ? `box-shadow ${style.boxShadow}` : '';
    return {
      // (No named helper in here: tsx would wrap it in a `__name` call the page does not have.)
      path: chain.map((el) => el.localName + (el.id ? `#${el.id}` : '')).join(' > '),
      part: deepest.getAttribute('part') ?? '',
      text: ((deepest as HTMLElement).innerText ?? '').trim().replace(/\s+/g, ' ').slice(0, 60),
      visible: deepest.matches(':focus-visible') && !!(outline || shadow),
      indicator: outline || shadow || 'none',
    };
  });
}

/** Presses a key and checks the focus it leaves is visible; returns where it is. */
async function press(page: Page, key: string, stops: string[]): Promise<Focus> {
  await page.keyboard.press(key);
  const now = await focus(page);
  stops.push(`${key} → ${now.path} "${now.text}"`);
  assert.ok(now.visible, `after ${key}, the focus on ${now.path} "${now.text}" is visible (${now.indicator})`);
  return now;
}

/** Tabs (forwards or backwards) until `found` holds, at most `max` times; every stop on the way must show its focus. */
async function tabTo(page: Page, found: (f: Focus) => boolean, stops: string[], { key = 'Tab', max = 12 } = {}): Promise<Focus> {
  for (let i = 0; i < max; i++) {
    const now = await press(page, key, stops);
    if (found(now)) return now;
  }
  assert.fail(`${key} never reached the target; stops:\n${stops.join('\n')}`);
}

/** The focus is visible now (after the page moved it itself). */
async function assertVisible(page: Page, where: RegExp, stops: string[]): Promise<Focus> {
  const now = await focus(page);
  stops.push(`(moved) → ${now.path} "${now.text}"`);
  assert.match(now.path, where, `focus is on ${where}; stops:\n${stops.join('\n')}`);
  assert.ok(now.visible, `the focus on ${now.path} is visible (${now.indicator})`);
  return now;
}

test('the café flow with the keyboard only: look up, spend points, pay, see the receipt', async () => {
  const page = await open('ru-loyalty');
  const stops: string[] = [];
  const client = sim().client('62a000000000000000000001');
  const before = client.balance;
  assert.equal((await focus(page)).path, 'body', 'the run starts from the page top, nothing focused');

  // 1. From the top, through the header, to the lookup field.
  await tabTo(page, (f) => f.path === 'customer-lookup > input#query', stops);
  // The header's own controls come first, in reading order.
  assert.deepEqual(
    stops.map((s) => s.replace(/^Tab → /, '').replace(/ ".*$/, '')),
    ['select#scenario', 'select#shopper', 'button#new-order', 'a', 'customer-lookup > input#query'],
    'tab order: scenario, signed-in shopper, new order, themes link, lookup field',
  );
  // Shift+Tab goes back to the header link, Tab returns to the field.
  assert.equal((await press(page, 'Shift+Tab', stops)).path, 'a');
  assert.equal((await press(page, 'Tab', stops)).path, 'customer-lookup > input#query');

  // 2. Type the phone and press Enter; the focus follows to the result: the field for the code
  //    that proves the account is hers (a phone number proves nothing).
  await page.keyboard.type('+7 920 123-45-67');
  await page.keyboard.press('Enter');
  await page.locator('customer-lookup [part="customer"]').getByText('Hello, Ив** П.').waitFor();
  await page.waitForFunction(() => document.activeElement?.localName === 'customer-lookup' && document.activeElement.shadowRoot?.activeElement?.id === 'code');
  const code = await assertVisible(page, /^customer-lookup > input#code$/, stops);
  assert.equal(code.part, 'code', 'after the lookup, the focus is on the code field');
  assert.match(await shadowText(page, 'loyalty-balance'), /Confirm that this account is yours/);

  // 3. Type the app code and press Enter; the focus moves on to the result ("Not you?").
  await page.keyboard.type('100001');
  await page.keyboard.press('Enter');
  await page.locator('loyalty-balance [part="balance"]').getByText(/878 points/).waitFor();
  await page.waitForFunction(() => document.activeElement?.localName === 'customer-lookup' && document.activeElement.shadowRoot?.activeElement?.getAttribute('part') === 'clear');
  const found = await assertVisible(page, /^customer-lookup > button$/, stops);
  assert.equal(found.part, 'clear', 'after the proof, the focus is on "Not you?"');

  // 4. Tab to the points slider; End for the most, arrows down and up again.
  const slider = await tabTo(page, (f) => f.path === 'loyalty-balance > input#spend', stops, { max: 3 });
  assert.equal(slider.part, 'input');
  await press(page, 'Home', stops);
  await press(page, 'End', stops);
  await press(page, 'ArrowLeft', stops);
  assert.match(await page.locator('loyalty-balance [part="amount"]').innerText(), /RUB\s498\.00/, 'ArrowLeft takes one point off');
  await press(page, 'ArrowRight', stops);
  assert.match(await page.locator('loyalty-balance [part="amount"]').innerText(), /RUB\s499\.00/, 'ArrowRight puts it back: the most, 499 points');
  await page.locator('main').screenshot({ path: 'test-results/screenshots/keyboard-slider.png' });

  // 5. Tab to "Use points" and press Enter: the points are held, the focus stays on the button.
  const apply = await tabTo(page, (f) => f.path === 'loyalty-balance > button' && f.part === 'button', stops, { max: 4 });
  assert.equal(apply.text, 'Use points');
  await page.keyboard.press('Enter');
  await page.locator('loyalty-balance [part="hold"]').getByText(/reserved for you until/).waitFor();
  await assertVisible(page, /^loyalty-balance > button$/, stops);
  assert.equal(sim().holds().length, 1, 'the chosen points are held');
  assert.equal(sim().holds()[0].amount, 499);

  // 6. Tab to the pay button (it shows the new amount due) and press Space.
  const pay = await tabTo(page, (f) => f.path === 'checkout-pay > button' && f.part === 'button', stops, { max: 4 });
  assert.match(pay.text, /^Pay RUB\s500\.90$/);
  await page.locator('main').screenshot({ path: 'test-results/screenshots/keyboard-pay.png' });
  await page.keyboard.press('Space');

  // 7. The shop's PSP form opens (a modal dialog) with the focus in it; Tab to its pay button, Enter.
  const psp = page.getByRole('dialog', { name: 'Test PSP — no real money' });
  await psp.waitFor();
  await page.waitForFunction(() => !!document.activeElement?.closest('dialog'));
  await assertVisible(page, /^input#psp-card$/, stops);
  assert.match(await psp.innerText(), /Amount: RUB\s500\.90/);
  const confirm = await tabTo(page, (f) => f.path === 'button#psp-pay', stops, { max: 3 });
  assert.equal(confirm.text, 'Pay with the test card');
  await page.keyboard.press('Enter');

  // 8. The receipt is shown.
  await receiptHeading(page).waitFor();
  assert.match(await shadowText(page, 'checkout-pay'), /Points used\s+499 points/);
  assert.equal(client.balance, before - 499, 'the points were spent');
  // Give the element the time it needs to move the focus (it does so right after rendering).
  await page.waitForFunction(() => document.activeElement?.localName === 'checkout-pay', undefined, { timeout: 2000 }).catch(() => {});
  afterPay = await focus(page);
  stops.push(`(after paying) → ${afterPay.path} "${afterPay.text}"`);
  console.log(`keyboard stops:\n  ${stops.join('\n  ')}`);
  await page.close();
});

// <checkout-pay session="checkout"> sits outside its session on the demo page: the focus must
// still reach the receipt (it once fell to <body>: the state callback ran before the render).
test('after paying with the keyboard, the focus is on the receipt, visibly', () => {
  assert.ok(afterPay, 'the flow above reached the receipt');
  assert.match(afterPay.path, /^checkout-pay > section$/, `focus after paying: ${afterPay.path}`);
  assert.equal(afterPay.part, 'receipt');
  assert.match(afterPay.text, /^Thank you, your order is paid/);
  assert.ok(afterPay.visible, `the focus on the receipt is visible (${afterPay.indicator})`);
});
