import type { Money } from '../../protocol/index.js';
import type { Cart } from '../carts.js';
import type { LoyaltyQuote } from '../providers/provider.js';

/**
 * The amount due, computed here and nowhere else: the server cart's total, less the discount
 * the provider's quote grants (a discount level), less the points the customer chose to spend.
 * Adapters report the discount; they never compute what is due.
 */
export function amountDue(cart: Cart, quote: LoyaltyQuote | undefined, spend: number): Money {
  const discount = quote?.discount.amount ?? 0;
  return { amount: Math.max(0, cart.total.amount - discount - spend), currency: cart.currency };
}
