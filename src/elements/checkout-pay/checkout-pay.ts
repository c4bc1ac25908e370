import { html, nothing } from 'lit';
import { emit } from '../../events.js';
import { PAYMENT_METHODS } from '../../protocol/contract.js';
import type { Checkout, PaymentMethod } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import { ProxyError } from '../../session/proxy-client.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { instalments } from '../shared/instalments-hook.js';
import { outcome } from '../shared/outcome-hook.js';
import { pos } from '../shared/pos-hook.js';
import { describeProblem } from '../shared/problem-message.js';
import { checkoutPayStyles } from './checkout-pay.styles.js';

/**
 * The order summary (total, level discount, points used, amount due, method) and the pay
 * button, then the receipt. On a web page the amount due is taken by the shop's own PSP:
 * pressing pay fires `payment-requested` (amount, currency, checkout id, key) for the page to
 * open its PSP, and the element waits — "waiting for your payment" — until the shop's server
 * has confirmed the payment to the proxy, then shows the receipt. When nothing is due (points
 * cover the order) or at a till (POS mode: cash, cheque, card), the payment is recorded at
 * once. The button cannot submit twice: it is locked while a payment runs, the session shares
 * one in-flight payment, and each attempt carries one idempotency key kept across reloads
 * until its outcome is known.
 *
 * With an instalment offer chosen in `<eligibility-check>`, paying opens that offer's payment
 * session and sends the shopper to the provider's page; back on the page, the session restores
 * the outcome (confirmed by the proxy with the provider) and this element shows the receipt or
 * says why nothing was charged. A second press, a reload or the back button finds the same
 * session: one payment at most.
 *
 * @tagname checkout-pay
 * @summary Summary, pay action and receipt.
 * @fires payment-requested - The shopper pressed pay: the page's PSP takes `detail.amount` now; the shop's server confirms it with `detail.key`.
 * @fires payment-succeeded - The sale is recorded; `detail.receipt`.
 * @fires payment-failed - The payment failed or its outcome is unknown; `detail.problem`.
 * @csspart summary - The summary list.
 * @csspart amount - The amount due.
 * @csspart total - The total with instalment fees, when an instalment offer is chosen.
 * @csspart button - The pay button.
 * @csspart receipt - The receipt block.
 * @csspart error - The error message.
 * @cssprop --checkout-color-accent - Pay button.
 * @cssprop --checkout-color-success - Receipt heading.
 */
export class CheckoutPay extends CheckoutElement {
  static override styles = [baseStyles, checkoutPayStyles];
  static override properties = { method: { reflect: true } };

  /** At a till (POS mode), how the amount due is paid: `card`, `cash` or `cheque`. On a web page the shop's PSP takes it. */
  method: PaymentMethod = 'card';

  private get receiptBlock() {
    return this.renderRoot.querySelector<HTMLElement>('.receipt');
  }
  private get errorBlock() {
    return this.renderRoot.querySelector<HTMLElement>('.error');
  }

  /** How the shopper is sent to the provider's payment page (a test or a single-page app may replace it). */
  redirect: (url: string) => void = (url) => window.location.assign(url);

  /** Pays the amount due (the same as pressing the button). */
  async pay(): Promise<Checkout | undefined> {
    const state = this.checkoutState;
    if (!this.context || state.busy === 'pay' || !this.#canPay(state)) return undefined;
    if (instalments.pay?.active(state)) return instalments.pay.go(this);
    if (!(PAYMENT_METHODS as readonly string[]).includes(this.method)) {
      console.warn(`Bad method ${this.method}`);
      return undefined;
    }
    try {
      const checkout = await this.context.actions.pay(this.method, pos.d?.(this));
      if (checkout.paymentRequest) emit(this, 'payment-requested', { checkoutId: checkout.id, ...checkout.paymentRequest });
      else if (checkout.receipt) emit(this, 'payment-succeeded', { checkoutId: checkout.id, receipt: checkout.receipt });
      return checkout;
    } catch (error) {
      if (error instanceof ProxyError) {
        emit(this, 'payment-failed', { problem: error.problem, outcomeUnknown: error.kind === 'payment-outcome-unknown' || error.problem.status === 0 });
      }
      return undefined;
    }
  }

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    instalments.pay?.changed(this, previous, next);
    if (previous?.busy === 'pay' && !next.busy && next.checkout?.status !== 'awaiting-payment') {
      void this.updateComplete.then(() => (next.checkout?.status === 'paid' ? this.receiptBlock : this.errorBlock)?.focus());
    }
    outcome.changed?.(this, previous, next);
  }

