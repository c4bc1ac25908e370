import { html, nothing } from 'lit';
import { emit } from '../../events.js';
import { registerDefaults, type Localizer } from '../../i18n/localize.js';
import { enOutcome } from '../../i18n/locales/en-outcome.js';
import type { Receipt } from '../../protocol/index.js';
import type { CheckoutContextValue, CheckoutState } from '../../session/context.js';
import { instalments } from '../shared/instalments-hook.js';
import { outcome } from '../shared/outcome-hook.js';
import { pos } from '../shared/pos-hook.js';

/**
 * What `<checkout-pay>` shows once the checkout is no longer open, loaded on demand: the
 * waiting notice while the shop's PSP takes the payment, the receipt, or why nothing more can be
 * paid (an order to review, or cancelled by the shop). The session loads it before it shows
 * such a checkout (and starts loading it when the shopper presses pay), so it is always in when
 * needed (a checkout turns paid only once it is in). It fills the hooks of `../shared/outcome-hook.ts`; its English messages come with it,
 * under any the page registered.
 */
registerDefaults('en', enOutcome);

/** What the hooks read of `<checkout-pay>` (protected members, reached from here on purpose). */
type Element = HTMLElement & { context?: CheckoutContextValue; l10n: Localizer; checkoutState: CheckoutState; updateComplete: Promise<boolean> };

outcome.closed = (element) => {
  const el = element as Element;
  const checkout = el.checkoutState.checkout!;
  if (checkout.status === 'paid' && checkout.receipt) return renderReceipt(el, checkout.receipt);
  // Money taken but the order needs the shop's attention, or the shop cancelled it: nothing to pay here.
  const { t } = el.l10n;
  const message = checkout.status === 'cancelled' ? t('pay.cancelled') : (instalments.pay?.notice(el) ?? t('pay.review'));
  return html`<div class="card"><p class="error" part="error" role="alert" tabindex="-1">${message}</p></div>`;
};

outcome.waiting = (element) => {
  const el = element as Element;
  const { t, money } = el.l10n;
  const state = el.checkoutState;
  return html`<p class="muted" role="status">${t('pay.waiting', { amount: money(state.checkout!.amountDue) })}</p>
    <button type="button" class="secondary" ?disabled=${state.busy === 'pay'} @click=${() => el.context?.actions.cancelPaymentRequest().catch(() => {})}>${t('pay.changeOrder')}</button>`;
};

outcome.changed = (element, previous, next) => {
  // The shop's server confirmed its PSP's payment (or a settled outcome): the backend paid it.
  const was = previous?.checkout?.status;
  if ((was === 'awaiting-payment' || was === 'outcome-unknown') && next.checkout?.status === 'paid' && next.checkout.receipt && !next.busy && previous?.busy !== 'pay') {
    emit(element, 'payment-succeeded', { checkoutId: next.checkout.id, receipt: next.checkout.receipt });
    void (element as Element).updateComplete.then(() => element.shadowRoot?.querySelector<HTMLElement>('.receipt')?.focus());
  }
};

function renderReceipt(el: Element, receipt: Receipt) {
  const { t, money } = el.l10n;
  const points = (value: Receipt['spent']) => (value.points === undefined ? money(value.value) : t('loyalty.points', { count: value.points }));
  return html`<section class="card receipt" part="receipt" tabindex="-1" role="status" aria-labelledby="receipt-title">
      <h2 id="receipt-title">${t('receipt.title')}</h2>
      <dl>
        <dt>${t('receipt.reference')}</dt>
        <dd class="reference">${receipt.reference}</dd>
        <dt>${t('receipt.paid')}</dt>
        <dd>${money(receipt.paid)}</dd>
        ${instalments.pay?.receipt(el)}
        ${receipt.spent.value.amount > 0 ? html`<dt>${t('receipt.spent')}</dt><dd>${points(receipt.spent)}</dd>` : nothing}
        ${receipt.earned ? html`<dt>${t('receipt.earned')}</dt><dd>${points(receipt.earned)}</dd>` : nothing}
        ${receipt.balanceAfter ? html`<dt>${t('receipt.balance')}</dt><dd class="balance-after">${points(receipt.balanceAfter)}</dd>` : nothing}
      </dl>
    </section>${pos.c?.(el)}`;
}
