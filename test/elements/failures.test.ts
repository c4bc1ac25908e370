import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { CASHBACK_PHONE, cashTill, ENDPOINT, lookUp, newCheckout, secretFor, sessionFixture, shadow, shadowText } from './helpers.js';

/** The instalment proxy (FLOA beside a loyalty programme in euros): all four elements show something there. */
const FLOA_ENDPOINT = '/api/floa';
const TAGS = ['customer-lookup', 'loyalty-balance', 'eligibility-check', 'checkout-pay'] as const;

async function fourElements(secret: string, endpoint = FLOA_ENDPOINT) {
  await fetch('/sim/bike-loyalty/__reset', { method: 'POST' });
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session endpoint=${endpoint} client-secret=${secret} locale="en"
      ><customer-lookup></customer-lookup><loyalty-balance></loyalty-balance><eligibility-check></eligibility-check><checkout-pay></checkout-pay
    ></checkout-session>`,
  );
  const elements = TAGS.map((tag) => session.querySelector(tag) as HTMLElement & { updateComplete: Promise<unknown> });
  const settled = () => Promise.all(elements.map((el) => el.updateComplete));
  return { session, elements, settled };
}

/** Makes every call to the proxy fail as a dropped connection does (nothing reaches it) until restored. */
function cutTheNetwork(prefix: string): () => void {
  const original = window.fetch;
  window.fetch = (input, init) => (String(input instanceof Request ? input.url : input).includes(prefix) ? Promise.reject(new TypeError('Failed to fetch')) : original(input, init));
  return () => (window.fetch = original);
}

describe('failure paths', () => {
  it('a live client-secret change whose load fails shows the failure with a retry in every element, never the previous order', async () => {
    const { session, elements, settled } = await fourElements(await secretFor('bike', { api: 'floa' }));
    const pay = session.querySelector('checkout-pay') as CheckoutPay;
    expect(shadowText(pay)).to.contain('€500.00');
    const next = await newCheckout('bike', { api: 'floa' });
    const restore = cutTheNetwork(FLOA_ENDPOINT);
    try {
      const failed = oneEvent(session, 'checkout-error');
      session.clientSecret = next.clientSecret;
      expect((await failed).detail.action).to.equal('load');
    } finally {
      restore();
    }
    await settled();
    for (const el of elements) {
      const text = shadowText(el);
      expect(text, el.localName).to.contain('We could not reach the shop.');
      expect(text, el.localName).not.to.contain('500.00');
      expect(el.shadowRoot!.querySelector('[role=alert]'), el.localName).not.to.equal(null);
      expect([...el.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent!.trim()), el.localName).to.deep.equal(['Try again']);
      await expect(el).to.be.accessible();
    }
    expect(pay.shadowRoot!.querySelector('button.pay')).to.equal(null, 'no dead pay button');
    // The retry of any element loads the new order.
    shadow<HTMLButtonElement>(session.querySelector('loyalty-balance')!, 'button').click();
    await waitUntil(() => session.state.phase === 'ready', 'the retry did not load the order', { timeout: 5000 });
    expect(session.state.checkout?.id).to.equal(next.checkoutId);
    await settled();
    expect(shadow(pay, 'button.pay').textContent).to.contain('€500.00');
  });

  it('a live currency change to another currency than the order\'s says so in every element, with nothing highlighted to check', async () => {
    const { session, elements, settled } = await fourElements(await secretFor('bike', { api: 'floa' }));
    const failed = oneEvent(session, 'checkout-error');
    session.currency = 'RUB';
    const { detail } = await failed;
    expect(detail.problem.title).to.contain('EUR');
    await settled();
    for (const el of elements) {
      const text = shadowText(el);
      expect(text, el.localName).to.contain('This order is in another currency than this page');
      expect(text, el.localName).not.to.match(/highlighted|500\.00/);
      expect(el.shadowRoot!.querySelector('[aria-invalid=true]'), el.localName).to.equal(null);
    }
  });

  it('a checkout that cannot be opened on first load says so in words that fit (the shopper typed nothing)', async () => {
    sessionStorage.clear();
    const { checkoutId } = await newCheckout('cart-1000');
    const session = await fixture<CheckoutSession>(
      html`<checkout-session endpoint=${ENDPOINT} client-secret=${`${checkoutId}_secret_guessed`}><customer-lookup></customer-lookup><loyalty-balance></loyalty-balance><checkout-pay></checkout-pay></checkout-session>`,
    );
    await waitUntil(() => session.state.phase === 'error', 'no failure', { timeout: 5000 });
    for (const tag of ['customer-lookup', 'loyalty-balance', 'checkout-pay'] as const) {
      const el = session.querySelector(tag)!;
      await el.updateComplete;
      const text = shadowText(el);
      expect(text, tag).to.contain('This order cannot be opened');
      expect(text, tag).not.to.match(/could not find|what you typed|highlighted/i);
      await expect(el).to.be.accessible();
    }
  });

  it('POS: a reply for the previous order never overwrites the next one', async () => {
    sessionStorage.clear();
    const first = await newCheckout('cart-1000', { till: 'till-1' });
    const next = await newCheckout('cart-1000', { till: 'till-1' });
    const session = await fixture<CheckoutSession>(
      html`<checkout-session mode="pos" endpoint=${ENDPOINT} client-secret=${first.clientSecret} till-credential=${first.tillCredential!}><customer-lookup></customer-lookup><checkout-pay method="cash"></checkout-pay></checkout-session>`,
    );
    await waitUntil(() => session.state.phase === 'ready' && session.state.pos, 'the till did not load', { timeout: 5000 });
    const lookup = session.querySelector('customer-lookup') as CustomerLookup;
    // The loyalty service answers the first order's lookup slowly: the cashier starts the next sale meanwhile.
    await fetch('/sim/ru-loyalty/__faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'latency', path: '/integration/general/client', ms: 1500, times: 1 }) });
    const found: unknown[] = [];
    lookup.addEventListener('customer-found', (event) => found.push(event));
    await lookUp(lookup, CASHBACK_PHONE);
    await waitUntil(() => session.state.busy === 'lookup');
    session.clientSecret = next.clientSecret;
    session.tillCredential = next.tillCredential;
    await waitUntil(() => session.state.phase === 'ready' && session.state.checkout?.id === next.checkoutId, 'the next order did not load', { timeout: 5000 });
    // The first order's reply arrives now (the simulator journal shows it answered).
    await waitUntil(async () => (await (await fetch('/sim/ru-loyalty/__journal')).json()).some((e: { path: string }) => e.path === '/integration/general/client'), 'no reply', { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lookup.updateComplete;
    expect(session.state.checkout?.id).to.equal(next.checkoutId);
    expect(session.state.checkout?.customer ?? null).to.equal(null);
    expect(session.state.busy).to.equal(undefined);
    expect(found).to.have.length(0, 'no customer-found for the previous order');
    expect(shadowText(lookup)).not.to.contain('Hello');
    expect(shadow<HTMLInputElement>(lookup, 'input#query').disabled).to.equal(false);
  });

  it('after an unknown payment outcome, once the checkout reads open again, the next attempt gets a new key', async () => {
    const { session, pay } = await cashTill();
    // The first payment's connection drops before the proxy has it: the widget cannot know.
    const keys: string[] = [];
    const original = window.fetch;
    window.fetch = (input, init) => {
      if (init?.method === 'POST' && /\/payments$/.test(String(input))) {
        keys.push(new Headers(init.headers).get('idempotency-key') ?? '');
        if (keys.length === 1) return Promise.reject(new TypeError('Failed to fetch'));
      }
      return original(input, init);
    };
    try {
      const failed = oneEvent(pay, 'payment-failed');
      shadow<HTMLButtonElement>(pay, 'button.pay').click();
      expect((await failed).detail.outcomeUnknown).to.equal(true);
      // The status check reads the checkout open: no payment was recorded, the key is done with.
      await waitUntil(() => session.state.checkout?.status === 'open' && !session.state.busy);
      await waitUntil(() => !JSON.stringify({ ...sessionStorage }).includes('paymentKey'), 'the key of the failed attempt is still stored');
      expect(session.state.paymentPending).to.equal(false);
      const paid = oneEvent(pay, 'payment-succeeded');
      await pay.updateComplete;
      shadow<HTMLButtonElement>(pay, 'button.pay').click();
      await paid;
    } finally {
      window.fetch = original;
    }
    expect(keys).to.have.length(2);
    expect(keys[1]).not.to.equal(keys[0], 'a new attempt gets a new key');
  });
});
