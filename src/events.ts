import type { CatalogOffer, Customer, InstalmentOffer, InstalmentReason, LoyaltyValue, Money, Problem, Receipt } from './protocol/index.js';

/**
 * The public events. Every one is a bubbling, composed `CustomEvent` fired by the element the
 * shopper used, so a page hears it from any depth of shadow DOM. Details carry masked data
 * only. Names are a public API: change them only with a major version.
 */
export interface CustomerFoundDetail {
  customer: Customer;
}
export interface CustomerClearedDetail {
  reason: 'user';
}
export interface LoyaltyChangeDetail {
  spend: LoyaltyValue;
  amountDue: Money;
  earn?: LoyaltyValue;
}
export interface EligibilityChangeDetail {
  eligible: boolean;
  /** Why no offer is shown when `eligible` is false. */
  reason?: 'not-configured' | 'error' | InstalmentReason;
  /** The offers (fees, total, schedule) when eligible. */
  offers?: InstalmentOffer[];
  /** The offer the shopper chose (absent: pay in full). */
  chosen?: string;
}
/**
 * The shopper pressed pay on a web page: the page's own PSP takes `amount` now. The shop's
 * server then confirms the payment to the proxy (with `key` as its Idempotency-Key); the
 * element shows the receipt as soon as it is confirmed.
 */
export interface PaymentRequestedDetail {
  checkoutId: string;
  amount: Money;
  key: string;
}
export interface PaymentSucceededDetail {
  checkoutId: string;
  receipt: Receipt;
}
export interface PaymentFailedDetail {
  problem: Problem;
  /** The payment may have been recorded; the widget checks before offering a retry. */
  outcomeUnknown: boolean;
}
export interface CatalogChangeDetail {
  /** What the identified customer may buy (each offer's `id` is a cart line `sku`). */
  offers: CatalogOffer[];
}
export interface CheckoutErrorDetail {
  problem: Problem;
  /** What was being done: `load`, `lookup`, `verify`, `spend`, `pay`. */
  action: string;
}

export interface CheckoutEventMap {
  'customer-found': CustomEvent<CustomerFoundDetail>;
  'customer-cleared': CustomEvent<CustomerClearedDetail>;
  'loyalty-change': CustomEvent<LoyaltyChangeDetail>;
  'eligibility-change': CustomEvent<EligibilityChangeDetail>;
  'payment-requested': CustomEvent<PaymentRequestedDetail>;
  'payment-succeeded': CustomEvent<PaymentSucceededDetail>;
  'payment-failed': CustomEvent<PaymentFailedDetail>;
  'checkout-error': CustomEvent<CheckoutErrorDetail>;
  'catalog-change': CustomEvent<CatalogChangeDetail>;
}

export function emit<K extends keyof CheckoutEventMap>(target: EventTarget, name: K, detail: CheckoutEventMap[K]['detail']): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap extends CheckoutEventMap {}
}
