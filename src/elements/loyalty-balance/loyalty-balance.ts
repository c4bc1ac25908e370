import { html, nothing } from 'lit';
import { emit } from '../../events.js';
import type { Loyalty, LoyaltyValue } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { describeProblem, fieldMessage } from '../shared/problem-message.js';
import { loyaltyBalanceStyles } from './loyalty-balance.styles.js';

/**
 * The customer's balance and level, what they may spend on this cart and what the purchase
 * earns; lets them choose how much to spend. Where the provider can, the chosen points are
 * held while the customer pays (and released when they change their mind).
 *
 * @tagname loyalty-balance
 * @summary Shows the loyalty balance and lets the customer spend points.
 * @fires loyalty-change - The customer applied a new spend; `detail` has the spend and the new amount due.
 * @csspart balance - The balance figure.
 * @csspart level - The level line.
 * @csspart input - The points slider.
 * @csspart amount - The chosen amount.
 * @csspart button - The apply button.
 * @csspart error - The error message.
 * @cssprop --checkout-color-accent - Slider and buttons.
 * @cssprop --checkout-color-muted - Secondary text.
 */
export class LoyaltyBalance extends CheckoutElement {
  static override styles = [baseStyles, loyaltyBalanceStyles];
  static override properties = { hideTier: { type: Boolean, attribute: 'hide-tier', reflect: true }, draft: { attribute: false, state: true } };

  /** Hide the level/tier line. */
  hideTier = false;

  /** The spend the customer is choosing (minor units), before they apply it. */
  private draft?: number;

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    if (previous?.checkout?.loyalty?.spend.value.amount !== next.checkout?.loyalty?.spend.value.amount) this.draft = undefined;
  }

  protected override select(state: CheckoutState) {
    const capabilities = state.capabilities?.loyalty;
    // A provider without points (a club's CRM) has no balance to show: hide, don't say "0".
    if (capabilities && !capabilities.spend && !capabilities.earn) return undefined;
    const { checkout } = state;
    return [capabilities, checkout?.loyalty, checkout?.status, state.busy === 'spend', state.failedAction === 'spend' ? state.problem : undefined];
  }

  protected override renderState(state: CheckoutState) {
    const loyalty = state.checkout?.loyalty;
    const { t } = this.l10n;
    const capabilities = state.capabilities?.loyalty;
    if (!loyalty || !state.capabilities) {
      return html`<div class="card muted" part="empty">${t('loyalty.empty')}</div>`;
    }
    const paid = state.checkout?.status === 'paid';
    // No proof yet that the account is the shopper's: no amount about it, only what the order earns.
    const unverified = !loyalty.balance;
    return html`<section class="card" aria-labelledby="balance-label">
      <dl>
        <dt id="balance-label">${t('loyalty.balance')}</dt>
        <dd part="balance">${loyalty.balance ? this.#value(loyalty.balance) : t(capabilities?.proof === 'none' ? 'loyalty.unverifiedShop' : 'loyalty.unverified')}</dd>
        ${loyalty.level && !this.hideTier
          ? html`<dt>${t('loyalty.level')}</dt>
              <dd part="level">${t(loyalty.level.type === 'cashback' ? 'loyalty.levelCashback' : 'loyalty.levelDiscount', { name: loyalty.level.name, percent: loyalty.level.percent })}</dd>`
          : nothing}
      </dl>
      ${loyalty.discount.amount > 0 ? html`<p class="note">${t('loyalty.discount', { discount: this.l10n.money(loyalty.discount) })}</p>` : nothing}
      ${state.capabilities.loyalty.spend && !paid && !unverified ? this.#renderSpend(loyalty, state) : nothing}
      ${loyalty.earn && !paid ? html`<p class="note earn" part="earn">${t('loyalty.earn', { earn: this.#value(loyalty.earn) })}</p>` : nothing}
      ${loyalty.hold && !paid
        ? html`<p class="muted" part="hold">${t('loyalty.held', { amount: this.#value(loyalty.hold.amount), time: this.l10n.time(loyalty.hold.expiresAt) })}</p>`
        : nothing}
    </section>`;
  }

  #renderSpend(loyalty: Loyalty, state: CheckoutState) {
    const { t } = this.l10n;
    const { max, step } = loyalty.spendable;
    if (max.amount === 0) return html`<p class="muted">${t('loyalty.nothingToSpend')}</p>`;
    const current = loyalty.spend.value.amount;
    const draft = this.draft ?? current;
    const busy = state.busy === 'spend';
    const problem = state.failedAction === 'spend' ? state.problem : undefined;
    const error = problem && (fieldMessage(problem, 'amount') ?? describeProblem(problem, this.l10n).message);
    const draftMoney = { amount: draft, currency: max.currency };
    const earnNote = state.capabilities?.loyalty.earn && loyalty.level?.type === 'cashback' && current === 0 && draft > 0;
    return html`<div class="spend">
      <label for="spend">${t('loyalty.spendLabel')}</label>
      <p class="muted" id="range">${t('loyalty.spendRange', { max: this.l10n.money(max) })}</p>
      <div class="row">
        <input
          id="spend"
          part="input"
          type="range"
          min="0"
          max=${max.amount}
          step=${step}
          .value=${String(draft)}
          aria-describedby="range"
          aria-valuetext=${this.l10n.money(draftMoney)}
          ?disabled=${busy}
          @input=${(e: Event) => (this.draft = Number((e.target as HTMLInputElement).value))}
        />
        <output for="spend" part="amount" aria-live="polite">${this.l10n.money(draftMoney)}</output>
      </div>
      <div class="row">
        <button class="secondary" type="button" ?disabled=${busy} @click=${() => (this.draft = max.amount)}>${t('loyalty.useMax')}</button>
        <button class="secondary" type="button" ?disabled=${busy || (current === 0 && draft === 0)} @click=${() => this.#apply(0)}>${t('loyalty.useNone')}</button>
        <button part="button" type="button" aria-disabled=${busy || draft === current ? 'true' : 'false'} @click=${() => this.#apply(draft)}>
          ${busy ? t('loyalty.pending') : t('loyalty.apply')}
        </button>
      </div>
      ${earnNote ? html`<p class="muted">${t('loyalty.earnOnlyWithoutSpend')}</p>` : nothing}
      <p class="error" part="error" role="alert">${error ?? nothing}</p>
    </div>`;
  }

  #value(value: LoyaltyValue): string {
    const money = this.l10n.money(value.value);
    return value.points === undefined ? money : `${this.l10n.t('loyalty.points', { count: value.points })} (${money})`;
  }

  async #apply(amount: number): Promise<void> {
    const state = this.checkoutState;
    if (state.busy || amount === state.checkout?.loyalty?.spend.value.amount) return;
    try {
      const checkout = await this.context!.actions.setSpend(amount);
      if (checkout.loyalty) emit(this, 'loyalty-change', { spend: checkout.loyalty.spend, amountDue: checkout.amountDue, ...(checkout.loyalty.earn ? { earn: checkout.loyalty.earn } : {}) });
    } catch {
      // Shown through the session's problem.
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'loyalty-balance': LoyaltyBalance;
  }
}
