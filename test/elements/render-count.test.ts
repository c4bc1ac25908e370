import { expect, html, oneEvent } from '@open-wc/testing';
import { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { EligibilityCheck } from '../../src/elements/eligibility-check/eligibility-check.js';
import { LoyaltyBalance } from '../../src/elements/loyalty-balance/loyalty-balance.js';
import { CASHBACK_PHONE, ENDPOINT, lookUp, secretFor, sessionFixture, shadow } from './helpers.js';

/** Each element renders only when what it shows changed: renders are counted per element and action. */
const renders = new Map<string, number>();
for (const type of [CheckoutSession, CustomerLookup, LoyaltyBalance, EligibilityCheck, CheckoutPay]) {
  const prototype = type.prototype as unknown as { render(): unknown; localName: string };
  const render = prototype.render;
  prototype.render = function (this: HTMLElement) {
    renders.set(this.localName, (renders.get(this.localName) ?? 0) + 1);
    return render.call(this);
  };
}

const TAGS = ['checkout-session', 'customer-lookup', 'loyalty-balance', 'eligibility-check', 'checkout-pay'];
const counted = () => Object.fromEntries(TAGS.map((tag) => [tag, renders.get(tag) ?? 0]));

async function setup(customer?: string) {
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000', customer ? { customer } : {})}
      ><customer-lookup></customer-lookup><loyalty-balance></loyalty-balance><eligibility-check></eligibility-check><checkout-pay></checkout-pay
    ></checkout-session>`,
  );
  const elements = TAGS.slice(1).map((tag) => session.querySelector(tag) as CustomerLookup);
  const settled = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([session.updateComplete, ...elements.map((el) => el.updateComplete)]);
  };
  await settled();
  renders.clear();
  return { session, settled, lookup: elements[0]!, balance: elements[1] as unknown as LoyaltyBalance };
}

describe('renders per element and action', () => {
  it('a lookup re-renders only the elements that show something new: the lookup twice (pending, found), the balance once, the pay button twice (locked, free), nothing else', async () => {
    const { lookup, settled } = await setup();
    const found = oneEvent(lookup, 'customer-found');
    await lookUp(lookup, CASHBACK_PHONE);
    await found;
    await settled();
    console.log('lookup', JSON.stringify(counted()));
    expect(counted()).to.deep.equal({ 'checkout-session': 0, 'customer-lookup': 2, 'loyalty-balance': 1, 'eligibility-check': 0, 'checkout-pay': 2 });
  });

  it('applying points re-renders the balance, the lookup ("Not you?" locked meanwhile) and the summary; the hidden eligibility never', async () => {
    const { session, balance, settled } = await setup(CASHBACK_PHONE);
    const range = shadow<HTMLInputElement>(balance, 'input[type=range]');
    range.value = '30000';
    range.dispatchEvent(new Event('input'));
    await settled();
    renders.clear();
    const changed = oneEvent(balance, 'loyalty-change');
    shadow<HTMLButtonElement>(balance, 'button[part=button]').click();
    await changed;
    await settled();
    console.log('spend', JSON.stringify(counted()));
    expect(counted()).to.deep.equal({ 'checkout-session': 0, 'customer-lookup': 2, 'loyalty-balance': 2, 'eligibility-check': 0, 'checkout-pay': 2 });
    // A read of the checkout that brings nothing new (the watcher, a refresh) renders nothing.
    renders.clear();
    await session.refresh();
    await settled();
    console.log('refresh', JSON.stringify(counted()));
    expect(counted()).to.deep.equal({ 'checkout-session': 0, 'customer-lookup': 0, 'loyalty-balance': 0, 'eligibility-check': 0, 'checkout-pay': 0 });
  });

  it('a locale change re-renders each element that shows something once', async () => {
    const { session, settled } = await setup();
    session.locale = 'fr';
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settled();
    console.log('locale', JSON.stringify(counted()));
    // The session renders for its own attribute (a slot, nothing else); the elements once each.
    expect(counted()).to.deep.equal({ 'checkout-session': 1, 'customer-lookup': 1, 'loyalty-balance': 1, 'eligibility-check': 0, 'checkout-pay': 1 });
    await expect(session.querySelector('checkout-pay')!).to.be.accessible();
  });
});
