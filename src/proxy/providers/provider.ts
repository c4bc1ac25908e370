import type { Cart, Capabilities, LoyaltyValue, Money, PaymentMethod, Receipt } from '../../protocol/index.js';

/**
 * The provider interface. Every CRM/loyalty system (Russian loyalty API, CRM.COM, CareCloud,
 * Resamania) is one `LoyaltyProvider`; every buy-now-pay-later system (FLOA) is one
 * `InstalmentProvider`. Methods take plain inputs and return plain outputs in protocol units
 * (integer minor units); each adapter converts to its provider's own units at its edge and
 * throws `ProblemError` (see `../problems.ts`) with per-field messages.
 */

/** Passed to every call: cancellation, and the idempotency key for calls that move money. */
export interface CallContext {
  signal?: AbortSignal;
  /** Set on money-moving calls; adapters forward it where the provider has a duplicate guard. */
  idempotencyKey?: string;
}

/**
 * A customer as the proxy keeps it on the server. Provider ids and contact data stay here;
 * the proxy masks what it sends to the browser (see `../privacy.ts`).
 */
export interface CustomerRecord {
  /** The provider's own id (client id, participant number, customer id, contact IRI). */
  providerId: string;
  name: string;
  phone?: string;
  card?: string;
  email?: string;
  /** Outstanding debt that must be settled before a sale (Resamania `totalRealDebt`). */
  debt?: Money;
  /** Adapter-private data carried between calls (wallet number, card id, contact tags…). */
  data?: Record<string, unknown>;
}

/** What a provider says about this customer and this cart for a chosen spend. */
export interface LoyaltyQuote {
  balance: LoyaltyValue;
  level?: { name: string; type: 'cashback' | 'discount'; percent: number };
  spendable: { min: Money; max: Money; step: number };
  discount: Money;
  /** What the purchase earns with this spend (omitted when nothing is earned). */
  earn?: LoyaltyValue;
  /** Points for a given money spend, where the provider counts points. */
  spendPoints?: number;
}

export interface QuoteInput {
  checkoutId: string;
  customer: CustomerRecord;
  cart: Cart;
  /** Chosen spend in minor units of the cart currency (0 = spend nothing). */
  spend: number;
}

export interface HoldResult {
  amount: LoyaltyValue;
  /** ISO 8601 time at which the provider lets the hold lapse. */
  expiresAt: string;
}

export interface RecordSaleInput extends QuoteInput {
  method: PaymentMethod;
  /** Our reference for this sale; unique per checkout, sent where the provider takes one. */
  reference: string;
  /** Amount paid by `method`, already net of discount and spend. */
  paid: Money;
}

export type SaleRecord = Pick<Receipt, 'reference' | 'spent' | 'earned' | 'balanceAfter' | 'discount'>;

export type LoyaltyCapabilities = Capabilities['loyalty'];

export interface LoyaltyProvider {
  readonly capabilities: LoyaltyCapabilities;
  /** Finds a customer by what they typed or scanned (phone, card, e-mail, app code). Throws `not-found`. */
  identify(query: string, ctx: CallContext): Promise<CustomerRecord>;
  /** Balance, level, spendable range and earn for this cart and spend. Safe to repeat. */
  quote(input: QuoteInput, ctx: CallContext): Promise<LoyaltyQuote>;
  /** Holds `spend` while the customer pays (only when `capabilities.hold`). */
  hold?(input: QuoteInput, ctx: CallContext): Promise<HoldResult>;
  /** Releases this checkout's hold; succeeds when there is none. */
  release?(input: Omit<QuoteInput, 'spend'>, ctx: CallContext): Promise<void>;
  /** Records the sale (spend or earn) once. Moves money: always called with an idempotency key. */
  recordSale(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord>;
  /** Stops timers and closes pooled connections. */
  close?(): Promise<void>;
}

/** Offers and payment sessions of a buy-now-pay-later provider (FLOA); built in its own issue. */
export interface InstalmentOffer {
  id: string;
  label: string;
  instalments: number;
  fees: Money;
  total: Money;
  schedule: Array<{ dueDate: string; amount: Money }>;
}

export interface InstalmentProvider {
  readonly id: string;
  eligibility(input: { checkoutId: string; cart: Cart; customer?: CustomerRecord; amountDue: Money }, ctx: CallContext): Promise<InstalmentOffer[]>;
  close?(): Promise<void>;
}
