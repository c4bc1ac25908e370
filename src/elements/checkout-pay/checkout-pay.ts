import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { emit } from '../../events.js';
import { PAYMENT_METHODS } from '../../protocol/contract.js';
import type { Checkout, InstalmentOffer, PaymentMethod, Receipt } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import { ProxyError } from '../../session/proxy-client.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { offerCost, offerName, paymentWaiting } from '../shared/instalment-text.js';
import { pos } from '../shared/pos-hook.js';
import { describeProblem } from '../shared/problem-message.js';
import { checkoutPayStyles } from './checkout-pay.styles.js';

/**
 * The order summary (total, level discount, points used, amount due, method) and the pay
 * button, then the receipt. The button cannot submit twice: it is locked while a payment
 * runs, the session shares one in-flight payment, and each attempt carries one idempotency key
 * kept across reloads until its outcome is known.
 *
 * With an instalment offer chosen in `<eligibility-check>`, paying opens that offer's payment
 * session and sends the shopper to the provider's page; back on the page, the session restores
 * the outcome (confirmed by the proxy with the provider) and this element shows the receipt or
 * says why nothing was charged. A second press, a reload or the back button finds the same
 * session: one payment at most.
 *
 * @tagname checkout-pay
 * @summary Summary, pay action and receipt.
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

  /** How the amount due is paid: `card` or `cash` at the till, `cheque`, or `external` (the page's PSP). */
  @property({ reflect: true }) method: PaymentMethod = 'card';

  @query('.receipt') private receiptBlock?: HTMLElement;
  @query('.error') private errorBlock?: HTMLElement;

  /** The shopper is on the way to the provider's payment page. */
  @state() private redirecting = false;

  /** How the shopper is sent to the provider's payment page (a test or a single-page app may replace it). */
  redirect: (url: string) => void = (url) => window.location.assign(url);

  /** Pays the amount due (the same as pressing the button). */
  async pay(): Promise<Checkout | undefined> {
    const state = this.checkoutState;
    if (!this.context || state.busy === 'pay' || !this.#canPay(state)) return undefined;
    if (this.#offer(state) || paymentWaiting(state.instalments?.payment?.status)) return this.#payInInstalments();
    if (!(PAYMENT_METHODS as readonly string[]).includes(this.method)) {
      console.warn(`Bad method ${this.method}`);
      return undefined;
    }
    try {
      const checkout = await this.context.actions.pay(this.method, pos.d?.(this));
      if (checkout.receipt) emit(this, 'payment-succeeded', { checkoutId: checkout.id, receipt: checkout.receipt });
      return checkout;
    } catch (error) {
      if (error instanceof ProxyError) {
        emit(this, 'payment-failed', { problem: error.problem, outcomeUnknown: error.kind === 'payment-outcome-unknown' || error.problem.status === 0 });
      }
      return undefined;
    }
  }

  /** The instalment path: open the offer's session (or find the open one) and go to the provider's page. */
  async #payInInstalments(): Promise<undefined> {
    try {
      const { url } = await this.context!.actions.payInInstalments();
      this.redirecting = true;
      this.redirect(url);
    } catch (error) {
      if (error instanceof ProxyError) emit(this, 'payment-failed', { problem: error.problem, outcomeUnknown: error.problem.status === 0 });
    }
    return undefined;
  }

  /** The chosen instalment offer, or the one of the open payment in instalments. */
  #offer(state: CheckoutState): InstalmentOffer | undefined {
    const { chosen, eligibility, payment } = state.instalments ?? {};
    if (payment && paymentWaiting(payment.status)) return payment.offer;
    return chosen ? eligibility?.offers.find((o) => o.id === chosen) : undefined;
  }

  /** An offer is chosen but its cost is being checked again for a new amount due: wait, never pay in full instead. */
  #offerStale(state: CheckoutState): boolean {
    const { chosen, eligibility } = state.instalments ?? {};
    return !!chosen && eligibility?.amountDue.amount !== state.checkout?.amountDue.amount;
  }

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    if (next.phase === 'loading') this.redirecting = false;
    const payment = next.instalments?.payment;
    // Back from the provider's page: tell the page how it ended, once.
    if (payment && next.instalments?.returned && !previous?.instalments?.returned && next.checkout) {
      if (payment.status === 'paid' && next.checkout.receipt) emit(this, 'payment-succeeded', { checkoutId: next.checkout.id, receipt: next.checkout.receipt });
      else if (payment.status !== 'paid') emit(this, 'payment-failed', { problem: { type: '/problems/rejected', title: `The payment in instalments ended: ${payment.status}.`, status: 422 }, outcomeUnknown: false });
      void this.updateComplete.then(() => (payment.status === 'paid' ? this.receiptBlock : this.errorBlock)?.focus());
    }
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
    const offer = this.#offer(state);
    const hint = !checkout.customer ? 'pay.needCustomer' : checkout.customer.debt ? 'pay.debt' : this.#offerStale(state) ? 'eligibility.updating' : undefined;
    const open = paymentWaiting(state.instalments?.payment?.status);
    const ended = state.instalments?.payment?.status;
    const notice = open
      ? t('pay.instalmentsOpen')
      : ended === 'refused' || ended === 'cancelled' || ended === 'review'
        ? t(ended === 'refused' ? 'pay.instalmentsRefused' : ended === 'cancelled' ? 'pay.instalmentsCancelled' : 'pay.instalmentsReview')
        : undefined;
    const label = this.redirecting
      ? t('pay.redirecting')
      : open
        ? t('pay.continueOffer')
        : offer
          ? t('pay.submitOffer', { offer: offerName(offer, this.l10n), total: this.l10n.money(offer.total) })
          : undefined;
    return html`<div class="card">
      <dl part="summary">
        <dt>${t('pay.total')}</dt>
        <dd>${this.l10n.money(checkout.cart.total)}</dd>
        ${discount && discount.amount > 0 ? html`<dt>${t('pay.discount')}</dt><dd>−${this.l10n.money(discount)}</dd>` : nothing}
        ${spend && spend.value.amount > 0 ? html`<dt>${t('pay.points')}</dt><dd>−${this.l10n.money(spend.value)}</dd>` : nothing}
        <dt>${t('pay.method')}</dt>
        <dd>${offer ? offerName(offer, this.l10n) : t(`pay.method.${this.method}`)}</dd>
        <dt class="due">${t('pay.due')}</dt>
        <dd class="due" part="amount">${this.l10n.money(checkout.amountDue)}</dd>
        ${offer
          ? html`<dt>${t('pay.fees')}</dt><dd>${this.l10n.money(offer.fees)}</dd>
              <dt>${t('pay.totalWithFees')}</dt><dd part="total">${this.l10n.money(offer.total)}</dd>`
          : nothing}
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
      <p class="error" part="error" role="alert" tabindex="-1">${described?.message ?? notice ?? nothing}</p>
      ${open ? html`<button type="button" class="secondary" @click=${() => this.context?.actions.refreshInstalments().catch(() => {})}>${t('pay.checkStatus')}</button>` : nothing}
    </div>`;
  }

  #renderReceipt(receipt: Receipt) {
    const { t, money } = this.l10n;
    const points = (value: Receipt['spent']) => (value.points === undefined ? money(value.value) : t('loyalty.points', { count: value.points }));
    const payment = this.checkoutState.instalments?.payment;
    const plan = payment?.status === 'paid' ? payment.offer : undefined;
    return html`<section class="card receipt" part="receipt" tabindex="-1" role="status" aria-labelledby="receipt-title">
      <h2 id="receipt-title">${t('receipt.title')}</h2>
      <dl>
        <dt>${t('receipt.reference')}</dt>
        <dd class="reference">${receipt.reference}</dd>
        <dt>${t('receipt.paid')}</dt>
        <dd>${money(receipt.paid)}</dd>
        ${plan ? html`<dt>${t('receipt.instalments')}</dt><dd class="plan">${offerName(plan, this.l10n)} — ${offerCost(plan, this.l10n)}</dd>` : nothing}
        ${receipt.spent.value.amount > 0 ? html`<dt>${t('receipt.spent')}</dt><dd>${points(receipt.spent)}</dd>` : nothing}
        ${receipt.earned ? html`<dt>${t('receipt.earned')}</dt><dd>${points(receipt.earned)}</dd>` : nothing}
        ${receipt.balanceAfter ? html`<dt>${t('receipt.balance')}</dt><dd class="balance-after">${points(receipt.balanceAfter)}</dd>` : nothing}
      </dl>
    </section>${pos.c?.(this)}`;
  }

  #canPay(state: CheckoutState): boolean {
    const customer = state.checkout?.customer;
    return (
      state.phase === 'ready' &&
      !!customer &&
      !customer.debt &&
      state.checkout?.status === 'open' &&
      !(state.busy && state.busy !== 'pay') &&
      state.instalments?.payment?.status !== 'review' &&
      !this.#offerStale(state)
    );
  }
}


declare global {
  interface HTMLElementTagNameMap {
    'checkout-pay': CheckoutPay;
  }
}
