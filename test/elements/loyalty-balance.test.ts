import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { LoyaltyBalance } from '../../src/elements/loyalty-balance/loyalty-balance.js';
import { CASHBACK_PHONE, DISCOUNT_CARD, ENDPOINT, newCheckout, secretFor, sessionFixture, shadow, shadowText, upstreamCount } from './helpers.js';

/** The shop's server vouched for its signed-in shopper `customer`: their balance shows, their points can be spent. */
async function setup(customer: string, attrs = html``) {
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000', { customer })}><loyalty-balance></loyalty-balance>${attrs}</checkout-session>`,
  );
  const balance = session.querySelector('loyalty-balance') as LoyaltyBalance;
  await balance.updateComplete;
  return { session, balance };
}

describe('<loyalty-balance>', () => {
  it('before a lookup invites one; after a lookup that proves nothing, shows no amount and no way to spend', async () => {
    const session = await sessionFixture<CheckoutSession>(html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}><loyalty-balance></loyalty-balance></checkout-session>`);
    const balance = session.querySelector('loyalty-balance') as LoyaltyBalance;
    expect(shadowText(balance)).to.contain('Find your loyalty account');
    await session.lookup(CASHBACK_PHONE);
    await balance.updateComplete;
    const text = shadowText(balance);
    expect(text).to.contain('Confirm that this account is yours to see and use your points.');
    expect(text).not.to.contain('878');
    expect(text).to.contain('This order earns 100 points');
    expect(balance.shadowRoot!.querySelector('input[type=range]')).to.equal(null);
    await expect(balance).to.be.accessible();
  });


  it('is accessible with a balance shown', async () => {
    const { balance } = await setup(CASHBACK_PHONE);
    await expect(balance).to.be.accessible();
  });

  it('shows balance, level, spendable maximum and what the order earns', async () => {
    const { balance } = await setup(CASHBACK_PHONE);
    const text = shadowText(balance);
    expect(text).to.contain('878 points');
    expect(text).to.contain('Бонусы: 10% back in points');
    // 1000 ₽ × 50 % max spend = 500 points.
    expect(shadow<HTMLInputElement>(balance, 'input[type=range]').max).to.equal('50000');
    expect(text).to.contain('This order earns 100 points');
  });

  it('applies the chosen points, holds them, and fires loyalty-change with the new amount due', async () => {
    const { session, balance } = await setup(CASHBACK_PHONE);
    const holdsBefore = await upstreamCount('/integration/general/bonuses/hold');
    const range = shadow<HTMLInputElement>(balance, 'input[type=range]');
    range.value = '30000';
    range.dispatchEvent(new Event('input'));
    await balance.updateComplete;
    const changed = oneEvent(balance, 'loyalty-change');
    shadow<HTMLButtonElement>(balance, 'button[part=button]').click();
    const { detail } = await changed;
    expect(detail.spend).to.deep.equal({ value: { amount: 30000, currency: 'RUB' }, points: 300 });
    expect(detail.amountDue).to.deep.equal({ amount: 70000, currency: 'RUB' });
    expect(session.state.checkout?.loyalty?.hold?.amount.points).to.equal(300);
    expect(await upstreamCount('/integration/general/bonuses/hold')).to.equal(holdsBefore + 1);
    await balance.updateComplete;
    expect(shadowText(balance)).to.contain('reserved for you until');
  });

  it('refuses a spend above the maximum with a message on the amount', async () => {
    const { session, balance } = await setup(CASHBACK_PHONE);
    const failed = oneEvent(session, 'checkout-error');
    await session.setSpend(60000).catch(() => {});
    const { detail } = await failed;
    expect(detail.problem.errors?.[0]?.field).to.equal('amount');
  });

  it('shows a discount level with nothing to spend', async () => {
    const { balance } = await setup(DISCOUNT_CARD);
    const text = shadowText(balance);
    expect(text).to.contain('Скидка 5%: 5% off');
    expect(text).to.contain('Your level gives RUB 50.00 off.');
    expect(text).to.contain('No points can be used on this order.');
    expect(balance.shadowRoot!.querySelector('input[type=range]')).to.equal(null);
  });

  it('renders nothing at all, from the start, for a programme with neither points to spend nor to earn (a club)', async () => {
    const shown: string[] = [];
    const prototype = customElements.get('loyalty-balance')!.prototype as { updated(changed: unknown): void };
    const updated = prototype.updated;
    prototype.updated = function (this: LoyaltyBalance, changed: unknown) {
      updated.call(this, changed);
      shown.push(shadowText(this).trim());
    };
    try {
      const { clientSecret } = await newCheckout('towel-1', { api: 'resamania' });
      const session = await sessionFixture<CheckoutSession>(html`<checkout-session endpoint="/api/resamania" client-secret=${clientSecret}><loyalty-balance></loyalty-balance></checkout-session>`);
      const balance = session.querySelector('loyalty-balance') as LoyaltyBalance;
      await balance.updateComplete;
      expect(session.state.capabilities?.loyalty).to.include({ spend: false, earn: false });
      expect(balance.hidden).to.equal(true);
      expect(balance.getBoundingClientRect().height).to.equal(0);
      expect(shown.filter(Boolean)).to.deep.equal([], 'it never showed anything');
      await expect(balance).to.be.accessible();
    } finally {
      prototype.updated = updated;
    }
  });

  it('hides the level with hide-tier, live', async () => {
    const { balance } = await setup(CASHBACK_PHONE);
    balance.hideTier = true;
    await balance.updateComplete;
    expect(shadowText(balance)).not.to.contain('Бонусы');
    await waitUntil(() => balance.hasAttribute('hide-tier'));
  });
});
