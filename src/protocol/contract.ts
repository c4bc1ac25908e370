/**
 * The parts of the v1 contract that are plain values — versions, closed sets, header names,
 * paths, problem kinds — with no zod, so the browser bundle can import them without the
 * schema library. The schemas (./schemas.ts, ./instalments.ts, ./problem.ts) build on these.
 */
export const PROTOCOL_VERSION = 'v1';

export const LOOKUP_KINDS = ['phone', 'card', 'email', 'code', 'number'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/**
 * How the amount due is settled: `card`/`cash`/`cheque` are taken at a till (a staff
 * credential), `external` by the shop's own PSP and confirmed by the shop's server, `none`
 * when nothing is due (points or a discount cover the order).
 */
export const PAYMENT_METHODS = ['card', 'cash', 'cheque', 'external', 'none'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * How a shopper proves they own a loyalty account before spending from it, besides the shop's
 * server vouching for them or a till: `pass-code` (CRM.COM identifier + pass code),
 * `one-time-password` (CRM.COM), `app-code` (the code shown in the Russian API's customer app,
 * where the operator counts it as proof), `none` (this provider has no such code).
 */
export const PROOF_KINDS = ['none', 'pass-code', 'one-time-password', 'app-code'] as const;
export type ProofKind = (typeof PROOF_KINDS)[number];

/**
 * `open`: the shopper can change it; `awaiting-payment`: the page asked the shop's PSP for the
 * amount due and the shop's server has not confirmed yet (customer and points are frozen);
 * `outcome-unknown`: a payment was sent and its outcome is being settled with the provider;
 * `paid`; `review`: money was taken but the loyalty sale could not be recorded (the shop
 * checks it); `cancelled` by the shop's server.
 */
export const CHECKOUT_STATUSES = ['open', 'awaiting-payment', 'outcome-unknown', 'paid', 'review', 'cancelled'] as const;
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

export const LEVEL_TYPES = ['cashback', 'discount'] as const;

/** Header that makes a money-moving call safe to retry: same key, same result, one upstream call. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * The page proves which checkout it may touch with the checkout's client secret, sent as
 * `Authorization: Bearer <clientSecret>`. The secret starts with the checkout's id
 * (`<id>_secret_<random>`), so the widget needs nothing else.
 */
export const checkoutIdOf = (clientSecret: string): string => clientSecret.split('_secret_')[0] ?? '';

/** A till's staff credential (POS mode), issued by the shop's server; sent beside the client secret. */
export const TILL_HEADER = 'Checkout-Till-Credential';

/** Paths of the page API, under the configured endpoint. */
export const paths = {
  capabilities: () => `/${PROTOCOL_VERSION}/capabilities`,
  checkout: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}`,
  customer: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/customer`,
  verification: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/customer/verification`,
  spend: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/spend`,
  catalog: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/catalog`,
  /** The page asks the shop's PSP for the amount due: the checkout waits for the shop's confirmation. */
  paymentRequest: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/payment-request`,
  payments: (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/payments`,
} as const;

/** Paths of the shop's server API (`Authorization: Bearer <secret key>`), under the configured endpoint. */
export const serverPaths = {
  checkouts: () => `/${PROTOCOL_VERSION}/server/checkouts`,
  checkout: (id: string) => `/${PROTOCOL_VERSION}/server/checkouts/${encodeURIComponent(id)}`,
  cancel: (id: string) => `/${PROTOCOL_VERSION}/server/checkouts/${encodeURIComponent(id)}/cancel`,
  payments: (id: string) => `/${PROTOCOL_VERSION}/server/checkouts/${encodeURIComponent(id)}/payments`,
  resolve: (id: string) => `/${PROTOCOL_VERSION}/server/checkouts/${encodeURIComponent(id)}/resolve`,
  tillCredentials: () => `/${PROTOCOL_VERSION}/server/till-credentials`,
  webhookEvents: () => `/${PROTOCOL_VERSION}/server/webhook-events`,
  redeliver: (id: string) => `/${PROTOCOL_VERSION}/server/webhook-events/${encodeURIComponent(id)}/redeliver`,
} as const;

export const INSTALMENT_KINDS = ['split', 'credit', 'deferred'] as const;
export type InstalmentKind = (typeof INSTALMENT_KINDS)[number];

/**
 * Why no offer is shown: `not-eligible` (the provider declined and gives no reason),
 * `refused` (the provider found the request invalid; `detail` has its words), `no-customer`
 * (the shop has no identity to check yet), `unverified` (the customer found is not proven to
 * be the shopper: their identity is not checked in their name), `nothing-due` (points cover
 * the whole order), `debt` (the customer must settle an outstanding balance first).
 */
export const INSTALMENT_REASONS = ['not-eligible', 'refused', 'no-customer', 'unverified', 'nothing-due', 'debt'] as const;
export type InstalmentReason = (typeof INSTALMENT_REASONS)[number];

/**
 * `redirected`: the shopper was sent to the provider's page; `pending`: the provider has not
 * decided yet; `paid`: confirmed and recorded; `refused`/`cancelled`: nothing charged, points
 * released; `review`: confirmed for an amount that no longer matches the order (the shop checks it).
 */
export const INSTALMENT_PAYMENT_STATUSES = ['redirected', 'pending', 'paid', 'refused', 'cancelled', 'review'] as const;
export type InstalmentPaymentStatus = (typeof INSTALMENT_PAYMENT_STATUSES)[number];

// Pay in instalments' paths (`instalmentPaths`) are in ./instalment-paths.ts, so that only the
// instalments chunk carries them.

/**
 * Errors on the wire are RFC 9457 `application/problem+json` documents. `type` is one of
 * the closed set below (relative URIs under the proxy's endpoint); `errors` carries
 * per-field messages so the widget can show them next to the right input.
 */
export const PROBLEM_TYPES = [
  'validation', // 400: the request is malformed or a field is invalid
  'unauthorized', // 401: no or a wrong client secret / secret key (an unknown checkout looks the same)
  'forbidden', // 403: this caller may not do this (a web page recording a card payment)
  'proof-required', // 403: spending points needs proof that the shopper owns the account
  'not-found', // 404: unknown cart, checkout or customer
  'conflict', // 409: the checkout is not in a state that allows this call
  'idempotency-mismatch', // 422: same Idempotency-Key, different request
  'idempotency-in-progress', // 409: same key is still being processed
  'rejected', // 422: the provider refused the operation (business rule)
  'rate-limited', // 429
  'upstream-unavailable', // 502/503/504: the provider failed or timed out
  'payment-outcome-unknown', // 502: the provider may have committed; ask for status before retrying
  'amount-changed', // 409: the amount due is not what the caller agreed to pay (re-read the checkout)
  'not-supported', // 404: the configured provider cannot do this
  'internal', // 500
] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** The short name of a problem type URI (`…/problems/rejected` → `rejected`). */
export function problemKind(problem: { type: string }): ProblemType | 'unknown' {
  const name = problem.type.split('/').pop() as ProblemType;
  return (PROBLEM_TYPES as readonly string[]).includes(name) ? name : 'unknown';
}
