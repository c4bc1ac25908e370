import { html, nothing } from 'lit';
import { emit } from '../../events.js';
import type { Localizer } from '../../i18n/localize.js';
import type { InstalmentOffer } from '../../protocol/index.js';
import type { CheckoutContextValue, CheckoutState } from '../../session/context.js';
import { ProxyError } from '../../session/proxy-client.js';
import type { InstalmentsHook } from '../shared/instalments-hook.js';
import { offerCost, offerName, paymentWaiting } from './instalment-text.js';

/** What the view reads of `<checkout-pay>` (protected members, reached from here on purpose). */
type Element = HTMLElement & {
  context?: CheckoutContextValue;
  l10n: Localizer;
  checkoutState: CheckoutState;
  redirect: (url: string) => void;
  updateComplete: Promise<boolean>;
  requestUpdate(): void;
  shadowRoot: ShadowRoot | null;
};

/** Elements whose shopper is on the way to the provider's payment page. */
const redirecting = new WeakSet<HTMLElement>();

/** The chosen instalment offer, or the one of the open payment in instalments. */
function offerOf(state: CheckoutState): InstalmentOffer | undefined {
  const { chosen, eligibility, payment } = state.instalments ?? {};
  if (payment && paymentWaiting(payment.status)) return payment.offer;
  return chosen ? eligibility?.offers.find((o) => o.id === chosen) : undefined;
}

/** An offer is chosen but its cost is being checked again for a new amount due: wait, never pay in full instead. */
function stale(state: CheckoutState): boolean {
  const { chosen, eligibility } = state.instalments ?? {};
  return !!chosen && eligibility?.amountDue.amount !== state.checkout?.amountDue.amount;
}

/**
 * What paying in instalments adds to `<checkout-pay>`: with an offer chosen in
 * `<eligibility-check>`, paying opens that offer's payment session and sends the shopper to
 * the provider's page; back on the page, the session restores the outcome (confirmed by the
 * proxy with the provider) and the element shows the receipt or says why nothing was charged.
 */
export const payView: InstalmentsHook['pay'] = {
  active: (state) => !!offerOf(state),
  hint: (state) => (stale(state) ? 'eligibility.updating' : undefined),
  blocked: (state) => state.instalments?.payment?.status === 'review' || stale(state),

  async go(element) {
    const el = element as Element;
    try {
      const { url } = await el.context!.actions.payInInstalments();
      redirecting.add(el);
      el.requestUpdate();
      el.redirect(url);
    } catch (error) {
      if (error instanceof ProxyError) emit(el, 'payment-failed', { problem: error.problem, outcomeUnknown: error.problem.status === 0 });
    }
    return undefined;
  },

  rows(element) {
    const el = element as Element;
    const offer = offerOf(el.checkoutState);
    if (!offer) return nothing;
    const { t, money } = el.l10n;
    return html`<dt>${t('pay.method')}</dt><dd>${offerName(offer, el.l10n)}</dd>
      <dt>${t('pay.fees')}</dt><dd>${money(offer.fees)}</dd>
      <dt>${t('pay.totalWithFees')}</dt><dd part="total">${money(offer.total)}</dd>`;
  },

  label(element) {
    const el = element as Element;
    const state = el.checkoutState;
    const { t } = el.l10n;
    const offer = offerOf(state);
    if (redirecting.has(el)) return t('pay.redirecting');
    if (paymentWaiting(state.instalments?.payment?.status)) return t('pay.continueOffer');
    return offer ? t('pay.submitOffer', { offer: offerName(offer, el.l10n), total: el.l10n.money(offer.total) }) : undefined;
  },

  notice(element) {
    const el = element as Element;
    const { t } = el.l10n;
    const status = el.checkoutState.instalments?.payment?.status;
    if (paymentWaiting(status)) return t('pay.instalmentsOpen');
    if (status === 'refused') return t('pay.instalmentsRefused');
    if (status === 'cancelled') return t('pay.instalmentsCancelled');
    return status === 'review' ? t('pay.instalmentsReview') : undefined;
  },

  buttons(element) {
    const el = element as Element;
    if (!paymentWaiting(el.checkoutState.instalments?.payment?.status)) return nothing;
    const { t } = el.l10n;
    const actions = el.context?.actions;
    return html`<button type="button" class="secondary" @click=${() => actions?.refreshInstalments().catch(() => {})}>${t('pay.checkStatus')}</button>
      <button type="button" class="secondary" @click=${() => actions?.abandonInstalments().catch(() => {})}>${t('pay.anotherWay')}</button>`;
  },

  receipt(element) {
    const el = element as Element;
    const payment = el.checkoutState.instalments?.payment;
    if (payment?.status !== 'paid') return nothing;
    return html`<dt>${el.l10n.t('receipt.instalments')}</dt><dd class="plan">${offerName(payment.offer, el.l10n)} — ${offerCost(payment.offer, el.l10n)}</dd>`;
  },

  changed(element, previous, next) {
    const el = element as Element;
    if (next.phase === 'loading') redirecting.delete(el);
    const payment = next.instalments?.payment;
    // Back from the provider's page: tell the page how it ended, once.
    if (payment && next.instalments?.returned && !previous?.instalments?.returned && next.checkout) {
      if (payment.status === 'paid' && next.checkout.receipt) emit(el, 'payment-succeeded', { checkoutId: next.checkout.id, receipt: next.checkout.receipt });
      else if (payment.status !== 'paid') emit(el, 'payment-failed', { problem: { type: '/problems/rejected', title: `The payment in instalments ended: ${payment.status}.`, status: 422 }, outcomeUnknown: false });
      void el.updateComplete.then(() => el.shadowRoot?.querySelector<HTMLElement>(payment.status === 'paid' ? '.receipt' : '.error')?.focus());
    }
  },
};
