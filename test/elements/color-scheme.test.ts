import { expect, html } from '@open-wc/testing';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import { CASHBACK_PHONE, ENDPOINT, sessionFixture, shadow } from './helpers.js';

/** The default theme follows the page's `color-scheme`, not the OS alone; tokens win over both. */
async function setup() {
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"><customer-lookup></customer-lookup><loyalty-balance></loyalty-balance><checkout-pay></checkout-pay></checkout-session>`,
  );
  await session.lookup(CASHBACK_PHONE);
  const pay = session.querySelector('checkout-pay')!;
  await (pay as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
  return { session, pay, card: () => getComputedStyle(shadow(pay, '.card')), button: () => getComputedStyle(shadow(pay, 'button.pay')) };
}

describe('color scheme', () => {
  afterEach(() => {
    document.documentElement.style.colorScheme = '';
    document.documentElement.style.removeProperty('--checkout-color-surface');
  });

  it('is light on a page that declares no color-scheme', async () => {
    const { card, button } = await setup();
    expect(card().backgroundColor).to.equal('rgb(255, 255, 255)');
    expect(button().backgroundColor).to.equal('rgb(11, 87, 208)');
  });

  it('turns dark, live, when the page is dark, and stays accessible (contrast included)', async () => {
    const { pay, session, card, button } = await setup();
    document.documentElement.style.colorScheme = 'dark';
    expect(card().backgroundColor).to.equal('rgb(27, 31, 36)');
    expect(card().color).to.equal('rgb(230, 232, 235)');
    expect(button().backgroundColor).to.equal('rgb(138, 180, 248)');
    await expect(pay).to.be.accessible();
    await expect(session.querySelector('loyalty-balance')!).to.be.accessible();
    await expect(session.querySelector('customer-lookup')!).to.be.accessible();
  });

  it('lets the page\'s tokens win in either scheme', async () => {
    const { card } = await setup();
    document.documentElement.style.colorScheme = 'dark';
    document.documentElement.style.setProperty('--checkout-color-surface', 'rgb(1, 2, 3)');
    expect(card().backgroundColor).to.equal('rgb(1, 2, 3)');
  });
});
