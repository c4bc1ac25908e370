import * as z from 'zod/mini';
import { CurrencyCode, MinorUnits, Money } from './money.js';
import { Id } from './requests.js';
import { Checkout } from './schemas.js';

/**
 * The shop's server API (v1): server-to-server calls authenticated with a secret key
 * (`Authorization: Bearer <secret key>`). Only the proxy validates these; they never ship in
 * the widget. The shop's server creates the checkout with its cart, may vouch for its
 * logged-in shopper, confirms the payments its own PSP took, and hands the page the
 * checkout's `clientSecret`.
 */
const Text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const ServerCartLine = z.strictObject({
  sku: Text(128),
  name: Text(200),
  quantity: z.int().check(z.positive(), z.maximum(10_000)),
  /** Unit price in minor units of the cart's currency. */
  unitPrice: MinorUnits,
  /** Details the provider needs for this line (e.g. Resamania's `startDate` of a subscription). */
  data: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/)), Text(200))),
});

export const ServerCart = z.strictObject({
  currency: CurrencyCode,
  lines: z.array(ServerCartLine).check(z.minLength(1), z.maxLength(200)),
});
export type ServerCart = z.infer<typeof ServerCart>;

/**
 * The full identity an instalment provider scores (FLOA: name, birth data, address, contact…),
 * passed by the shop's server: the page never sends an identity. Validated by the provider's
 * own rules (per country) when eligibility is checked.
 */
export const InstalmentIdentity = z.record(z.string().check(z.maxLength(64)), z.unknown());

export const CreateCheckoutRequest = z.strictObject({
  /** The cart, pushed by the shop (lines and unit prices in minor units). */
  cart: z.optional(ServerCart),
  /** Or the id of a cart the proxy reads from its cart source (a proxy mounted in the shop's own server). */
  cartId: z.optional(Id),
  /**
   * The shop's order id: creating again with the same reference returns the same checkout
   * (updating its cart while it is open), so one order never has two payable checkouts.
   */
  reference: z.optional(Id),
  /** The shop's logged-in shopper, vouched for: their loyalty identifier (phone, card, e-mail…). */
  customer: z.optional(z.strictObject({ query: Text(100) })),
  /** What the instalment provider needs to score this shopper (see the operator guide). */
  instalmentIdentity: z.optional(InstalmentIdentity),
  /** POS mode: the till this checkout is rung up at; only that till's credential may act as staff on it. */
  till: z.optional(Id),
  /** The shop's own data, returned in reads and webhooks (at most 20 keys of 500 characters). */
  metadata: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,40}$/)), z.string().check(z.maxLength(500)))),
});
export type CreateCheckoutRequest = z.infer<typeof CreateCheckoutRequest>;

/** A payment the shop's own PSP took, confirmed by the shop's server. */
export const ExternalPaymentRequest = z.strictObject({
  method: z.literal('external'),
  /** What the PSP took: must equal the checkout's amount due. */
  amount: z.strictObject({ amount: MinorUnits, currency: CurrencyCode }),
  /** The PSP's reference for the payment (kept on the receipt and in webhooks). */
  pspReference: Text(128),
});
export type ExternalPaymentRequest = z.infer<typeof ExternalPaymentRequest>;

/** An operator settles by hand a payment whose outcome the provider cannot tell. */
export const ResolveRequest = z.strictObject({
  outcome: z.enum(['recorded', 'not-recorded']),
  note: z.optional(Text(500)),
});
export type ResolveRequest = z.infer<typeof ResolveRequest>;

export const TillCredentialRequest = z.strictObject({
  till: Id,
  /** Lifetime in seconds (default 8 h, at most 24 h). */
  ttlSeconds: z.optional(z.int().check(z.minimum(60), z.maximum(24 * 3600))),
});
export type TillCredentialRequest = z.infer<typeof TillCredentialRequest>;

/** The checkout as the shop's server reads it: what the page sees, and the shop's own fields. */
export const ServerCheckout = z.object({
  ...Checkout.shape,
  reference: z.nullable(z.string()),
  metadata: z.record(z.string(), z.string()),
  till: z.nullable(z.string()),
  /** The PSP's reference of an external payment. */
  pspReference: z.nullable(z.string()),
  /**
   * Payments in instalments the provider collected after the checkout had moved on (a session
   * given up on and paid later in a tab left open): each told by a `checkout.review` webhook;
   * the shop refunds or keeps them. Absent when there are none.
   */
  lateInstalmentPayments: z.optional(z.array(z.object({ orderRef: z.string(), amount: Money, at: z.string() }))),
});
export type ServerCheckout = z.infer<typeof ServerCheckout>;

export const CreateCheckoutReply = z.object({ checkout: ServerCheckout, clientSecret: z.string() });
export type CreateCheckoutReply = z.infer<typeof CreateCheckoutReply>;
