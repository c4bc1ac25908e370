/**
 * CareCloud writes times as wall-clock "YYYY-MM-DD HH:MM:SS" in the project's local time zone,
 * without an offset (token `valid_to`, reservation `expiration_time`, purchase `payment_time`),
 * and takes bill times as ISO 8601 with an offset ("2016-06-30T15:51:49+02:00"). These helpers
 * convert between those forms and epoch milliseconds for a given IANA time zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string): [number, number, number, number, number, number] {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(format.formatToParts(ms).find((p) => p.type === type)?.value);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (+02:00 → 7 200 000). */
function offsetAt(ms: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = partsIn(ms, timeZone);
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Epoch ms → "YYYY-MM-DD HH:MM:SS" in the project's zone. */
export function formatProjectTime(ms: number, timeZone: string): string {
  const [y, mo, d, h, mi, s] = partsIn(ms, timeZone);
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** Epoch ms → "YYYY-MM-DDTHH:MM:SS+hh:mm" in the project's zone (the bill's `payment_time`). */
export function formatIsoWithOffset(ms: number, timeZone: string): string {
  const offset = offsetAt(ms, timeZone) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${formatProjectTime(ms, timeZone).replace(' ', 'T')}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "YYYY-MM-DD HH:MM:SS" (or a date alone) in the project's zone → epoch ms; `undefined` if unreadable. */
export function parseProjectTime(text: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = match.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  if (Number.isNaN(wall)) return undefined;
  // The offset depends on the instant; one correction settles it except inside a DST gap.
  let instant = wall - offsetAt(wall, timeZone);
  const corrected = wall - offsetAt(instant, timeZone);
  if (corrected !== instant) instant = corrected;
  return instant;
}

/** ISO 8601 with an offset or "Z" → epoch ms. Accepts the one-digit parts the CareCloud examples show ("15:5:49"). */
export function parseIsoWithOffset(text: string): number | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, zone] = match as unknown as string[];
  const iso = `${y}-${pad(Number(mo))}-${pad(Number(d))}T${pad(Number(h))}:${pad(Number(mi))}:${pad(Number(s))}${zone === 'Z' ? 'Z' : zone!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
