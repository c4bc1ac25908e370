import * as z from 'zod/mini';
import { CHECKOUT_STATUSES, LEVEL_TYPES, LOOKUP_KINDS, PAYMENT_METHODS, PROOF_KINDS, PROTOCOL_VERSION } from './contract.js';
import { Money, oneOf } from './money.js';

export * from './contract.js';

/**
 * The widget ↔ proxy contract, version 1. Both sides import these schemas: the proxy
 * validates requests with them, the widget validates replies with them. Closed value sets
 * are `as const` arrays so the TypeScript union and the runtime check come from one list.
 */



/** `outcome-unknown`: a payment was sent and its outcome is being settled with the provider. */


// ---------------------------------------------------------------- capabilities
export const Capabilities = /* @__PURE__ */ z.object({
  version: oneOf([PROTOCOL_VERSION]),
  loyalty: z.object({
    /** Which adapter answers (`ru-loyalty`, `crmcom`, `carecloud`, `resamania`). */
    provider: z.string(),
    lookup: z.object({ kinds: z.array(oneOf(LOOKUP_KINDS)) }),
    /** The customer can spend a balance on this cart. */
    spend: z.boolean(),
    /** The provider can hold the chosen amount while the customer pays. */
    hold: z.boolean(),
    /** The provider awards points or cashback for the purchase. */
    earn: z.boolean(),
    /** The provider reports debt that blocks a sale (Resamania). */
    debt: z.boolean(),
    /** The provider has a per-customer catalog (Resamania). */
    catalog: z.boolean(),
    /** The methods this provider can record: `card`/`cash`/`cheque` at a till, `external` for the shop's PSP. */
    paymentMethods: z.array(oneOf(PAYMENT_METHODS)),
    /** The code a shopper can give to prove they own the account (`none`: only the shop or a till can vouch). */
    proof: oneOf(PROOF_KINDS),
    /** A sale needs an identified customer (a club's contract); otherwise guests can pay too. */
    customerRequired: z.boolean(),
  }),
  /** `null` when no instalment provider is configured. */
  instalments: z.nullable(z.object({ provider: z.string() })),
});
export type Capabilities = z.infer<typeof Capabilities>;

// ---------------------------------------------------------------- cart
export const CartLine = /* @__PURE__ */ z.object({
  sku: z.string(),
  name: z.string(),
  quantity: z.number(),
  unitPrice: Money,
  total: Money,
});
export type CartLine = z.infer<typeof CartLine>;

export const Cart = /* @__PURE__ */ z.object({
  id: z.string(),
  currency: z.string(),
  lines: z.array(CartLine),
  total: Money,
});
export type Cart = z.infer<typeof Cart>;

// ---------------------------------------------------------------- customer and loyalty
/**
 * What the widget may show of a customer: masked, never birthday, photo, e-mail or full phone.
 * Until the shopper has proved the account is theirs (`verified`), no amount about it is shown
 * either: a lookup by a public identifier (a phone number) says nothing about a third party's
 * balance or debt.
 */
export const Customer = /* @__PURE__ */ z.object({
  displayName: z.string(),
  maskedPhone: z.optional(z.string()),
  maskedCard: z.optional(z.string()),
  /** The shop vouched for this shopper, they gave a code only the owner has, or a cashier has the card in hand. */
  verified: z.boolean(),
  /** An outstanding debt blocks a sale (where the provider reports debt). */
  inDebt: z.optional(z.boolean()),
  /** The debt's amount, shown only to a verified customer. */
  debt: z.optional(Money),
});
export type Customer = z.infer<typeof Customer>;

/** An amount of loyalty value: always in money, and in points where the provider counts points. */
export const LoyaltyValue = /* @__PURE__ */ z.object({
  value: Money,
  points: z.optional(z.number()),
});
export type LoyaltyValue = z.infer<typeof LoyaltyValue>;

export const Loyalty = /* @__PURE__ */ z.object({
  /** The balance: only for a verified customer. */
  balance: z.optional(LoyaltyValue),
  level: z.optional(
    z.object({ name: z.string(), type: oneOf(LEVEL_TYPES), percent: z.number() }),
  ),
  /** What this customer may spend on this cart: [min, max] in steps of `step` minor units (nothing until verified). */
  spendable: z.object({ min: Money, max: Money, step: z.number() }),
  /** The amount the customer chose to spend. */
  spend: LoyaltyValue,
  /** A discount the customer's level grants on this cart, applied automatically. */
  discount: Money,
  /** What this purchase earns with the current choice (nothing when the provider awards only without spend). */
  earn: z.optional(LoyaltyValue),
  /** The points held for this checkout while the customer pays. */
  hold: z.optional(z.object({ amount: LoyaltyValue, expiresAt: z.string() })),
});
export type Loyalty = z.infer<typeof Loyalty>;

export const Receipt = /* @__PURE__ */ z.object({
  reference: z.string(),
  paidAt: z.string(),
  method: oneOf(PAYMENT_METHODS),
  total: Money,
  discount: Money,
  spent: LoyaltyValue,
  /** What the customer paid by `method` after points and discount. */
  paid: Money,
  earned: z.optional(LoyaltyValue),
  balanceAfter: z.optional(LoyaltyValue),
});
export type Receipt = z.infer<typeof Receipt>;

// ---------------------------------------------------------------- catalog
/** An offer the identified customer may buy (providers with `capabilities.loyalty.catalog`). */
export const CatalogOffer = /* @__PURE__ */ z.object({
  /** What a cart line's `sku` must be to sell this offer. */
  id: z.string(),
  name: z.string(),
  productName: z.string(),
  category: z.string(),
  price: Money,
  needsStartDate: z.boolean(),
});
export type CatalogOffer = z.infer<typeof CatalogOffer>;
export const Catalog = /* @__PURE__ */ z.object({ offers: z.array(CatalogOffer) });
export type Catalog = z.infer<typeof Catalog>;

// ---------------------------------------------------------------- checkout
export const Checkout = /* @__PURE__ */ z.object({
  id: z.string(),
  status: oneOf(CHECKOUT_STATUSES),
  cart: Cart,
  customer: z.nullable(Customer),
  loyalty: z.nullable(Loyalty),
  /** total − discount − spend: what remains to be paid by the payment method. */
  amountDue: Money,
  /** While `awaiting-payment`: what the page asked the shop's PSP to take, and the attempt's key. */
  paymentRequest: z.nullable(z.object({ amount: Money, key: z.string() })),
  receipt: z.nullable(Receipt),
});
export type Checkout = z.infer<typeof Checkout>;


