import type { FieldError } from '../../../protocol/index.js';
import { FLOA_CIVILITIES, FLOA_COUNTRIES, type FloaCountry, type FloaCustomer } from './types.js';

/**
 * FLOA's per-country rules for the eligibility request, from the table of
 * `shared/providers/floa-eligibility.txt`, checked on the server before any call so the
 * shopper gets every problem at once and FLOA never sees an invalid request.
 *
 * Pure: `checkCountryRules` reads its input and returns field errors (`field` is the path in
 * `FloaCustomer`, e.g. `customer.homeAddress.zipCode`); an empty list means "valid".
 *
 * Reading of the table where it is garbled: the `email` row lost its field name and the
 * `homeAddress` row its Belgian cell; both are read as mandatory for all five countries
 * (the homeAddress sub-table marks line1/zipCode/city/countryCode mandatory for Belgium).
 */

export interface CountryRulesInput {
  /** The order's country (the merchant site's country). */
  country: string;
  customer: FloaCustomer;
  /** Today as `YYYY-MM-DD` (birth dates after it are refused); defaults to the clock. */
  today?: string;
}

/** Birth zip code: mandatory for FR, IT, BE; optional for ES; always "99" for PT. */
const BIRTH_ZIP_MANDATORY: ReadonlySet<string> = new Set(['FR', 'IT', 'BE']);
/** National id: mandatory for ES, IT, PT; not applicable (not sent) for FR and BE. */
const NATIONAL_ID_MANDATORY: ReadonlySet<string> = new Set(['ES', 'IT', 'PT']);
/** Exact phone lengths, where the document gives one. */
const HOME_PHONE_LENGTH: Partial<Record<FloaCountry, number>> = { ES: 9, PT: 9, IT: 6 };
const CELL_PHONE_LENGTH: Partial<Record<FloaCountry, number>> = { ES: 9, PT: 9, IT: 9 };
const PHONE_MAX = 13;
/** Home address zip code by the address's country: FR "Length … FR: 5" (KO example), string(5), BE 4, PT xxxx-xxx. */
const ZIP_RULES: Record<string, { test: (zip: string) => boolean; message: string }> = {
  FR: { test: (z) => z.length === 5, message: 'Zip code is mandatory. Length of characters accepted for country code FR: 5.' },
  ES: { test: (z) => z.length === 5, message: 'Zip code is mandatory. Length of characters accepted for country code ES: 5.' },
  IT: { test: (z) => z.length === 5, message: 'Zip code is mandatory. Length of characters accepted for country code IT: 5.' },
  BE: { test: (z) => z.length === 4, message: 'Zip code is mandatory. Length of characters accepted for country code BE: 4.' },
  PT: { test: (z) => /^\d{4}-\d{3}$/.test(z), message: 'Zip code is mandatory. Format accepted for country code PT: xxxx-xxx.' },
};
/** Calling codes, to bring international numbers to the national form the document's examples use. */
const CALLING_CODE: Record<FloaCountry, string> = { FR: '33', ES: '34', IT: '39', PT: '351', BE: '32' };
/** Countries whose national numbers keep a trunk "0" (0612345678); ES, IT and PT numbers have none. */
const TRUNK_ZERO: ReadonlySet<string> = new Set(['FR', 'BE']);

export function isFloaCountry(value: string): value is FloaCountry {
  return (FLOA_COUNTRIES as readonly string[]).includes(value);
}

/**
 * Brings a customer record to the form FLOA expects before the rules run: trimmed strings,
 * phones in national form without separators, upper-case country codes, the birth name
 * defaulted (see `FloaCustomer.birthName`), "99" as the Portuguese birth zip code, and the
 * fields the country does not take (secondLastName outside ES, nationalId for FR/BE) dropped.
 */
