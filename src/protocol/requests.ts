import * as z from 'zod/mini';
import { MinorUnits } from './money.js';
import { PAYMENT_METHODS } from './schemas.js';

/**
 * Request bodies of the page API (v1). The proxy validates every request with these; the widget
 * sends them but does not import them, which keeps their checks out of the browser bundle.
 * The shop's server API has its own schemas in `./server.ts`.
 */
export const Id = /* @__PURE__ */ z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'Expected 1–128 letters, digits, dot, colon, dash or underscore.'));

export const LookupRequest = /* @__PURE__ */ z.object({
  query: z.string().check(z.trim(), z.minLength(3, 'Enter at least 3 characters.'), z.maxLength(100, 'Enter at most 100 characters.')),
});
export type LookupRequest = z.infer<typeof LookupRequest>;

/** A pass code, one-time password or app code that proves the shopper owns the account. */
export const VerificationRequest = /* @__PURE__ */ z.object({
  code: z.string().check(z.trim(), z.minLength(1, 'Enter the code.'), z.maxLength(64, 'Enter at most 64 characters.')),
});
export type VerificationRequest = z.infer<typeof VerificationRequest>;

export const SpendRequest = /* @__PURE__ */ z.object({ amount: MinorUnits });
export type SpendRequest = z.infer<typeof SpendRequest>;

const Detail = /* @__PURE__ */ z.string().check(z.trim(), z.minLength(1), z.maxLength(64));

/**
 * A payment the page may record: `none` when nothing is due, or — with a till credential —
 * `card`, `cash` or `cheque` taken at the till. `amount` is the amount due the payer agreed to
 * (minor units): the proxy re-reads the cart and the quote and refuses a payment for another
 * amount. `cheque` (its bank and number) and `cardNetwork` are recorded at a till where the
 * provider keeps them (Resamania); other providers ignore them. (`external` payments are
 * confirmed by the shop's server, never by the page.)
 */
export const PaymentRequest = /* @__PURE__ */ z.strictObject({
  method: z.enum(PAYMENT_METHODS),
  amount: MinorUnits,
  cheque: z.optional(z.strictObject({ bank: z.optional(Detail), number: z.optional(Detail) })),
  cardNetwork: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'Expected a card network name.'))),
});
export type PaymentRequest = z.infer<typeof PaymentRequest>;

export const IdempotencyKey = /* @__PURE__ */ z.string().check(z.regex(/^[\x21-\x7e]{8,255}$/, 'Expected 8–255 visible ASCII characters.'));

