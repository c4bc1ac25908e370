import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { emit } from '../../events.js';
import type { InstalmentEligibility, InstalmentOffer, Problem } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { dueDate, offerCost, offerName, paymentWaiting } from '../shared/instalment-text.js';
import { describeProblem } from '../shared/problem-message.js';
import { eligibilityCheckStyles } from './eligibility-check.styles.js';

/** Quiet time after the amount due changes (the shopper is still moving the points slider). */
const DEBOUNCE_MS = 300;

/**
 * The instalment offers this customer can have for the amount due, each with its cost (total,
 * fees) and its schedule, as French rules require from 20 Nov 2026; the shopper picks one (or
 * pays in full) and `<checkout-pay>` then pays it. When there is no offer it says why in plain
 * words, with a retry when the cause is transient. It checks again whenever the amount due
 * changes (points applied), after a short pause, cancelling a check that became outdated.
 * Without an instalment provider it says that instalments are not offered here.
 *
 * @tagname eligibility-check
 * @summary Shows the pay-in-instalments offers and lets the shopper choose one.
 * @fires eligibility-change - Offers became known or the shopper chose one; `detail.eligible`, `detail.reason`, `detail.offers`, `detail.chosen`.
 * @csspart notice - A notice instead of offers (not offered, not eligible, nothing due).
 * @csspart offers - The group of offers.
 * @csspart option - One offer (or "pay in full").
 * @csspart cost - An offer's total and fees.
 * @csspart schedule - An offer's schedule.
 * @csspart link - The link back to the provider's payment page.
 * @csspart button - The retry button.
 * @csspart error - The error message.
 * @cssprop --checkout-color-accent - The chosen offer.
 * @cssprop --checkout-color-muted - Schedules and notices.
 */
export class EligibilityCheck extends CheckoutElement {
  static override styles = [baseStyles, eligibilityCheckStyles];

  @state() private checking = false;
  @state() private problem?: Problem;

  /** What the last check was for: checkout, amount due, customer, payment state. */
  #key?: string;
  #timer?: ReturnType<typeof setTimeout>;
  #abort?: AbortController;

