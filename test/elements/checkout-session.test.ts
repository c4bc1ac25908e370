import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { CASHBACK_PHONE, ENDPOINT, lookUp, sessionFixture, shadow } from './helpers.js';

describe('<checkout-session>', () => {
  it('loads the capabilities and a checkout for the server cart', async () => {
    const el = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session>`);
    expect(el.state.phase).to.equal('ready');
    expect(el.state.capabilities?.loyalty.provider).to.equal('ru-loyalty');
    expect(el.state.checkout?.cart.total).to.deep.equal({ amount: 100000, currency: 'RUB' });
    expect(el.state.checkout?.amountDue.amount).to.equal(100000);
  });

  it('resumes the same checkout after a reload (sessionStorage)', async () => {
    const first = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session>`);
    const id = first.state.checkout!.id;
    first.remove();
    const second = await fixture<CheckoutSession>(html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session>`);
    await waitUntil(() => second.state.phase === 'ready');
    expect(second.state.checkout!.id).to.equal(id);
  });

  it('reports a missing cart-id, an unknown cart and a currency mismatch with checkout-error', async () => {
    sessionStorage.clear();
    const missing = document.createElement('checkout-session');
    missing.endpoint = ENDPOINT;
    const noCart = oneEvent(missing, 'checkout-error');
    document.body.append(missing);
    expect((await noCart).detail.action).to.equal('load');
    missing.remove();

    const unknown = document.createElement('checkout-session');
    unknown.endpoint = ENDPOINT;
    unknown.cartId = 'no-such-cart';
    const notFound = oneEvent(unknown, 'checkout-error');
    document.body.append(unknown);
    expect((await notFound).detail.problem.status).to.equal(404);
    expect(unknown.state.phase).to.equal('error');
    unknown.remove();

    const mismatch = document.createElement('checkout-session');
    Object.assign(mismatch, { endpoint: ENDPOINT, cartId: 'cart-eur', currency: 'RUB' });
    const wrongCurrency = oneEvent(mismatch, 'checkout-error');
    document.body.append(mismatch);
    expect((await wrongCurrency).detail.problem.title).to.contain('EUR');
    mismatch.remove();
  });

  it('switches to another cart live when cart-id changes, without a remount', async () => {
    const el = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session>`);
    el.cartId = 'cart-eur';
    await waitUntil(() => el.state.checkout?.cart.id === 'cart-eur');
    expect(el.state.checkout!.cart.currency).to.equal('EUR');
  });

  it('shares its state with an element outside it that names it with session="id"', async () => {
    const root = await sessionFixture<HTMLDivElement>(html`<div>
      <checkout-session id="s1" endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session>
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
    const root = await sessionFixture<HTMLDivElement>(html`<div><checkout-session id="s2" endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session></div>`);
    const pay = document.createElement('checkout-pay');
    root.append(pay);
    await pay.updateComplete;
    expect(pay.shadowRoot!.textContent).to.contain('Loading your order');
    pay.session = 's2';
    await waitUntil(() => pay.shadowRoot!.querySelector('[part=summary]'), 'the element never joined the session');
  });

  it('follows the page language when no locale is set', async () => {
    const el = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} cart-id="cart-1000"></checkout-session>`);
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
