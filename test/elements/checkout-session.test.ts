import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { CASHBACK_PHONE, ENDPOINT, lookUp, newCheckout, secretFor, sessionFixture, shadow } from './helpers.js';

describe('<checkout-session>', () => {
  it('loads the capabilities and the checkout its client secret opens (the shop\'s cart)', async () => {
    const el = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}></checkout-session>`);
    expect(el.state.phase).to.equal('ready');
    expect(el.state.capabilities?.loyalty.provider).to.equal('ru-loyalty');
    expect(el.state.checkout?.cart.total).to.deep.equal({ amount: 100000, currency: 'RUB' });
    expect(el.state.checkout?.amountDue.amount).to.equal(100000);
  });

  it('opens the same checkout again after a reload (the page gets the same client secret)', async () => {
    const secret = await secretFor('cart-1000');
    const first = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} client-secret=${secret}></checkout-session>`);
    const id = first.state.checkout!.id;
    first.remove();
    const second = await fixture<CheckoutSession>(html`<checkout-session endpoint=${ENDPOINT} client-secret=${secret}></checkout-session>`);
    await waitUntil(() => second.state.phase === 'ready');
    expect(second.state.checkout!.id).to.equal(id);
  });

  it('waits for a client secret set later (a framework fetching it), then loads; reports a wrong secret and a currency mismatch with checkout-error', async () => {
    sessionStorage.clear();
    const later = document.createElement('checkout-session');
    later.endpoint = ENDPOINT;
    let errors = 0;
    later.addEventListener('checkout-error', () => errors++);
    document.body.append(later);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(later.state.phase).to.equal('loading');
    expect(errors).to.equal(0, 'no secret yet is not an error');
    later.clientSecret = await secretFor('cart-1000');
    await waitUntil(() => later.state.phase === 'ready', 'loaded once the secret came');
    expect(errors).to.equal(0);
    later.remove();

    const wrong = document.createElement('checkout-session');
    wrong.endpoint = ENDPOINT;
    const { checkoutId } = await newCheckout('cart-1000');
    wrong.clientSecret = `${checkoutId}_secret_guessed`;
    const refused = oneEvent(wrong, 'checkout-error');
    document.body.append(wrong);
    expect((await refused).detail.problem.status).to.equal(401);
    expect(wrong.state.phase).to.equal('error');
    wrong.remove();

    const mismatch = document.createElement('checkout-session');
    Object.assign(mismatch, { endpoint: ENDPOINT, clientSecret: await secretFor('cart-eur'), currency: 'RUB' });
    const wrongCurrency = oneEvent(mismatch, 'checkout-error');
    document.body.append(mismatch);
    expect((await wrongCurrency).detail.problem.title).to.contain('EUR');
    mismatch.remove();
  });

  it('switches to another checkout live when client-secret changes, without a remount', async () => {
    const el = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}></checkout-session>`);
    el.clientSecret = await secretFor('cart-eur');
    await waitUntil(() => el.state.checkout?.cart.currency === 'EUR');
    expect(el.state.checkout!.cart.total.amount).to.equal(450);
  });

  it('shares its state with an element outside it that names it with session="id"', async () => {
    const root = await sessionFixture<HTMLDivElement>(html`<div>
      <checkout-session id="s1" endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}></checkout-session>
      <customer-lookup session="s1"></customer-lookup>
    </div>`);
    const lookup = root.querySelector('customer-lookup') as CustomerLookup;
    await waitUntil(() => !shadow<HTMLInputElement>(lookup, 'input').disabled, 'the outside element did not join the session');
    const found = oneEvent(lookup, 'customer-found');
    await lookUp(lookup, CASHBACK_PHONE);
    expect((await found).detail.customer.displayName).to.equal('Ив** П.');
    const session = root.querySelector('checkout-session') as CheckoutSession;
    expect(session.state.checkout?.customer?.displayName).to.equal('Ив** П.');
  });

  it('joins a session named after the element is already in the page (framework bindings)', async () => {
    const root = await sessionFixture<HTMLDivElement>(html`<div><checkout-session id="s2" endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}></checkout-session></div>`);
    const pay = document.createElement('checkout-pay');
    root.append(pay);
    await pay.updateComplete;
    expect(pay.shadowRoot!.textContent).to.contain('Loading your order');
    pay.session = 's2';
    await waitUntil(() => pay.shadowRoot!.querySelector('[part=summary]'), 'the element never joined the session');
  });

  it('loads even when the page moves it while it loads (a framework re-parenting it)', async () => {
    sessionStorage.clear();
    const session = document.createElement('checkout-session');
    Object.assign(session, { endpoint: ENDPOINT, clientSecret: await secretFor('cart-1000') });
    const first = document.createElement('div');
    const second = document.createElement('div');
    document.body.append(first, second);
    first.append(session);
    await session.updateComplete;
    second.append(session);
    await waitUntil(() => session.state.phase === 'ready', 'it never loaded', { timeout: 5000 });
    first.remove();
    second.remove();
  });

  it('follows the page language when no locale is set', async () => {
    const el = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}></checkout-session>`);
    const previous = document.documentElement.lang;
    document.documentElement.lang = 'fr';
    await waitUntil(() => el.state.locale === 'fr');
    document.documentElement.lang = previous;
    el.locale = 'ru';
    await waitUntil(() => el.state.locale === 'ru');
  });

  it('does not throw when the tags are defined a second time', async () => {
    const { define } = await import('../../src/elements/shared/define.js');
    expect(() => define('checkout-session', class extends HTMLElement {})).not.to.throw();
    expect(customElements.get('checkout-session')!.name).to.equal('CheckoutSession');
  });
});