  /** Checks the offers now (the same as the retry button). */
  async check(): Promise<InstalmentEligibility | undefined> {
    clearTimeout(this.#timer);
    this.#abort?.abort();
    const actions = this.context?.actions;
    if (!actions) return undefined;
    const abort = (this.#abort = new AbortController());
    this.checking = true;
    this.problem = undefined;
    try {
      const eligibility = await actions.checkEligibility(abort.signal);
      if (abort.signal.aborted) return undefined;
      const { eligible, reason, offers } = eligibility;
      emit(this, 'eligibility-change', { eligible, ...(reason ? { reason } : {}), offers, ...this.#chosen() });
      return eligibility;
    } catch (error) {
      if (abort.signal.aborted) return undefined;
      this.problem = (error as { problem?: Problem }).problem ?? { type: '/problems/internal', title: String(error), status: 0 };
      emit(this, 'eligibility-change', { eligible: false, reason: 'error' });
      return undefined;
    } finally {
      if (this.#abort === abort) this.checking = false;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.#key = undefined;
  }

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    if (!previous?.capabilities && next.capabilities && next.capabilities.instalments === null) {
      emit(this, 'eligibility-change', { eligible: false, reason: 'not-configured' });
    }
    this.#schedule(next);
  }

  /** A check when what decides the offers changed, debounced; none while a payment is open or done. */
  #schedule(next: CheckoutState): void {
    const { checkout } = next;
    const payment = next.instalments?.payment;
    if (next.phase !== 'ready' || !next.capabilities?.instalments || !checkout) return;
    if (checkout.status !== 'open' || paymentWaiting(payment?.status)) {
      clearTimeout(this.#timer);
      this.#abort?.abort();
      this.checking = false;
      this.#key = undefined;
      return;
    }
    const key = [checkout.id, checkout.amountDue.amount, checkout.customer?.displayName ?? '', payment?.status ?? ''].join('|');
    if (key === this.#key) return;
    this.#key = key;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.checking = true;
    this.#timer = setTimeout(() => void this.check(), DEBOUNCE_MS);
  }

  #chosen(): { chosen?: string } {
    const chosen = this.checkoutState.instalments?.chosen;
    return chosen ? { chosen } : {};
  }

  #choose(id: string | undefined): void {
    const actions = this.context?.actions;
    const eligibility = this.checkoutState.instalments?.eligibility;
    if (!actions || !eligibility) return;
    actions.chooseOffer(id);
    emit(this, 'eligibility-change', { eligible: eligibility.eligible, offers: eligibility.offers, ...this.#chosen() });
  }

  protected override render() {
    const state = this.checkoutState;
    const { capabilities, checkout } = state;
    const { t } = this.l10n;
    if (!capabilities) return nothing;
    if (!capabilities.instalments) return html`<p class="card muted" part="notice" role="note">${t('eligibility.notConfigured')}</p>`;
    if (!checkout) return nothing;

    const payment = state.instalments?.payment;
    if (payment && (payment.status === 'paid' || paymentWaiting(payment.status))) {
      const paid = payment.status === 'paid';
      return html`<section class="card" aria-labelledby="title">
        <h2 id="title" class="visually-hidden">${t('eligibility.title')}</h2>
        <p class=${paid ? 'paid' : ''} role="status">
          ${paid ? t('eligibility.paid', { offer: offerName(payment.offer, this.l10n), total: this.l10n.money(payment.offer.total) }) : t('eligibility.open', { offer: offerName(payment.offer, this.l10n) })}
        </p>
        ${payment.url ? html`<a part="link" href=${payment.url}>${t('eligibility.continue')}</a>` : nothing}
        ${this.#renderSchedule(payment.offer)}
      </section>`;
    }

    const eligibility = state.instalments?.eligibility;
    const stale = !eligibility || eligibility.amountDue.amount !== checkout.amountDue.amount;
    if (this.problem) return this.#renderProblem(this.problem);
    if (!eligibility || (stale && this.checking)) {
      return html`<p class="card muted" part="notice" role="status">${eligibility ? t('eligibility.updating') : t('eligibility.checking')}</p>`;
    }
    if (!eligibility.eligible) return html`<p class="card muted" part="notice" role="status">${this.#reason(eligibility)}</p>`;
    return this.#renderOffers(eligibility, state.instalments?.chosen, this.checking);
  }

  #reason(eligibility: InstalmentEligibility): string {
    const { t } = this.l10n;
    switch (eligibility.reason) {
      case 'refused':
        return t('eligibility.refused', { detail: eligibility.detail ?? '' });
      case 'no-customer':
        return t('eligibility.noCustomer');
      case 'nothing-due':
        return t('eligibility.nothingDue');
      case 'debt':
        return t('pay.debt');
      default:
        return t('eligibility.notEligible');
    }
  }

  #renderProblem(problem: Problem) {
    const { t } = this.l10n;
    const described = describeProblem(problem, this.l10n);
    // Details on file that break the provider's rules: the shop must fix them, retrying will not.
    const invalid = problem.status === 400 && problem.errors?.length;
    const unavailable = problem.type.endsWith('/upstream-unavailable');
    const message = invalid
      ? t('eligibility.invalidDetails', { detail: problem.errors!.map((e) => e.message).join(' ') })
      : unavailable
        ? t('eligibility.unavailable')
        : described.message;
    return html`<div class="card">
      <p class="error" part="error" role="alert">${message}</p>
      ${described.retry && !invalid ? html`<button part="button" type="button" class="secondary" @click=${() => void this.check()}>${t('error.retry')}</button>` : nothing}
    </div>`;
  }

  #renderOffers(eligibility: InstalmentEligibility, chosen: string | undefined, updating: boolean) {
    const { t, money } = this.l10n;
    const busy = updating || this.checkoutState.busy === 'pay';
    return html`<fieldset class="card" part="offers" aria-busy=${updating ? 'true' : 'false'} ?disabled=${busy}>
      <legend>${t('eligibility.title')}</legend>
      <div class="option" part="option">
        <input id="full" type="radio" name="plan" .checked=${!chosen} @change=${() => this.#choose(undefined)} />
        <label for="full">${t('eligibility.payInFull', { amount: money(eligibility.amountDue) })}</label>
      </div>
      ${eligibility.offers.map(
        (offer) => html`<div class="option" part="option">
          <input
            id=${`offer-${offer.id}`}
            type="radio"
            name="plan"
            value=${offer.id}
            .checked=${chosen === offer.id}
            aria-describedby=${`cost-${offer.id} schedule-${offer.id}`}
            @change=${() => this.#choose(offer.id)}
          />
          <label for=${`offer-${offer.id}`}>${offerName(offer, this.l10n)}</label>
          <p id=${`cost-${offer.id}`} part="cost">${offerCost(offer, this.l10n)}</p>
          ${this.#renderSchedule(offer)}
        </div>`,
      )}
      ${updating ? html`<p class="muted" role="status">${t('eligibility.updating')}</p>` : nothing}
    </fieldset>`;
  }

  #renderSchedule(offer: InstalmentOffer) {
    return html`<ol id=${`schedule-${offer.id}`} class="schedule" part="schedule" aria-label=${this.l10n.t('eligibility.schedule')}>
      ${offer.schedule.map((item) => html`<li><span>${dueDate(item.dueDate, this.l10n)}</span><span>${this.l10n.money(item.amount)}</span></li>`)}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'eligibility-check': EligibilityCheck;
  }
}
