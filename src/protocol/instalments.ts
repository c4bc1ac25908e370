import * as z from 'zod/mini';
import { Money } from './money.js';
import { INSTALMENT_KINDS, INSTALMENT_PAYMENT_STATUSES, INSTALMENT_REASONS } from './contract.js';

/**
 * Pay in instalments (a buy-now-pay-later provider such as FLOA), as the widget sees it. The
 * browser never sends an identity or an amount: the proxy builds the request from the server
 * cart and its customer source, keeps the provider's tokens, and sends back only what the
 * shopper must see (French rules from 20 Nov 2026: the cost of every offer — fees, total and
 * schedule). Kept lean on purpose: these schemas ship in the widget bundle.
 */



export const InstalmentOffer = /* @__PURE__ */ z.object({
  /** Stable id of the payment option (`floa-81`), the same across checks. */
  id: z.string(),
  label: z.string(),
  kind: z.enum(INSTALMENT_KINDS),
  instalments: z.int(),
  fees: Money,
  /** Amount due + fees: what the shopper pays in all. */
  total: Money,
  schedule: z.array(z.object({ dueDate: z.string(), amount: Money })),
});
export type InstalmentOffer = z.infer<typeof InstalmentOffer>;

export const InstalmentEligibility = /* @__PURE__ */ z.object({
  eligible: z.boolean(),
  /** The amount due (points applied) the offers are for. */
  amountDue: Money,
  offers: z.array(InstalmentOffer),
  reason: z.optional(z.enum(INSTALMENT_REASONS)),
  /** The provider's own words, when it gives some. */
  detail: z.optional(z.string()),
});
export type InstalmentEligibility = z.infer<typeof InstalmentEligibility>;

export const InstalmentPayment = /* @__PURE__ */ z.object({
  status: z.enum(INSTALMENT_PAYMENT_STATUSES),
  offer: InstalmentOffer,
  /** Where the shopper continues while `redirected` (the provider's payment page). */
  url: z.optional(z.string()),
});
export type InstalmentPayment = z.infer<typeof InstalmentPayment>;

/** What a reload or a return from the provider's page restores. */
export const InstalmentStatus = /* @__PURE__ */ z.object({
  /** The last offers, while they still match the amount due and the customer; else null (check again). */
  eligibility: z.nullable(InstalmentEligibility),
  payment: z.nullable(InstalmentPayment),
});
export type InstalmentStatus = z.infer<typeof InstalmentStatus>;

/** Reply to the payment-session request: send the shopper to `url`. */
export const InstalmentSession = /* @__PURE__ */ z.object({ url: z.string(), payment: InstalmentPayment });
export type InstalmentSession = z.infer<typeof InstalmentSession>;

/**
 * Payment-session request (validated by the proxy only). `returnUrl` is the page the shopper
 * comes back to; the proxy accepts only its own origin and the allowed merchant origins.
 */
export const InstalmentSessionRequest = /* @__PURE__ */ z.object({
  offerId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  returnUrl: z.url({ protocol: /^https?$/ }),
  locale: z.optional(z.string().check(z.regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/))),
});
export type InstalmentSessionRequest = z.infer<typeof InstalmentSessionRequest>;

