import * as z from 'zod/mini';

/**
 * Money on the wire is always an integer number of minor units (cents, kopecks…) plus an
 * ISO 4217 currency code. Providers that speak decimals are converted at the adapter edge
 * (see `src/proxy/providers/units.ts`), never here.
 */
export const CurrencyCode = /* @__PURE__ */ z.string().check(z.regex(/^[A-Z]{3}$/));

/** `z.int()` already refuses anything beyond Number.MAX_SAFE_INTEGER. */
export const MinorUnits = /* @__PURE__ */ z.int().check(z.minimum(0));

/**
 * Money in a reply. Checked for its shape only: the proxy builds replies from typed code, and
 * every format check costs bytes in the browser bundle. Requests keep the strict schemas above.
 */
export const Money = /* @__PURE__ */ z.object({
  amount: z.number(),
  currency: z.string(),
});
export type Money = z.infer<typeof Money>;

/**
 * A member of a closed set (`as const` array) in a reply: typed as the union, checked as a
 * string in the browser. Requests validate closed sets with `z.enum` on the server.
 */
export const oneOf = <T extends string>(_values: readonly T[]) => z.string() as unknown as z.ZodMiniType<T, T>;

export const money = (amount: number, currency: string): Money => ({ amount, currency });

const digitsByCurrency = new Map<string, number>();

/** Number of minor units in one major unit for a currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  // Memoised: building an Intl.NumberFormat was the proxy's costliest step per quote.
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}
