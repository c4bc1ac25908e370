import * as z from 'zod/mini';

/**
 * Money on the wire is always an integer number of minor units (cents, kopecks…) plus an
 * ISO 4217 currency code. Providers that speak decimals are converted at the adapter edge
 * (see `src/proxy/providers/units.ts`), never here.
 */
export const CurrencyCode = /* @__PURE__ */ z.string().check(z.regex(/^[A-Z]{3}$/));

/** `z.int()` already refuses anything beyond Number.MAX_SAFE_INTEGER. */
export const MinorUnits = /* @__PURE__ */ z.int().check(z.minimum(0));

export const Money = /* @__PURE__ */ z.object({
  amount: MinorUnits,
  currency: CurrencyCode,
});
export type Money = z.infer<typeof Money>;

export const money = (amount: number, currency: string): Money => ({ amount, currency });

/** Number of minor units in one major unit for a currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}
