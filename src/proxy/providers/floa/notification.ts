import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProblemError } from '../../problems.js';
import type { FloaNotification, FloaPaymentStatus, FloaScheduleItem } from './types.js';

/**
 * FLOA's signed payment notification (NOTES § FLOA): a form POST with `orderRef`, `amount`
 * (cents), `returnCode`, schedule fields and `hmac` = HMAC-SHA1 with the merchant secret,
 * upper-case hex, over the field values joined by `*`.
 *
 * Not in our documents, so options of the adapter (docs/providers/floa.md):
 * - which fields are sealed, and in what order: by default every posted field but `hmac`, in
 *   the order received, each trimmed, UTF-8; `sealFields` pins an explicit list instead (a
 *   missing field then counts as empty);
 * - how the secret becomes the key: NOTES says "with the merchant secret", so by default its
 *   text (UTF-8) is the key; `keyEncoding: 'hex'` uses a hexadecimal secret's bytes instead;
 * - the names of the merchant site and schedule fields (NOTES names only `orderRef`, `amount`,
 *   `returnCode` and `hmac`).
 */

export type FormFields = URLSearchParams | Iterable<readonly [string, string]> | Record<string, string>;

export interface NotificationFieldNames {
  /** The merchant site field (the documents spell the id `merchantSiteId` everywhere). */
  merchantSiteId: string;
  /** Schedule fields; `{n}` is the instalment's rank, from 1. */
  scheduleDate: string;
  scheduleAmount: string;
}

export const DEFAULT_NOTIFICATION_FIELDS: NotificationFieldNames = { merchantSiteId: 'merchantSiteId', scheduleDate: 'scheduleDate{n}', scheduleAmount: 'scheduleAmount{n}' };

export interface SealOptions {
  /** The merchant secret as key bytes (see `sealKey`). */
  key: Buffer;
  /** Explicit sealed fields, in order; default: all posted fields but `hmac`, as received. */
  sealFields?: readonly string[];
  /** Names of the fields read besides NOTES' own (default `DEFAULT_NOTIFICATION_FIELDS`). */
  fields?: NotificationFieldNames;
}

/** 0 OK, 1 refused, 2 refused by the bank, 3 failed, 4 pending, 5 unknown, 6 cancelled. */
export function statusOfReturnCode(code: number): FloaPaymentStatus {
  switch (code) {
    case 0:
      return 'paid';
    case 1:
    case 2:
    case 3:
      return 'refused';
    case 4:
      return 'pending';
    case 6:
      return 'cancelled';
    default:
      return 'unknown';
  }
}

export function sealKey(secret: string, keyEncoding: 'hex' | 'utf8'): Buffer {
  if (keyEncoding === 'hex') {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(secret)) throw new RangeError('The FLOA HMAC secret must be hexadecimal (keyEncoding "hex").');
    return Buffer.from(secret, 'hex');
  }
  return Buffer.from(secret, 'utf8');
}

/** The seal of `values`: HMAC-SHA1 of the trimmed values joined by `*`, upper-case hex. */
export function computeSeal(values: readonly string[], key: Buffer): string {
  const data = values.map((v) => v.trim()).join('*');
  return createHmac('sha1', key).update(data, 'utf8').digest('hex').toUpperCase();
}

export function formEntries(fields: FormFields): Array<[string, string]> {
  if (fields instanceof URLSearchParams) return [...fields.entries()];
  if (Symbol.iterator in Object(fields)) return [...(fields as Iterable<readonly [string, string]>)].map(([k, v]) => [k, v]);
  return Object.entries(fields as Record<string, string>).map(([k, v]) => [k, String(v)]);
}

/** Compares two seals without leaking where they differ. */
export function sealsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim().toUpperCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks the seal and reads the notification. Throws a `validation` problem for a missing or
 * wrong seal or missing fields: the caller answers 400 and records nothing. A valid seal is
 * not a payment: re-read the result (`paymentResult`) before recording the sale.
 */
export function verifyNotification(fields: FormFields, options: SealOptions, currency = 'EUR'): FloaNotification {
  const entries = formEntries(fields);
  const get = (name: string) => entries.find(([k]) => k === name)?.[1];
  const hmac = get('hmac');
  if (!hmac) throw invalid('The notification has no hmac seal.');
  const values = options.sealFields
    ? options.sealFields.map((name) => get(name) ?? '')
    : entries.filter(([k]) => k !== 'hmac').map(([, v]) => v);
  if (!sealsEqual(hmac, computeSeal(values, options.key))) {
    throw invalid('The notification seal does not match: it was not sent by FLOA or was altered.');
  }

  const orderRef = get('orderRef');
  const amount = Number(get('amount'));
  const returnCode = Number(get('returnCode'));
  if (!orderRef || !Number.isSafeInteger(amount) || amount < 0 || !Number.isInteger(returnCode) || get('returnCode') === '') {
    throw invalid('The notification lacks orderRef, amount or returnCode.');
  }
  const names = options.fields ?? DEFAULT_NOTIFICATION_FIELDS;
  const optional = (key: string, name: string) => (get(name) ? { [key]: get(name)! } : {});
  return {
    orderRef,
    amount: { amount, currency },
    returnCode,
    status: statusOfReturnCode(returnCode),
    ...optional('merchantSiteId', names.merchantSiteId),
    // NOTES names these in the payment session; read when the notification carries them.
    ...optional('paymentOptionRef', 'paymentOptionRef'),
    ...optional('scoringToken', 'scoringToken'),
    schedule: scheduleOf(get, names, currency),
  };
}

/** `scheduleDate1`/`scheduleAmount1`, `scheduleDate2`/… (by default) → the schedule, where present. */
function scheduleOf(get: (name: string) => string | undefined, names: NotificationFieldNames, currency: string): FloaScheduleItem[] {
  const schedule: FloaScheduleItem[] = [];
  for (let rank = 1; rank <= 60; rank++) {
    const date = get(names.scheduleDate.replace('{n}', String(rank)));
    const amount = Number(get(names.scheduleAmount.replace('{n}', String(rank))));
    if (!date || !Number.isSafeInteger(amount)) break;
    schedule.push({ dueDate: date.slice(0, 10), amount: { amount, currency } });
  }
  return schedule;
}

function invalid(message: string): ProblemError {
  return new ProblemError('validation', message, { errors: [{ field: 'hmac', message }] });
}