export function normaliseCustomer(customer: FloaCustomer, country: string): FloaCustomer {
  const trim = (value: string | undefined) => (value === undefined ? undefined : value.trim() || undefined);
  const phone = (value: string | undefined) => (value === undefined ? undefined : nationalPhone(value, country));
  const address = customer.homeAddress ?? ({} as FloaCustomer['homeAddress']);
  const out: FloaCustomer = {
    ...customer,
    reference: customer.reference?.trim() ?? '',
    firstName: customer.firstName?.trim() ?? '',
    lastName: customer.lastName?.trim() ?? '',
    email: customer.email?.trim() ?? '',
    birthDate: customer.birthDate?.trim() ?? '',
    birthName: trim(customer.birthName) ?? (customer.civility === 'Mrs' ? undefined : trim(customer.lastName)),
    secondLastName: country === 'ES' ? trim(customer.secondLastName) : undefined,
    nationalId: NATIONAL_ID_MANDATORY.has(country) ? trim(customer.nationalId)?.toUpperCase() : undefined,
    // "Always 99 for Portuguese order."
    birthZipCode: country === 'PT' ? (trim(customer.birthZipCode) ?? '99') : trim(customer.birthZipCode),
    birthCountry: trim(customer.birthCountry)?.toUpperCase(),
    homePhoneNumber: phone(trim(customer.homePhoneNumber)),
    cellPhoneNumber: phone(trim(customer.cellPhoneNumber)),
    homeAddress: {
      ...address,
      line1: address.line1?.trim() ?? '',
      zipCode: address.zipCode?.trim() ?? '',
      city: address.city?.trim() ?? '',
      countryCode: address.countryCode?.trim().toUpperCase() ?? '',
    },
  };
  // Optional keys set to undefined would show up as "present" to `in` checks; drop them.
  for (const key of Object.keys(out) as Array<keyof FloaCustomer>) if (out[key] === undefined) delete out[key];
  return out;
}

/** "+34 612 34 56 78" → "612345678"; "+33 6 12 34 56 78" → "0612345678". Separators dropped. */
export function nationalPhone(raw: string, country: string): string {
  let digits = raw.replace(/[\s.\-/()]/g, '');
  const code = isFloaCountry(country) ? CALLING_CODE[country] : undefined;
  if (code) {
    const prefix = [`+${code}`, `00${code}`].find((p) => digits.startsWith(p));
    if (prefix) digits = (TRUNK_ZERO.has(country) ? '0' : '') + digits.slice(prefix.length).replace(/^0/, '');
  }
  return digits;
}

/** Every rule of the document's table that `input` breaks. */
export function checkCountryRules(input: CountryRulesInput): FieldError[] {
  const { country, customer: c } = input;
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field: `customer.${field}`, message });
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';

  if (!isFloaCountry(country)) {
    errors.push({ field: 'country', message: `FLOA serves orders from ${FLOA_COUNTRIES.join(', ')}; not "${country}".` });
    return errors;
  }

  // Mandatory in every country.
  if (!(FLOA_CIVILITIES as readonly string[]).includes(c.civility)) fail('civility', 'Civility is mandatory. Values accepted: Mr, Mrs, Ms.');
  if (blank(c.lastName)) fail('lastName', 'Last name is mandatory.');
  if (blank(c.firstName)) fail('firstName', 'First name is mandatory.');
  if (blank(c.birthName)) fail('birthName', 'Birth name is mandatory.');
  if (blank(c.reference)) fail('reference', 'Customer reference is mandatory.');
  else if (c.reference.length > 30) fail('reference', 'Customer reference is too long (30 characters max).');
  if (blank(c.email)) fail('email', 'Email is mandatory.');
  else if (c.email.length > 60 || !/^[^\s@]+@[^\s@]+$/.test(c.email)) fail('email', 'Email is invalid (60 characters max).');
  checkBirthDate(c.birthDate, input.today ?? new Date().toISOString().slice(0, 10), fail);

  checkBirthZipCode(country, c, fail);
  checkPhones(country, c, fail);

  if (NATIONAL_ID_MANDATORY.has(country) && blank(c.nationalId)) fail('nationalId', `National id is mandatory for country code ${country}.`);

  checkHomeAddress(c.homeAddress, fail);
  return errors;
}

function checkBirthDate(value: string | undefined, today: string, fail: (field: string, message: string) => void): void {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return fail('birthDate', 'Birth date is mandatory (YYYY-MM-DD).');
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return fail('birthDate', 'Birth date is not a valid date.');
  if (value > today) fail('birthDate', 'Birth date is in the future.');
}

