import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { newCheckout, secretFor, shadow, shadowText } from './helpers.js';

/** The club proxy of test/support/backend.ts (Resamania: cash, cheque, card with its network). */
const CLUB = '/api/resamania';
const CAMILLE = 'camille.martin@example.test';
const PAYMENTS = /\/sales\/\d+\/payments$/;

/** A till: `<checkout-session mode="pos">` with the lookup and the pay element, ready. */
async function till(cartId = 'towel-1', mode = 'pos') {
  sessionStorage.clear();
  await fetch('/sim/resamania/__journal', { method: 'DELETE' });
  // The shop's till server rings the sale up at till-1 and gives the till its staff credential.
  const { clientSecret, tillCredential } = await newCheckout(cartId, { api: 'resamania', till: 'till-1' });
  const session = await fixture<CheckoutSession>(
    html`<checkout-session mode=${mode} endpoint=${CLUB} client-secret=${clientSecret} till-credential=${tillCredential!}><customer-lookup></customer-lookup><checkout-pay></checkout-pay></checkout-session>`,
  );
  await waitUntil(() => session.state.phase === 'ready', 'the session did not load', { timeout: 5000 });
  if (mode === 'pos') await waitUntil(() => session.state.pos, 'the POS chunk did not load');
  const lookup = session.querySelector('customer-lookup') as CustomerLookup;
  const pay = session.querySelector('checkout-pay') as CheckoutPay;
  await Promise.all([lookup.updateComplete, pay.updateComplete]);
  return { session, lookup, pay };
}

/** The payments calls the club's simulator received (its journal). */
async function clubPayments(): Promise<Array<Record<string, any>>> {
  const entries = (await (await fetch('/sim/resamania/__journal')).json()) as Array<{ method: string; path: string; body: Record<string, any> }>;
  return entries.filter((e) => e.method === 'POST' && PAYMENTS.test(e.path)).map((e) => e.body);
}

const radio = (pay: Element, method: string) => shadow<HTMLInputElement>(pay, `input[type=radio][value=${method}]`);

describe('POS mode', () => {
  it('loads its chunk, focuses the lookup field for a scanner, enlarges targets, and is accessible', async () => {
    const { session, lookup, pay } = await till();
    expect(session.getAttribute('mode')).to.equal('pos');
    const input = shadow<HTMLInputElement>(lookup, 'input');
    await waitUntil(() => lookup.shadowRoot!.activeElement === input, 'the lookup field has no focus');
    expect(parseFloat(getComputedStyle(input).minHeight)).to.be.greaterThan(50);
    expect(parseFloat(getComputedStyle(shadow(pay, 'button.pay')).minHeight)).to.be.greaterThan(50);
    await expect(lookup).to.be.accessible();
    await expect(pay).to.be.accessible();
  });

  it('is not there in web mode', async () => {
    const { session, pay } = await till('towel-1', 'web');
    expect(session.state.pos).to.not.equal(true);
    expect(pay.shadowRoot!.querySelector('input[type=radio]')).to.equal(null);
  });

  it('offers the provider\'s methods as a labelled radio group, and records a cheque with its bank and number', async () => {
    const { session, pay } = await till();
    await session.lookup(CAMILLE);
    await pay.updateComplete;
    const group = shadow<HTMLFieldSetElement>(pay, 'fieldset');
    expect(group.querySelector('legend')!.textContent).to.contain('Payment method');
    expect([...group.querySelectorAll<HTMLInputElement>('input[type=radio]')].map((r) => r.value)).to.deep.equal(['card', 'cash', 'cheque']);
    expect(radio(pay, 'card').checked).to.equal(true);
    // Keyboard: arrows move the choice within the group.
    radio(pay, 'card').focus();
    await sendKeys({ press: 'ArrowRight' });
    await pay.updateComplete;
    expect(pay.method).to.equal('cash');
    await sendKeys({ press: 'ArrowRight' });
    await pay.updateComplete;
    expect(pay.method).to.equal('cheque');
    expect(radio(pay, 'cheque').checked).to.equal(true);
    shadow<HTMLInputElement>(pay, '#pos-bank').value = 'Crédit Agricole';
    shadow<HTMLInputElement>(pay, '#pos-number').value = '0012345';
    await expect(pay).to.be.accessible();

    const paid = oneEvent(pay, 'payment-succeeded');
    shadow<HTMLButtonElement>(pay, 'button.pay').click();
    const { detail } = await paid;
    expect(detail.receipt.method).to.equal('cheque');
    const [payment, ...others] = await clubPayments();
    expect(others).to.have.length(0);
    expect(payment!.mean).to.equal('cheque');
    // The document names the cheque number cheques[][code] (resamania-sale-to-existing-customer.txt:289, :342).
    expect(payment!.cheques[0]).to.include({ amount: 1200, bank: 'Crédit Agricole', code: '0012345' });
  });

  it('records a card with the network chosen at the till (Resamania)', async () => {
    const { session, pay } = await till('towel-2');
    await session.lookup(CAMILLE);
    await pay.updateComplete;
    const select = shadow<HTMLSelectElement>(pay, '#pos-network');
    expect(shadow(pay, 'label[for=pos-network]').textContent).to.contain('Card network');
    select.value = 'AmEx';
    const paid = oneEvent(pay, 'payment-succeeded');
    shadow<HTMLButtonElement>(pay, 'button.pay').click();
    await paid;
    const [payment] = await clubPayments();
    expect(payment!.mean).to.equal('card');
    expect(payment!.paymentCards).to.deep.equal([{ amount: 1200, network: 'AmEx' }]);
  });

  it('prints the receipt, and after the sale the next cart puts the focus back on the lookup field', async () => {
    const { session, lookup, pay } = await till('towel-3');
    await session.lookup(CAMILLE);
    await pay.updateComplete;
    radio(pay, 'cash').click();
    const paid = oneEvent(pay, 'payment-succeeded');
    shadow<HTMLButtonElement>(pay, 'button.pay').click();
    await paid;
    await pay.updateComplete;
    const print = shadow<HTMLButtonElement>(pay, 'button.print');
    expect(print.textContent).to.contain('Print receipt');
    await expect(pay).to.be.accessible();
    const original = window.print;
    let marked = false;
    window.print = () => {
      marked = pay.hasAttribute('data-checkout-print');
    };
    try {
      print.click();
    } finally {
      window.print = original;
    }
    expect(marked, 'the receipt is marked to print alone').to.equal(true);
    expect(pay.hasAttribute('data-checkout-print')).to.equal(false);

    // The page starts the next sale: a new checkout from the shop's till server.
    session.clientSecret = await secretFor('towel-4', { api: 'resamania', till: 'till-1' });
    const input = () => lookup.shadowRoot!.querySelector('input');
    await waitUntil(() => input() && lookup.shadowRoot!.activeElement === input(), 'the lookup field has no focus for the next sale', { timeout: 5000 });
    expect(shadowText(pay)).to.not.contain('Print receipt');
  });
});
