import type { Capabilities, LoyaltyValue, Money, PaymentMethod, Receipt } from '../../protocol/index.js';
import type { Cart } from '../carts.js';
import type { FormFields as NotificationFields } from './floa/notification.js';
import type { FloaCustomer, FloaEligibilityInput, FloaNotification, FloaOffer, FloaPaymentRef, FloaPaymentResult, FloaPaymentSession, FloaPaymentSessionInput } from './floa/types.js';

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
  /** Set by the checkout (never by an adapter): the level's discount was withheld until the shopper proves the account. */
  discountWithheld?: boolean;
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
  /** Recorded at a till (POS mode), for providers that keep them (Resamania); others ignore them. */
  cheque?: { bank?: string; number?: string };
  cardNetwork?: string;
}

export type SaleRecord = Pick<Receipt, 'reference' | 'spent' | 'earned' | 'balanceAfter' | 'discount'>;

/** What an adapter declares; `customerRequired` defaults to false (guests can pay). */
export type LoyaltyCapabilities = Omit<Capabilities['loyalty'], 'customerRequired'> & { customerRequired?: boolean };

/** What a provider says about a sale whose outcome was unknown. */
export type SaleOutcome = { state: 'recorded'; sale: SaleRecord } | { state: 'not-recorded' } | { state: 'unknown' };

/** An offer a customer may buy (Resamania's catalog); a cart line's `sku` is its `id`. */
export interface CatalogOffer {
  /** The provider's offer id (Resamania: the offer IRI, sent as the article's `offerId`). */
  id: string;
  productId: string;
  name: string;
  productName: string;
  /** Product category (subscription, badge, regular…). */
  category: string;
  /** Price including tax. */
  price: Money;
  /** The sale needs a start date for this offer (subscriptions). */
  needsStartDate: boolean;
}

export interface CatalogFilter {
  /** Product category. */
  type?: string;
  /** Purchase date (YYYY-MM-DD); today by default. */
  date?: string;
}

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
  /**
   * Proof of ownership (only when `capabilities.proof` is not `none`): true when `code` — a
   * pass code, one-time password or app code the shopper typed — resolves at the provider to
   * this same account; false when it does not. Only reads. Throws on provider failures.
   */
  verify?(customer: CustomerRecord, code: string, ctx: CallContext): Promise<boolean>;
  /** Offers this customer may buy now (only when `capabilities.catalog`). Safe to repeat. */
  catalog?(customer: CustomerRecord, ctx: CallContext, filter?: CatalogFilter): Promise<CatalogOffer[]>;
  /**
   * Before the money is taken elsewhere (the shop's PSP, an instalment provider): prepares and
   * checks the sale the provider will record, so a sale it refuses is refused before anyone
   * pays (Resamania: create the sale, add its articles, `check` it, compare its total).
   * Records no payment; safe to repeat; `recordSale` later completes the same sale.
   */
  prepareSale?(input: RecordSaleInput, ctx: CallContext): Promise<void>;
  /** Records the sale (spend or earn) once. Moves money: always called with an idempotency key. */
  recordSale(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord>;
  /**
   * After `recordSale` failed with `payment-outcome-unknown`: was that sale recorded? Only
   * reads (safe to repeat); `unknown` when the provider's data cannot tell. Without it, an
   * unknown outcome stays unknown until an operator settles it.
   */
  saleOutcome?(input: RecordSaleInput, ctx: CallContext): Promise<SaleOutcome>;
  /**
   * Tries the configured credentials without moving money or reading anyone's data (a login,
   * or a lookup of nobody); resolves with what was checked, throws a `ProblemError` saying what
   * is wrong. For `checkout-proxy check`.
   */
  checkCredentials?(ctx: CallContext): Promise<string>;
  /** Stops timers and closes pooled connections. */
  close?(): Promise<void>;
}

/**
 * A buy-now-pay-later provider (FLOA). Its shapes are FLOA's, the one such provider of the
 * seeds (and the most demanding: full identity, per-country rules, signed notifications).
 * Offers carry the provider's token: they stay on the server (see `../instalments.ts`).
 */
export type InstalmentCustomer = FloaCustomer;
export type InstalmentEligibilityInput = FloaEligibilityInput;
export type InstalmentOffer = FloaOffer;
export type InstalmentSessionInput = FloaPaymentSessionInput;
export type InstalmentSession = FloaPaymentSession;
export type InstalmentNotification = FloaNotification;
export type InstalmentPaymentRef = FloaPaymentRef;
export type InstalmentPaymentResult = FloaPaymentResult;

export interface InstalmentProvider {
  readonly id: string;
  /** The offers for this customer and amount due. Throws `validation` (no call made) or `rejected` (declined, with the reason). */
  eligibility(input: InstalmentEligibilityInput, ctx: CallContext): Promise<InstalmentOffer[]>;
  /** Where to send the shopper to pay the chosen offer. */
  createPaymentSession(input: InstalmentSessionInput, ctx: CallContext): Promise<InstalmentSession>;
  /** Checks a notification's seal and reads it; throws `validation` when it is not the provider's. */
  verifyNotification(fields: NotificationFields): InstalmentNotification;
  /** The payment's state at the provider: what to trust before recording a sale. Safe to repeat. */
  paymentResult(ref: InstalmentPaymentRef, ctx: CallContext): Promise<InstalmentPaymentResult>;
  /** Tries the configured credentials without moving money (see `LoyaltyProvider.checkCredentials`). */
  checkCredentials?(ctx: CallContext): Promise<string>;
  close?(): Promise<void>;
}