/**
 * "Must contain 2, 3 or 5 characters. Must be 99 if not in France. Must be 972 for Martinique.
 * Must be 06000 for Nice and not 6000. Always 99 for Portuguese order."
 */
function checkBirthZipCode(country: FloaCountry, c: FloaCustomer, fail: (field: string, message: string) => void): void {
  const zip = c.birthZipCode;
  if (zip === undefined || zip === '') {
    if (BIRTH_ZIP_MANDATORY.has(country)) fail('birthZipCode', `Birth zip code is mandatory for country code ${country}.`);
    return;
  }
  if (country === 'PT' && zip !== '99') return fail('birthZipCode', 'Birth zip code must be 99 for Portuguese orders.');
  if (zip.length === 4 && /^\d{4}$/.test(zip)) {
    return fail('birthZipCode', `Birth zip code must contain 2, 3 or 5 characters: keep the leading zero ("0${zip}", not "${zip}").`);
  }
  if (![2, 3, 5].includes(zip.length)) return fail('birthZipCode', 'Birth zip code must contain 2, 3 or 5 characters.');
  // Overseas departments are 3 characters (972 Martinique); "97" alone names none of them.
  if (zip === '97') return fail('birthZipCode', 'Birth zip code of an overseas department has 3 characters (972 for Martinique).');
  if (c.birthCountry && c.birthCountry !== 'FR' && zip !== '99') fail('birthZipCode', 'Birth zip code must be 99 when born outside France.');
  if (c.birthCountry === 'FR' && zip === '99') fail('birthZipCode', 'Birth zip code cannot be 99 when born in France: give the department or postal code.');
}

/** One of the two phones; ≤ 13 characters; exact lengths for ES, PT (9) and IT (home 6, cell 9). */
function checkPhones(country: FloaCountry, c: FloaCustomer, fail: (field: string, message: string) => void): void {
  const home = c.homePhoneNumber;
  const cell = c.cellPhoneNumber;
  if (!home && !cell) {
    fail('cellPhoneNumber', 'Home phone number or cell phone number is mandatory.');
    return;
  }
  const check = (field: 'homePhoneNumber' | 'cellPhoneNumber', value: string | undefined, exact: number | undefined, label: string) => {
    if (!value) return;
    if (exact !== undefined) {
      if (!new RegExp(`^\\d{${exact}}$`).test(value)) fail(field, `${label} is invalid. Only numbers with ${exact} characters are accepted for country code ${country}.`);
    } else if (value.length > PHONE_MAX || !/^\+?\d+$/.test(value)) {
      fail(field, `${label} is invalid (digits only, ${PHONE_MAX} characters max).`);
    }
  };
  check('homePhoneNumber', home, HOME_PHONE_LENGTH[country], 'Home phone number');
  check('cellPhoneNumber', cell, CELL_PHONE_LENGTH[country], 'Cell phone number');
}

function checkHomeAddress(address: FloaCustomer['homeAddress'] | undefined, fail: (field: string, message: string) => void): void {
  const a = address ?? ({} as FloaCustomer['homeAddress']);
  if (!a.line1) fail('homeAddress.line1', 'Address line 1 is mandatory.');
  for (const key of ['line1', 'line2', 'line3', 'line4'] as const) {
    if ((a[key]?.length ?? 0) > 32) fail(`homeAddress.${key}`, 'Address lines have 32 characters max.');
  }
  if (!a.city) fail('homeAddress.city', 'City is mandatory.');
  else if (a.city.length > 50) fail('homeAddress.city', 'City has 50 characters max.');
  if (!a.countryCode || !/^[A-Z]{2}$/.test(a.countryCode)) fail('homeAddress.countryCode', 'Country code is mandatory (ISO 3166, e.g. "FR").');
  const rule = ZIP_RULES[a.countryCode ?? ''];
  if (!a.zipCode) fail('homeAddress.zipCode', rule?.message ?? 'Zip code is mandatory.');
  else if (rule && !rule.test(a.zipCode)) fail('homeAddress.zipCode', rule.message);
}
