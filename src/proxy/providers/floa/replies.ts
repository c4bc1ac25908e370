import type { FloaScheduleItem } from './types.js';

/**
 * Defensive readers for FLOA replies whose shape our documents do not give. Every field name
 * they read comes from the adapter's options (with a documented default, see
 * `docs/providers/floa.md`); a reply they cannot read gives `undefined`, never a guess.
 */

/** `value` at a dotted path (`"a.b.0.c"`); `''` is `value` itself. */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Integer cents: a safe integer, or a string of digits (JSON written by other stacks). */
export function readCents(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** An integer code (`returnCode`): a number or a string of digits. */
export function readCode(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** `YYYY-MM-DD` of a date or date-time string that names a real day. */
export function readDay(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value.trim());
  if (!m) return undefined;
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return day.toISOString().slice(0, 10) === `${m[1]}-${m[2]}-${m[3]}` ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

export interface InstallmentPlanFields {
  /** Dotted path of the instalment list in the reply (`''`: the reply is the list). */
  list: string;
  /** Each instalment's due date (date or date-time). */
  date: string;
  /** Each instalment's amount, in cents. */
  amount: string;
}

/**
 * The instalments of a `get-eligibility-installment-plan` reply (floa-eligibility.txt:371-373,
 * shape undocumented), in due-date order; `undefined` unless every instalment has a readable
 * date and amount. A bare array is read as the list whatever `fields.list` says.
 */
export function readInstallmentPlan(reply: unknown, fields: InstallmentPlanFields, currency: string): FloaScheduleItem[] | undefined {
  const list = Array.isArray(reply) ? reply : readPath(reply, fields.list);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const schedule: FloaScheduleItem[] = [];
  for (const item of list) {
    const dueDate = readDay(readPath(item, fields.date));
    const amount = readCents(readPath(item, fields.amount));
    if (dueDate === undefined || amount === undefined) return undefined;
    schedule.push({ dueDate, amount: { amount, currency } });
  }
  return schedule.sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}
