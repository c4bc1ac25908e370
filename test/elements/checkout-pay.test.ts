import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { PaymentRequestedDetail } from '../../src/events.js';
import { CASHBACK_PHONE, cashTill, confirmPayment, EARN_ONLY_CARD, ENDPOINT, secretFor, sessionFixture, shadow, shadowText, upstreamCount } from './helpers.js';

const RETAIL = '/integration/general/retail';

/** A web page's checkout: the shop vouched for `customer`, if given. */
async function setup(customer?: string) {
  const secret = await secretFor('cart-1000', customer ? { customer } : {});
  const session = await sessionFixture<CheckoutSession>(html`<checkout-session endpoint=${ENDPOINT} client-secret=${secret}><checkout-pay></checkout-pay></checkout-session>`);
  const pay = session.querySelector('checkout-pay') as CheckoutPay;
  await pay.updateComplete;
  return { session, pay, button: () => shadow<HTMLButtonElement>(pay, 'button.pay') };
}

describe('<checkout-pay> on a web page', () => {
  it('hands the amount due to the shop\'s PSP, waits, and shows the receipt once the shop\'s server confirmed it', async () => {
    const { session, pay, button } = await setup(CASHBACK_PHONE);
    await expect(pay).to.be.accessible();
    await session.setSpend(20000);
    await pay.updateComplete;
    const summary = shadowText(pay);
    expect(summary).to.contain('Points used');
    expect(button().textContent).to.contain('800.00');
    const requested = oneEvent(pay, 'payment-requested');
    button().click();
    const { detail } = (await requested) as CustomEvent<PaymentRequestedDetail>;
    expect(detail.amount).to.deep.equal({ amount: 80000, currency: 'RUB' });
    expect(detail.checkoutId).to.equal(session.state.checkout?.id);
    expect(detail.key).to.match(/^pay_/);
    await pay.updateComplete;
    expect(shadowText(pay)).to.contain('Waiting for your payment of RUB 800.00');
    expect(await upstreamCount(RETAIL)).to.equal(0, 'nothing recorded before the shop confirms');
    await expect(pay).to.be.accessible();

    const paid = oneEvent(pay, 'payment-succeeded');
    expect((await confirmPayment(detail)).status).to.equal(201);
    await session.refresh();
    const receipt = (await paid).detail.receipt;
    expect(receipt.paid).to.deep.equal({ amount: 80000, currency: 'RUB' });
    expect(receipt.spent.points).to.equal(200);
    expect(receipt.method).to.equal('external');
    await pay.updateComplete;
    expect(shadowText(pay)).to.contain('Thank you, your order is paid');
    // Focus goes to the receipt so screen readers announce it.
    await waitUntil(() => pay.shadowRoot!.activeElement === shadow(pay, '.receipt'));
  });

  it('reads the checkout by itself while it waits: the receipt appears without the page doing anything', async () => {
    const { pay, button } = await setup(EARN_ONLY_CARD);
    const requested = oneEvent(pay, 'payment-requested');
    button().click();
    const { detail } = (await requested) as CustomEvent<PaymentRequestedDetail>;
    const paid = oneEvent(pay, 'payment-succeeded');
    await confirmPayment(detail);
    expect((await paid).detail.receipt.earned?.points).to.equal(50);
  });

  it('asks once however often it is pressed, and the shop\'s confirmation records one retail', async () => {
    const { session, pay, button } = await setup(EARN_ONLY_CARD);
    const keys: string[] = [];
    pay.addEventListener('payment-requested', (event) => keys.push((event as CustomEvent<PaymentRequestedDetail>).detail.key));
    button().click();
    button().click();
    await pay.pay();
    await waitUntil(() => keys.length >= 1 && session.state.checkout?.status === 'awaiting-payment');
    // Pressed again while waiting ("Continue to payment"): the same request, the same key.
    await pay.pay();
    expect(new Set(keys).size).to.equal(1);
    const detail = { checkoutId: session.state.checkout!.id, amount: session.state.checkout!.amountDue, key: keys[0]! };
    await Promise.all([confirmPayment(detail), confirmPayment(detail)]);
    await session.refresh();
    expect(session.state.checkout?.status).to.equal('paid');
    expect(await upstreamCount(RETAIL)).to.equal(1);
  });

  it('"Change my order" while waiting opens the checkout again; a guest can pay', async () => {
    const { session, pay, button } = await setup();
    expect(button().getAttribute('aria-disabled')).to.equal('false', 'a guest pays too (the programme records nothing)');
    button().click();
    await waitUntil(() => session.state.checkout?.status === 'awaiting-payment');
    await pay.updateComplete;
    [...pay.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.includes('Change my order'))!.click();
    await waitUntil(() => session.state.checkout?.status === 'open');
  });
});

describe('<checkout-pay> when the shop ended the order', () => {
  it('says the shop cancelled it, and offers nothing to pay', async () => {
    const { session, pay } = await setup();
    const cancelled = await fetch('/test-shop/cancel', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ checkoutId: session.state.checkout!.id }) });
    expect(cancelled.status).to.equal(200);
    await session.refresh();
    await pay.updateComplete;
    expect(shadowText(pay)).to.contain('This order was cancelled by the shop.');
    expect(pay.shadowRoot!.querySelector('button.pay')).to.equal(null);
    await expect(pay).to.be.accessible();
  });
});

describe('<checkout-pay> at a till, after an unknown outcome', () => {
  it('asks the proxy for the status before any retry, and pays once', async () => {
    const { session, pay } = await cashTill();
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
    shadow<HTMLButtonElement>(pay, 'button.pay').click();
    await waitUntil(() => reads.length > 0, 'no payment outcome', { timeout: 8000 });
    // The widget asked for the status: the proxy settled it with the provider as paid.
    expect(reads).to.deep.equal(['payment-succeeded']);
    expect(session.state.checkout?.status).to.equal('paid');
    expect(session.state.checkout?.receipt?.method).to.equal('cash');
    expect(await upstreamCount(RETAIL)).to.equal(1);
    expect(JSON.stringify({ ...sessionStorage })).not.to.contain('paymentKey');
  });
});
