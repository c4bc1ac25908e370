import { html, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { emit } from '../../events.js';
import { PAYMENT_METHODS, type Checkout, type PaymentMethod, type Receipt } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import { ProxyError } from '../../session/proxy-client.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { describeProblem } from '../shared/problem-message.js';
import { checkoutPayStyles } from './checkout-pay.styles.js';

/**
 * The order summary (total, level discount, points used, amount due, method) and the pay
 * button, then the receipt. The button cannot submit twice: it is locked while a payment
 * runs, the session shares one in-flight payment, and each attempt carries one idempotency key
 * kept across reloads until its outcome is known.
 *
 * @tagname checkout-pay
 * @summary Summary, pay action and receipt.
 * @fires payment-succeeded - The sale is recorded; `detail.receipt`.
 * @fires payment-failed - The payment failed or its outcome is unknown; `detail.problem`.
 * @csspart summary - The summary list.
 * @csspart amount - The amount due.
 * @csspart button - The pay button.
 * @csspart receipt - The receipt block.
 * @csspart error - The error message.
 * @cssprop --checkout-color-accent - Pay button.
 * @cssprop --checkout-color-success - Receipt heading.
 */
export class CheckoutPay extends CheckoutElement {
  static override styles = [baseStyles, checkoutPayStyles];

  /** How the amount due is paid: `card` or `cash` at the till, `cheque`, or `external` (the page's PSP). */
  @property({ reflect: true }) method: PaymentMethod = 'card';

  @query('.receipt') private receiptBlock?: HTMLElement;
  @query('.error') private errorBlock?: HTMLElement;

  /** Pays the amount due (the same as pressing the button). */
  async pay(): Promise<Checkout | undefined> {
    const state = this.checkoutState;
    if (!this.context || state.busy === 'pay' || !this.#canPay(state)) return undefined;
    if (!(PAYMENT_METHODS as readonly string[]).includes(this.method)) {
      console.warn(`<checkout-pay> method="${this.method}" is not one of ${PAYMENT_METHODS.join(', ')}.`);
      return undefined;
    }
    try {
      const checkout = await this.context.actions.pay(this.method);
      if (checkout.receipt) emit(this, 'payment-succeeded', { checkoutId: checkout.id, receipt: checkout.receipt });
      return checkout;
    } catch (error) {
      if (error instanceof ProxyError) {
        emit(this, 'payment-failed', { problem: error.problem, outcomeUnknown: error.kind === 'payment-outcome-unknown' || error.problem.status === 0 });
      }
      return undefined;
    }
  }

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    if (previous?.busy === 'pay' && !next.busy) {
      void this.updateComplete.then(() => (next.checkout?.status === 'paid' ? this.receiptBlock : this.errorBlock)?.focus());
    }
  }

  protected override render() {
    const state = this.checkoutState;
    const checkout = state.checkout;
    const { t } = this.l10n;
    if (!checkout) {
      const problem = state.failedAction === 'load' ? state.problem : undefined;
      return problem
        ? html`<div class="card"><p class="error" part="error" role="alert">${describeProblem(problem, this.l10n).message}</p>
            <button type="button" class="secondary" @click=${() => this.context?.actions.reload()}>${t('error.retry')}</button></div>`
        : html`<p class="card muted" role="status">${t('session.loading')}</p>`;
    }
    if (checkout.status === 'paid' && checkout.receipt) return this.#renderReceipt(checkout.receipt);
    const busy = state.busy === 'pay';
    const problem = state.failedAction === 'pay' ? state.problem : undefined;
    const described = problem && describeProblem(problem, this.l10n);
    const spend = checkout.loyalty?.spend;
    const discount = checkout.loyalty?.discount;
    const blocked = !this.#canPay(state);
    return html`<div class="card">
      <dl part="summary">
        <dt>${t('pay.total')}</dt>
        <dd>${this.l10n.money(checkout.cart.total)}</dd>
        ${discount && discount.amount > 0 ? html`<dt>${t('pay.discount')}</dt><dd>−${this.l10n.money(discount)}</dd>` : nothing}
        ${spend && spend.value.amount > 0 ? html`<dt>${t('pay.points')}</dt><dd>−${this.l10n.money(spend.value)}</dd>` : nothing}
        <dt>${t('pay.method')}</dt>
        <dd>${t(`pay.method.${this.method}`)}</dd>
        <dt class="due">${t('pay.due')}</dt>
        <dd class="due" part="amount">${this.l10n.money(checkout.amountDue)}</dd>
      </dl>
      <button
        part="button"
        class="pay"
        type="button"
        aria-disabled=${busy || blocked ? 'true' : 'false'}
        aria-describedby=${blocked ? 'hint' : nothing}
        @click=${this.pay}
      >
        ${busy ? t('pay.pending') : state.paymentPending && problem ? t('pay.checkStatus') : t('pay.submit', { amount: this.l10n.money(checkout.amountDue) })}
      </button>
      ${blocked && !busy ? html`<p id="hint" class="muted">${t(checkout.customer?.debt ? 'pay.debt' : 'pay.needCustomer')}</p>` : nothing}
      <p class="error" part="error" role="alert" tabindex="-1">${described?.message ?? nothing}</p>
    </div>`;
  }

  #renderReceipt(receipt: Receipt) {
    const { t, money } = this.l10n;
    const points = (value: Receipt['spent']) => (value.points === undefined ? money(value.value) : t('loyalty.points', { count: value.points }));
    return html`<section class="card receipt" part="receipt" tabindex="-1" role="status" aria-labelledby="receipt-title">
      <h2 id="receipt-title">${t('receipt.title')}</h2>
      <dl>
        <dt>${t('receipt.reference')}</dt>
        <dd class="reference">${receipt.reference}</dd>
        <dt>${t('receipt.paid')}</dt>
        <dd>${money(receipt.paid)}</dd>
        ${receipt.spent.value.amount > 0 ? html`<dt>${t('receipt.spent')}</dt><dd>${points(receipt.spent)}</dd>` : nothing}
        ${receipt.earned ? html`<dt>${t('receipt.earned')}</dt><dd>${points(receipt.earned)}</dd>` : nothing}
        ${receipt.balanceAfter ? html`<dt>${t('receipt.balance')}</dt><dd class="balance-after">${points(receipt.balanceAfter)}</dd>` : nothing}
      </dl>
    </section>`;
  }

  #canPay(state: CheckoutState): boolean {
    const customer = state.checkout?.customer;
    return state.phase === 'ready' && !!customer && !customer.debt && state.checkout?.status === 'open' && !(state.busy && state.busy !== 'pay');
  }
}


declare global {
  interface HTMLElementTagNameMap {
    'checkout-pay': CheckoutPay;
  }
}
