import * as z from 'zod/mini';
import { Money } from './money.js';
import { PROTOCOL_VERSION } from './schemas.js';

/**
 * Pay in instalments (a buy-now-pay-later provider such as FLOA), as the widget sees it. The
 * browser never sends an identity or an amount: the proxy builds the request from the server
 * cart and its customer source, keeps the provider's tokens, and sends back only what the
 * shopper must see (French rules from 20 Nov 2026: the cost of every offer — fees, total and
 * schedule). Kept lean on purpose: these schemas ship in the widget bundle.
 */
export const INSTALMENT_KINDS = ['split', 'credit', 'deferred'] as const;
export type InstalmentKind = (typeof INSTALMENT_KINDS)[number];

/**
 * Why no offer is shown: `not-eligible` (the provider declined and gives no reason),
 * `refused` (the provider found the request invalid; `detail` has its words), `no-customer`
 * (the shop has no identity to check yet), `nothing-due` (points cover the whole order),
 * `debt` (the customer must settle an outstanding balance first).
 */
export const INSTALMENT_REASONS = ['not-eligible', 'refused', 'no-customer', 'nothing-due', 'debt'] as const;
export type InstalmentReason = (typeof INSTALMENT_REASONS)[number];

/**
 * `redirected`: the shopper was sent to the provider's page; `pending`: the provider has not
 * decided yet; `paid`: confirmed and recorded; `refused`/`cancelled`: nothing charged, points
 * released; `review`: confirmed for an amount that no longer matches the order (the shop checks it).
 */
export const INSTALMENT_PAYMENT_STATUSES = ['redirected', 'pending', 'paid', 'refused', 'cancelled', 'review'] as const;
export type InstalmentPaymentStatus = (typeof INSTALMENT_PAYMENT_STATUSES)[number];

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

const base = (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/instalments`;

/** Paths under the configured endpoint. `callback/*` are called by the provider and the shopper's browser, not the widget. */
export const instalmentPaths = {
  status: base,
  eligibility: (id: string) => `${base(id)}/eligibility`,
  session: (id: string) => `${base(id)}/payment-session`,
  notification: (id: string) => `${base(id)}/callback/notification`,
  return: (id: string) => `${base(id)}/callback/return`,
  back: (id: string) => `${base(id)}/callback/back`,
} as const;
