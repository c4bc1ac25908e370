import * as z from 'zod/mini';
import { MinorUnits } from './money.js';
import { PAYMENT_METHODS } from './schemas.js';

/**
 * Request bodies of the v1 contract. The proxy validates every request with these; the widget
 * sends them but does not import them, which keeps their checks out of the browser bundle.
 */
const Id = /* @__PURE__ */ z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'Expected 1–128 letters, digits, dot, colon, dash or underscore.'));

export const CreateCheckoutRequest = /* @__PURE__ */ z.object({ cartId: Id });
export type CreateCheckoutRequest = z.infer<typeof CreateCheckoutRequest>;

export const LookupRequest = /* @__PURE__ */ z.object({
  query: z.string().check(z.trim(), z.minLength(3, 'Enter at least 3 characters.'), z.maxLength(100, 'Enter at most 100 characters.')),
});
export type LookupRequest = z.infer<typeof LookupRequest>;

export const SpendRequest = /* @__PURE__ */ z.object({ amount: MinorUnits });
export type SpendRequest = z.infer<typeof SpendRequest>;

const Detail = /* @__PURE__ */ z.string().check(z.trim(), z.minLength(1), z.maxLength(64));

/**
 * `cheque` (its bank and number) and `cardNetwork` are recorded at a till (POS mode) where the
 * provider keeps them (Resamania); other providers ignore them.
 */
export const PaymentRequest = /* @__PURE__ */ z.strictObject({
  method: z.enum(PAYMENT_METHODS),
  cheque: z.optional(z.strictObject({ bank: z.optional(Detail), number: z.optional(Detail) })),
  cardNetwork: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'Expected a card network name.'))),
});
export type PaymentRequest = z.infer<typeof PaymentRequest>;

export const IdempotencyKey = /* @__PURE__ */ z.string().check(z.regex(/^[\x21-\x7e]{8,255}$/, 'Expected 8–255 visible ASCII characters.'));

