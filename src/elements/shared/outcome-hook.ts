import type { CheckoutState } from '../../session/context.js';

/**
 * Where the outcome chunk (`../outcome/outcome.ts`) plugs into `<checkout-pay>`: what it shows
 * once the checkout is no longer open (waiting for the shop's PSP, the receipt, an order to
 * review or cancelled). Empty until then: the session loads the chunk before it shows such a
 * checkout (`loadOutcome` in `checkout-session.ts`), and starts loading it when the shopper presses pay.
 */
export const outcome: {
  /** The receipt of a paid checkout, or why nothing more can be paid (review, cancelled). */
  closed?(element: HTMLElement): unknown;
  /** While the shop's PSP takes the payment: the waiting notice and "Change my order". */
  waiting?(element: HTMLElement): unknown;
  /** On each state change: the shop's server confirmed the payment (`payment-succeeded`, focus on the receipt). */
  changed?(element: HTMLElement, previous: CheckoutState | undefined, next: CheckoutState): void;
} = {};
