import { nothing } from 'lit';
import { emit } from '../../events.js';
import type { InstalmentEligibility } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { instalments } from '../shared/instalments-hook.js';

/**
 * The instalment offers this customer can have for the amount due, each with its cost (total,
 * fees) and its schedule, as French rules require from 20 Nov 2026; the shopper picks one (or
 * pays in full) and `<checkout-pay>` then pays it. When there is no offer it says why in plain
 * words, with a retry when the cause is transient. It checks again whenever the amount due
 * changes (points applied), after a short pause, cancelling a check that became outdated.
 * Without an instalment provider it renders nothing (and tells the page once, through
 * `eligibility-change` with the reason `not-configured`). Its content comes with the
 * instalments chunk, which the session loads only when the proxy has an instalment provider.
 *
 * @tagname eligibility-check
 * @summary Shows the pay-in-instalments offers and lets the shopper choose one.
 * @fires eligibility-change - Offers became known or the shopper chose one; `detail.eligible`, `detail.reason`, `detail.offers`, `detail.chosen`.
 * @csspart notice - A notice instead of offers (not eligible, nothing due, checking).
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
  static override styles = [baseStyles];

  /** Checks the offers now (the same as the retry button). */
  check(): Promise<InstalmentEligibility | undefined> {
    return instalments.eligibility?.check(this) ?? Promise.resolve(undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    instalments.eligibility?.stop(this);
  }

  protected override select(state: CheckoutState) {
    // Nothing to offer without an instalment provider: the element takes no room in the page.
    if (state.capabilities?.instalments === null) return undefined;
    return [state.capabilities, state.checkout, state.instalments, state.busy === 'pay'];
  }

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    if (!previous?.capabilities && next.capabilities && next.capabilities.instalments === null) {
      emit(this, 'eligibility-change', { eligible: false, reason: 'not-configured' });
    }
    instalments.eligibility?.changed(this, previous, next);
  }

  protected override renderState() {
    return instalments.eligibility?.render(this) ?? nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'eligibility-check': EligibilityCheck;
  }
}
