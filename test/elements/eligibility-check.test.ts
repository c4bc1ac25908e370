import { expect, html, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { EligibilityCheck } from '../../src/elements/eligibility-check/eligibility-check.js';
import { ENDPOINT, secretFor, shadow, shadowText } from './helpers.js';

/** The instalment proxy of the test backend (test/support/instalment-backend.ts): FLOA beside a loyalty programme in euros. */
const FLOA_ENDPOINT = '/api/floa';
const CAMILLE = '+33 6 12 34 56 78'; // eligible, 150 points
const LOUIS = '3000000000024'; // not eligible
const HUGO = '3000000000048'; // FLOA too slow

/** How many times FLOA answered `path` (its journal over HTTP). */
async function floaCount(path: RegExp): Promise<number> {
  const entries = (await (await fetch('/sim/floa/__journal')).json()) as Array<{ method: string; path: string }>;
  return entries.filter((e) => e.method === 'POST' && path.test(e.path)).length;
}
const ELIGIBILITY = /\/eligibilities$/;

async function setup(locale = 'en') {
  sessionStorage.clear();
  await fetch('/sim/bike-loyalty/__reset', { method: 'POST' });
  const secret = await secretFor('bike', { api: 'floa' });
  const session = await fixture<CheckoutSession>(
    html`<checkout-session endpoint=${FLOA_ENDPOINT} client-secret=${secret} currency="EUR" locale=${locale}><eligibility-check></eligibility-check><checkout-pay></checkout-pay></checkout-session>`,
  );
  await waitUntil(() => session.state.phase === 'ready', 'the session did not load', { timeout: 5000 });
  const check = session.querySelector('eligibility-check') as EligibilityCheck;
  const pay = session.querySelector('checkout-pay') as CheckoutPay;
  return { session, check, pay };
}

/**
 * A bike shop member found, then proven theirs with the code in their app (Camille 200001,
 * Louis 200002, Hugo 200004): only then is their identity checked, and their points usable.
 */
async function proven(session: CheckoutSession, query = CAMILLE, code = '200001'): Promise<void> {
  await session.lookup(query);
  await session.verify(code);
}

const offersShown = (check: EligibilityCheck, count: number) => waitUntil(() => check.shadowRoot!.querySelectorAll('input[type=radio]').length === count + 1, `${count} offers`, { timeout: 5000 });

describe('<eligibility-check>', () => {
  it('takes no room when instalments are not configured, and tells the page once', async () => {
    sessionStorage.clear();
    const session = document.createElement('checkout-session');
    Object.assign(session, { endpoint: ENDPOINT, clientSecret: await secretFor('cart-1000') });
    const check = document.createElement('eligibility-check') as EligibilityCheck;
    session.append(check);
    const event = oneEvent(check, 'eligibility-change');
    document.body.append(session);
    const { detail } = await event;
    expect(detail).to.deep.equal({ eligible: false, reason: 'not-configured' });
    await check.updateComplete;
    expect(shadowText(check).trim()).to.equal('');
    expect(check.hidden).to.equal(true);
    expect(check.getBoundingClientRect().height).to.equal(0);
    session.remove();
  });

  it('asks for the customer first, without calling FLOA', async () => {
    const before = await floaCount(ELIGIBILITY);
    const { check } = await setup();
    const { detail } = await oneEvent(check, 'eligibility-change');
    expect(detail).to.deep.include({ eligible: false, reason: 'no-customer' });
    await check.updateComplete;
    expect(shadowText(check)).to.contain('Find your account to see whether you can pay in instalments.');
    expect(await floaCount(ELIGIBILITY)).to.equal(before);
  });

  it('says it is checking, not "find your account", while the check after a lookup runs', async () => {
    const { session, check } = await setup();
    await oneEvent(check, 'eligibility-change');
    await check.updateComplete;
    expect(shadowText(check)).to.contain('Find your account to see whether you can pay in instalments.');
    await session.lookup(CAMILLE);
    await check.updateComplete;
    expect(shadowText(check)).to.contain('Checking whether you can pay in instalments');
    expect(shadowText(check)).not.to.contain('Find your account');
    await expect(check).to.be.accessible();
    // Found by phone, not proven: her identity is not checked in her name until she gives her app's code.
    await waitUntil(() => shadowText(check).includes('Confirm that this account is yours to see whether you can pay in instalments.'), 'asks for the proof', { timeout: 5000 });
    await session.verify('200001');
    await offersShown(check, 4);
  });

  it('speaks the page\'s language from its first words: the instalment messages come in their own chunk, before the checkout shows', async () => {
    const { check } = await setup('fr');
    await oneEvent(check, 'eligibility-change');
    await check.updateComplete;
    expect(shadowText(check)).to.contain('Retrouvez votre compte pour savoir si vous pouvez payer en plusieurs fois.');
    await expect(check).to.be.accessible();
  });

  it('shows every offer with its fees, total and schedule; choosing one tells the page and the pay button', async () => {
    const { session, check, pay } = await setup();
    const known = oneEvent(check, 'eligibility-change');
    await proven(session);
    let { detail } = await known;
    while (!detail.eligible) ({ detail } = await oneEvent(check, 'eligibility-change'));
    expect(detail.offers!.map((o) => o.id)).to.deep.equal(['floa-94', 'floa-81', 'floa-63', 'floa-98']);
    await offersShown(check, 4);
    const text = shadowText(check);
    expect(text).to.contain('Pay €500.00 now');
    expect(text).to.match(/Pay in 3 instalments\s+Total €507\.25, including €7\.25 fees/);
    expect(text).to.match(/Pay in 10 monthly instalments \(credit\)\s+Total €530\.00, including €30\.00 fees/);
    const schedule = shadow(check, '#schedule-floa-81');
    expect(schedule.querySelectorAll('li').length).to.equal(3);
    expect(shadow(check, '#offer-floa-81').getAttribute('aria-describedby')).to.equal('cost-floa-81 schedule-floa-81');
    await expect(check).to.be.accessible();

    const chosen = oneEvent(check, 'eligibility-change');
    shadow<HTMLInputElement>(check, '#offer-floa-81').click();
    expect((await chosen).detail.chosen).to.equal('floa-81');
    expect(session.state.instalments?.chosen).to.equal('floa-81');
    await pay.updateComplete;
    expect(shadow(pay, 'button.pay').textContent!.trim()).to.equal('Pay in 3 instalments: €507.25');
    expect(shadowText(pay)).to.match(/Instalment fees\s+€7\.25/);

    const full = oneEvent(check, 'eligibility-change');
    shadow<HTMLInputElement>(check, '#full').click();
    expect((await full).detail.chosen).to.equal(undefined);
    await pay.updateComplete;
    expect(shadow(pay, 'button.pay').textContent!.trim()).to.equal('Pay €500.00');
  });

  it('checks again when points change the amount due: once after the changes settle, for the new amount', async () => {
    const { session, check } = await setup();
    await proven(session);
    await offersShown(check, 4);
    shadow<HTMLInputElement>(check, '#offer-floa-63').click();
    const before = await floaCount(ELIGIBILITY);
    await session.setSpend(5000);
    await session.setSpend(15000);
    await waitUntil(() => session.state.instalments?.eligibility?.amountDue.amount === 35000, 'offers for 350.00', { timeout: 5000 });
    // One check (one call per FLOA merchant site), not one per change.
    expect(await floaCount(ELIGIBILITY)).to.equal(before + 4);
    await check.updateComplete;
    expect(shadowText(check)).to.contain('Pay €350.00 now');
    expect(shadowText(check)).to.match(/Pay in 4 instalments\s+Total €357\.70, including €7\.70 fees/);
    expect(session.state.instalments?.chosen).to.equal('floa-63', 'the same plan stays chosen, at its new cost');
  });

  it('says plainly why a shopper is not eligible, with no retry', async () => {
    const { session, check } = await setup();
    await proven(session, LOUIS, '200002');
    await waitUntil(() => shadowText(check).includes('does not say why'), 'the reason', { timeout: 5000 });
    expect(shadowText(check)).to.contain('You can still pay in full.');
    expect(check.shadowRoot!.querySelector('button')).to.equal(null);
    expect(check.shadowRoot!.querySelectorAll('input[type=radio]').length).to.equal(0);
    await expect(check).to.be.accessible();
  });

  it('with <checkout-pay>: a chosen offer is paid on FLOA\'s page, one session however many presses', async () => {
    const { session, check, pay } = await setup();
    const redirected: string[] = [];
    pay.redirect = (url) => redirected.push(url);
    await proven(session);
    await offersShown(check, 4);
    shadow<HTMLInputElement>(check, '#offer-floa-81').click();
    await pay.updateComplete;
    const before = await floaCount(/\/v1\/payment-sessions$/);
    const button = shadow<HTMLButtonElement>(pay, 'button.pay');
    button.click();
    button.click();
    await Promise.all([pay.pay(), session.payInInstalments()]);
    await waitUntil(() => redirected.length > 0, 'sent to FLOA');
    expect(redirected[0]).to.match(/\/pay\/[0-9a-f-]{36}$/);
    expect(await floaCount(/\/v1\/payment-sessions$/)).to.equal(before + 1);
    expect(new Set(redirected).size).to.equal(1, 'always the same page');
    // Back on the page before paying: the open payment is shown, with the way back to it.
    await session.reload();
    await check.updateComplete;
    expect(shadowText(check)).to.contain('You started paying: Pay in 3 instalments.');
    expect(shadow<HTMLAnchorElement>(check, 'a').href).to.equal(redirected[0]);
    await pay.updateComplete;
    expect(shadow(pay, 'button.pay').textContent!.trim()).to.equal('Continue to the payment page');
    expect((await session.payInInstalments()).url).to.equal(redirected[0]);
    expect(await floaCount(/\/v1\/payment-sessions$/)).to.equal(before + 1);
  });

  // Last: FLOA's time-outs open the proxy's circuit breaker for FLOA for a few seconds.
  it('a transient failure is explained, with a retry that checks again', async () => {
    const { session, check } = await setup();
    await proven(session, HUGO, '200004');
    await waitUntil(() => check.shadowRoot!.querySelector('[role=alert]'), 'the failure', { timeout: 5000 });
    expect(shadowText(check)).to.contain('The financing company is not answering right now.');
    await expect(check).to.be.accessible();
    const before = await floaCount(ELIGIBILITY);
    const failedAgain = oneEvent(check, 'eligibility-change');
    shadow<HTMLButtonElement>(check, 'button').click();
    expect((await failedAgain).detail).to.deep.equal({ eligible: false, reason: 'error' });
    expect(await floaCount(ELIGIBILITY)).to.be.greaterThan(before);
  });
});
