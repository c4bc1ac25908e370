import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import { CASHBACK_PHONE, EARN_ONLY_CARD, ENDPOINT, sessionFixture, shadow, shadowText, upstreamCount } from './helpers.js';

const RETAIL = '/integration/general/retail';

async function setup(method = 'card') {
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"><checkout-pay method=${method}></checkout-pay></checkout-session>`,
  );
  const pay = session.querySelector('checkout-pay') as CheckoutPay;
  await pay.updateComplete;
  return { session, pay, button: () => shadow<HTMLButtonElement>(pay, 'button.pay') };
}

describe('<checkout-pay>', () => {
  it('is accessible, and cannot pay before the customer is known', async () => {
    const { pay, button } = await setup();
    await expect(pay).to.be.accessible();
    expect(button().getAttribute('aria-disabled')).to.equal('true');
    expect(shadowText(pay)).to.contain('Find your loyalty account first.');
    const before = await upstreamCount(RETAIL);
    button().click();
    expect(await pay.pay()).to.equal(undefined);
    expect(await upstreamCount(RETAIL)).to.equal(before);
  });

  it('shows the summary with points, pays, and shows the receipt', async () => {
    const { session, pay, button } = await setup('cash');
    await session.lookup(CASHBACK_PHONE);
    await session.setSpend(20000);
    await pay.updateComplete;
    const summary = shadowText(pay);
    expect(summary).to.contain('Points used');
    expect(summary).to.contain('Cash');
    expect(button().textContent).to.contain('800.00');
    const paid = oneEvent(pay, 'payment-succeeded');
    button().click();
    const { detail } = await paid;
    expect(detail.receipt.paid).to.deep.equal({ amount: 80000, currency: 'RUB' });
    expect(detail.receipt.spent.points).to.equal(200);
    expect(detail.receipt.method).to.equal('cash');
    await pay.updateComplete;
    expect(shadowText(pay)).to.contain('Thank you, your order is paid');
    await expect(pay).to.be.accessible();
    // Focus goes to the receipt so screen readers announce it.
    await waitUntil(() => pay.shadowRoot!.activeElement === shadow(pay, '.receipt'));
  });

  it('pays once when the button is pressed many times', async () => {
    const { session, pay, button } = await setup();
    await session.lookup(EARN_ONLY_CARD);
    await pay.updateComplete;
    const before = await upstreamCount(RETAIL);
    let succeeded = 0;
    pay.addEventListener('payment-succeeded', () => succeeded++);
    button().click();
    button().click();
    await pay.pay();
    await waitUntil(() => session.state.checkout?.status === 'paid');
    await pay.updateComplete;
    expect(await upstreamCount(RETAIL)).to.equal(before + 1);
    expect(succeeded).to.be.at.most(2);
    // A paid checkout cannot be paid again: the session returns the paid checkout.
    expect((await session.pay('card')).receipt?.reference).to.equal(session.state.checkout?.receipt?.reference);
    expect(await upstreamCount(RETAIL)).to.equal(before + 1);
  });
});

describe('<checkout-pay> after an unknown outcome', () => {
  it('asks the proxy for the status before any retry, and pays once', async () => {
    const { session, pay, button } = await setup();
    await session.lookup(EARN_ONLY_CARD);
    await pay.updateComplete;
    // The provider records the retail operation, then the connection drops before it answers.
    const fault = await fetch('/sim/ru-loyalty/__faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'commit-then-drop', path: RETAIL, times: 1 }),
    });
    expect(fault.ok).to.equal(true);
    const reads: string[] = [];
    const seen = (event: Event) => reads.push((event as CustomEvent).type);
    pay.addEventListener('payment-succeeded', seen);
    pay.addEventListener('payment-failed', seen);
    button().click();
    await waitUntil(() => reads.length > 0, 'no payment outcome', { timeout: 8000 });
    // The widget asked for the status: the proxy settled it with the provider as paid.
    expect(reads).to.deep.equal(['payment-succeeded']);
    expect(session.state.checkout?.status).to.equal('paid');
    expect(await upstreamCount(RETAIL)).to.equal(1);
    expect(sessionStorage.getItem(`checkout-elements::${ENDPOINT}:cart-1000`)).not.to.contain('paymentKey');
  });
});
