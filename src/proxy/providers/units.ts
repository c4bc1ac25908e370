import { minorDigits } from '../../protocol/index.js';

/**
 * Exact conversions between the protocol's integer minor units and a provider's decimals.
 * No floating-point arithmetic on amounts: decimals are handled as digit strings.
 */

/** 1999 EUR → "19.99"; 5 JPY → "5". */
export function minorToDecimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Not an integer amount of minor units: ${minor}`);
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? sign + abs : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** Same as `minorToDecimal`, as a JSON number for providers that want numbers (1999 → 19.99). */
export function minorToNumber(minor: number, currency: string): number {
  return Number(minorToDecimal(minor, currency));
}

/**
 * "19.99" or 19.99 → 1999. Extra decimals are rounded half away from zero
 * ("0.125" EUR → 13), never truncated silently by float error.
 */
export function decimalToMinor(value: string | number, currency: string): number {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new RangeError(`Not a decimal amount: ${JSON.stringify(value)}`);
  const [, sign, whole = '', fraction = ''] = match;
  const digits = minorDigits(currency);
  const kept = (fraction + '0'.repeat(digits)).slice(0, digits);
  let minor = Number(`${whole || '0'}${kept}`);
  if (fraction.length > digits && Number(fraction[digits]) >= 5) minor += 1;
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Amount out of range: ${JSON.stringify(value)}`);
  return sign === '-' && minor !== 0 ? -minor : minor;
}

/** A JS number as plain decimal digits (no exponent): 1e-7 → "0.0000001". */
function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite amount: ${value}`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}
