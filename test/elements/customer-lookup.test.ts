import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { CASHBACK_PHONE, ENDPOINT, lookUp, secretFor, sessionFixture, shadow, shadowText } from './helpers.js';

async function setup() {
  const session = await sessionFixture(html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}><customer-lookup></customer-lookup></checkout-session>`);
  return { session, lookup: session.querySelector('customer-lookup') as CustomerLookup };
}

describe('<customer-lookup>', () => {
  it('is accessible before and after a lookup', async () => {
    const { lookup } = await setup();
    await expect(lookup).to.be.accessible();
    const found = oneEvent(lookup, 'customer-found');
    await lookUp(lookup, CASHBACK_PHONE);
    await found;
    await lookup.updateComplete;
    await expect(lookup).to.be.accessible();
  });

  it('finds a customer and fires customer-found with masked data only', async () => {
    const { lookup } = await setup();
    const found = oneEvent(lookup, 'customer-found');
    await lookUp(lookup, CASHBACK_PHONE);
    const { detail } = await found;
    expect(detail.customer).to.deep.equal({ displayName: 'Ив** П.', maskedPhone: '•••• 67', verified: false });
    const json = JSON.stringify(detail);
    for (const secret of ['79201234567', 'Петров', 'birthday', 'email', 'photo']) expect(json).not.to.contain(secret);
    await lookup.updateComplete;
    expect(shadowText(lookup)).to.contain('Hello, Ив** П.');
    // Focus moves to the next step (the code that proves the account) so keyboard users continue from there.
    await waitUntil(() => lookup.shadowRoot!.activeElement === shadow(lookup, '#code'));
  });

  it('asks for the code from the customer\'s app before points can be used: a wrong one is explained, the right one proves it', async () => {
    const { session, lookup } = await setup();
    await lookUp(lookup, CASHBACK_PHONE);
    await waitUntil(() => lookup.shadowRoot!.querySelector('#code'));
    expect(shadowText(lookup)).to.contain('To use your points, enter the code shown in your app');
    const code = shadow<HTMLInputElement>(lookup, '#code');
    code.value = '100002';
    code.form!.requestSubmit();
    await waitUntil(() => shadow(lookup, '#code-error').textContent?.includes('This code is not right.'));
    expect(code.getAttribute('aria-invalid')).to.equal('true');
    await expect(lookup).to.be.accessible();
    const proven = oneEvent(lookup, 'customer-found');
    shadow<HTMLInputElement>(lookup, '#code').value = '100001';
    shadow<HTMLInputElement>(lookup, '#code').form!.requestSubmit();
    expect((await proven).detail.customer.verified).to.equal(true);
    await lookup.updateComplete;
    expect(lookup.shadowRoot!.querySelector('#code')).to.equal(null);
    expect((session as CheckoutSession).state.checkout?.loyalty?.balance?.points).to.equal(878);
    await waitUntil(() => lookup.shadowRoot!.activeElement === shadow(lookup, '.clear'));
  });

  it('explains an unknown customer next to the field', async () => {
    const { session, lookup } = await setup();
    const failed = oneEvent(session, 'checkout-error');
    await lookUp(lookup, '0000000');
    expect((await failed).detail.problem.status).to.equal(404);
    await lookup.updateComplete;
    const input = shadow<HTMLInputElement>(lookup, 'input');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.equal('error');
    expect(shadow(lookup, '#error').textContent).to.contain('We could not find that');
  });

  it('refuses a too-short query with the field message', async () => {
    const { session, lookup } = await setup();
    const failed = oneEvent(session, 'checkout-error');
    await lookUp(lookup, 'ab');
    expect((await failed).detail.problem.errors?.[0]?.field).to.equal('query');
  });

  it('"Not you?" clears the customer and returns focus to the field', async () => {
    const { session, lookup } = await setup();
    const found = oneEvent(lookup, 'customer-found');
    await lookUp(lookup, CASHBACK_PHONE);
    await found;
    await lookup.updateComplete;
    const cleared = oneEvent(lookup, 'customer-cleared');
    shadow<HTMLButtonElement>(lookup, '.clear').click();
    await cleared;
    expect((session as CheckoutSession).state.checkout?.customer).to.equal(null);
    await waitUntil(() => lookup.shadowRoot!.activeElement === shadow(lookup, 'input'));
  });

  it('lets the page look up a customer it already knows, without an event', async () => {
    const { session, lookup } = await setup();
    let fired = false;
    lookup.addEventListener('customer-found', () => (fired = true));
    await lookup.lookup(CASHBACK_PHONE);
    expect((session as CheckoutSession).state.checkout?.customer?.displayName).to.equal('Ив** П.');
    expect(fired).to.equal(false);
  });
});
