/**
 * The simulator's own reading and writing of CareCloud times. Deliberately not the adapter's
 * `project-time.ts`: a simulator that shared the adapter's time code would agree with any
 * misreading of it, and no test could show one. The method differs too: a wall time is read by
 * trying the offsets the zone has around that day and keeping the instant that formats back to
 * the same wall time (the adapter corrects one offset guess instead).
 *
 * Forms (carecloud-purchases.txt:56, :90, :304, :399; NOTES.md § CareCloud):
 * - "YYYY-MM-DD HH:MM:SS", a wall time without an offset (purchase `payment_time`, filters,
 *   token `valid_to`, reservation `expiration_time`);
 * - ISO 8601 with an offset ("2016-06-30T15:51:49+02:00", or "15:5:49" as in the rewards example).
 */

const wallFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallFormats.set(timeZone, format);
  }
  return format;
}

/** The zone's offset at `ms` in minutes, read from the zone's own name of it ("GMT+01:00"). */
function offsetMinutes(ms: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(name);
  if (!match || !match[1]) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** Epoch ms → "YYYY-MM-DD HH:MM:SS" as a clock in `timeZone` shows it. */
export function wallTime(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(wallFormat(timeZone).formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * "YYYY-MM-DD HH:MM:SS" (seconds optional) read as a clock in `timeZone` → epoch ms, or
 * `undefined` when it is not such a time or that clock never shows it (a DST gap). A time the
 * clock shows twice (the autumn hour) is the first of the two.
 */
export function readWallTime(text: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const normal = `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6] ?? '00'}`;
  const asUtc = Date.parse(`${normal.replace(' ', 'T')}Z`);
  if (Number.isNaN(asUtc)) return undefined;
  const day = 86_400_000;
  const offsets = new Set([offsetMinutes(asUtc - day, timeZone), offsetMinutes(asUtc, timeZone), offsetMinutes(asUtc + day, timeZone)]);
  const instants = [...offsets].map((minutes) => asUtc - minutes * 60_000).filter((ms) => wallTime(ms, timeZone) === normal);
  return instants.length ? Math.min(...instants) : undefined;
}

/** ISO 8601 with an offset or "Z" → epoch ms; one-digit parts as the rewards example writes them ("15:5:49"). */
export function readOffsetTime(text: string): number | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(text.trim());
  if (!match) return undefined;
  const two = (v: string) => v.padStart(2, '0');
  const zone = match[8] === 'Z' ? 'Z' : `${match[8]!.slice(0, 3)}:${match[8]!.slice(3).replace(':', '').padEnd(2, '0')}`;
  const ms = Date.parse(`${match[1]}-${two(match[2]!)}-${two(match[3]!)}T${two(match[4]!)}:${two(match[5]!)}:${two(match[6]!)}${match[7] ?? ''}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}
