import type { InstalmentEligibility } from '../../protocol/index.js';
import type { CheckoutState } from '../../session/context.js';
import type { InstalmentActions, InstalmentHost } from '../../session/instalments.js';

/**
 * Where the instalments chunk (`../instalments/instalments.ts`) plugs into the session and the
 * elements. A session loads it only when its proxy has an instalment provider, so a page
 * without one carries nothing of pay in instalments but these few calls; until it is loaded
 * every hook is absent and the elements behave as if there were no instalments.
 */
export interface InstalmentsHook {
  /** The session's instalment actions (check, choose, open the provider's page, restore, abandon). */
  actions(host: InstalmentHost): InstalmentActions;
  /** `<eligibility-check>`: its whole content and behaviour. */
  eligibility: {
    render(element: HTMLElement): unknown;
    changed(element: HTMLElement, previous: CheckoutState | undefined, next: CheckoutState): void;
    check(element: HTMLElement): Promise<InstalmentEligibility | undefined>;
    stop(element: HTMLElement): void;
  };
  /** `<checkout-pay>`: what paying in instalments adds to the summary, the button and the receipt. */
  pay: {
    /** True when pressing pay goes to the provider's page (an offer is chosen, or a payment is open). */
    active(state: CheckoutState): boolean;
    /** Opens (or finds again) the payment session and sends the shopper to the provider's page. */
    go(element: HTMLElement): Promise<undefined>;
    /** Why paying must wait (a message key), or undefined. */
    hint(state: CheckoutState): 'eligibility.updating' | undefined;
    /** Paying is not possible now (a payment to review, offers being updated). */
    blocked(state: CheckoutState): boolean;
    rows(element: HTMLElement): unknown;
    label(element: HTMLElement): string | undefined;
    notice(element: HTMLElement): string | undefined;
    buttons(element: HTMLElement): unknown;
    receipt(element: HTMLElement): unknown;
    changed(element: HTMLElement, previous: CheckoutState | undefined, next: CheckoutState): void;
  };
}

export const instalments: Partial<InstalmentsHook> = {};
