import { html } from 'lit';
import { emit } from '../../events.js';
import type { CheckoutState } from '../../session/context.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';

/**
 * The instalment offers this customer is eligible for. Reads the proxy's capabilities; when
 * no instalment provider is configured it says so plainly instead of rendering nothing.
 *
 * @tagname eligibility-check
 * @summary Shows the pay-in-instalments offers.
 * @fires eligibility-change - Eligibility became known; `detail.eligible` and `detail.reason`.
 * @csspart notice - The "not offered" notice.
 * @cssprop --checkout-color-muted - Notice text.
 */
export class EligibilityCheck extends CheckoutElement {
  static override styles = [baseStyles];

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    if (!previous?.capabilities && next.capabilities && next.capabilities.instalments === null) {
      emit(this, 'eligibility-change', { eligible: false, reason: 'not-configured' });
    }
  }

  protected override render() {
    const { capabilities } = this.checkoutState;
    if (!capabilities) return html``;
    return html`<p class="card muted" part="notice" role="note">${this.l10n.t('eligibility.notConfigured')}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'eligibility-check': EligibilityCheck;
  }
}
