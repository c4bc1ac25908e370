import type { PaymentDetails } from '../../session/context.js';
import type { CheckoutState } from '../../session/context.js';

/**
 * Where the POS chunk (`../pos/pos.ts`, loaded by `<checkout-session mode="pos">` only) plugs
 * into the elements. Empty until then, so the drop-in carries nothing of POS mode but these
 * few calls; each hook itself checks that the element's session is in POS mode.
 */
export const pos: {
  /** Every element, on each state change (the previous state given): large targets, focus on the lookup field. */
  s?(element: HTMLElement, previous: CheckoutState | undefined): void;
  /** `<checkout-pay>`: the payment method's row in the summary. */
  m?(element: HTMLElement): unknown;
  /** `<checkout-pay>`: the method choice and its details under the summary; the "Print receipt" button under the receipt. */
  c?(element: HTMLElement): unknown;
  /** `<checkout-pay>`: the details of the chosen method, sent with the payment. */
  d?(element: HTMLElement): PaymentDetails | undefined;
} = {};