  protected override select(state: CheckoutState) {
    const { busy } = state;
    return [state.checkout, state.capabilities, state.instalments, state.pos, state.paymentPending, !busy, busy === 'pay', state.failedAction === 'pay' && state.problem];
  }

  protected override renderState(state: CheckoutState) {
    const checkout = state.checkout;
    const { t } = this.l10n;
    if (!checkout) return html`<p class="card muted" role="status">${t('session.loading')}</p>`;
    // Paid (the receipt), to review or cancelled: nothing to pay here. The outcome chunk shows it.
    if ((checkout.status === 'paid' && checkout.receipt) || checkout.status === 'review' || checkout.status === 'cancelled') return outcome.closed?.(this);
    const busy = state.busy === 'pay';
    const problem = state.failedAction === 'pay' ? state.problem : undefined;
    const described = problem && describeProblem(problem, this.l10n);
    const spend = checkout.loyalty?.spend;
    const discount = checkout.loyalty?.discount;
    const blocked = !this.#canPay(state);
    const plan = instalments.pay;
    const hint = !checkout.customer && state.capabilities?.loyalty.customerRequired ? 'pay.needCustomer' : checkout.customer?.inDebt ? 'pay.debt' : plan?.hint(state);
    const waiting = checkout.status === 'awaiting-payment';
    const label = plan?.label(this) ?? (waiting ? t('pay.continue') : checkout.amountDue.amount === 0 ? t('pay.submitNothingDue') : undefined);
    return html`<div class="card">
      <dl part="summary">
        <dt>${t('pay.total')}</dt>
        <dd>${this.l10n.money(checkout.cart.total)}</dd>
        ${discount && discount.amount > 0 ? html`<dt>${t('pay.discount')}</dt><dd>−${this.l10n.money(discount)}</dd>` : nothing}
        ${spend && spend.value.amount > 0 ? html`<dt>${t('pay.points')}</dt><dd>−${this.l10n.money(spend.value)}</dd>` : nothing}
        ${pos.m?.(this)}
        <dt class="due">${t('pay.due')}</dt>
        <dd class="due" part="amount">${this.l10n.money(checkout.amountDue)}</dd>
        ${plan?.rows(this)}
      </dl>
      ${pos.c?.(this)}
      <button
        part="button"
        class="pay"
        type="button"
        aria-disabled=${busy || blocked ? 'true' : 'false'}
        aria-describedby=${blocked && hint ? 'hint' : nothing}
        @click=${this.pay}
      >
        ${busy ? t('pay.pending') : (label ?? (state.paymentPending && problem ? t('pay.checkStatus') : t('pay.submit', { amount: this.l10n.money(checkout.amountDue) })))}
      </button>
      ${blocked && !busy && hint ? html`<p id="hint" class="muted">${t(hint)}</p>` : nothing}
      ${waiting ? outcome.waiting?.(this) : nothing}
      <p class="error" part="error" role="alert" tabindex="-1">${described?.message ?? plan?.notice(this) ?? nothing}</p>
      ${plan?.buttons(this)}
    </div>`;
  }

  #canPay(state: CheckoutState): boolean {
    const customer = state.checkout?.customer;
    const status = state.checkout?.status;
    return (
      state.phase === 'ready' &&
      (!!customer || !state.capabilities?.loyalty.customerRequired) &&
      !customer?.inDebt &&
      (status === 'open' || status === 'awaiting-payment') &&
      !(state.busy && state.busy !== 'pay') &&
      !instalments.pay?.blocked(state)
    );
  }
}


declare global {
  interface HTMLElementTagNameMap {
    'checkout-pay': CheckoutPay;
  }
}
