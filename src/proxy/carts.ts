import type { Cart as WireCart, CartLine as WireCartLine } from '../protocol/index.js';

/**
 * A cart as the proxy holds it: the wire cart, plus per-line details a provider needs (a
 * subscription's `startDate`) that the browser has no use for.
 */
export type CartLine = WireCartLine & { data?: Record<string, string> };
export type Cart = WireCart & { lines: CartLine[] };

/**
 * Where the proxy reads a cart's lines and amounts. The merchant implements this against
 * their own shop; the browser only ever names a cart, never a price.
 */
export interface CartSource {
  /** The cart, or `undefined` when there is no such cart. */
  get(cartId: string): Promise<Cart | undefined>;
}

export interface CartLineInput {
  sku: string;
  name: string;
  quantity: number;
  /** Unit price in minor units. */
  unitPrice: number;
  /** Details the provider needs for this line (e.g. `startDate` of a subscription). */
  data?: Record<string, string>;
}

/** Builds a validated cart from lines; totals are computed here, in integer minor units. */
export function buildCart(id: string, currency: string, lines: CartLineInput[]): Cart {
  const cartLines: CartLine[] = lines.map((line) => ({
    sku: line.sku,
    name: line.name,
    quantity: line.quantity,
    unitPrice: { amount: line.unitPrice, currency },
    total: { amount: line.unitPrice * line.quantity, currency },
    ...(line.data ? { data: line.data } : {}),
  }));
  const total = cartLines.reduce((sum, line) => sum + line.total.amount, 0);
  return { id, currency, lines: cartLines, total: { amount: total, currency } };
}

/** The demo's cart source: carts from the configuration file, held in memory. */
export class MemoryCartSource implements CartSource {
  readonly #carts = new Map<string, Cart>();

  constructor(carts: Record<string, { currency: string; lines: CartLineInput[] }> = {}) {
    for (const [id, cart] of Object.entries(carts)) this.set(buildCart(id, cart.currency, cart.lines));
  }

  set(cart: Cart): void {
    this.#carts.set(cart.id, cart);
  }

  async get(cartId: string): Promise<Cart | undefined> {
    return this.#carts.get(cartId);
  }
}
