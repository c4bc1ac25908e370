/** Formatting for the page benchmark's output: sizes, times, min / median / max, tables. */

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const ms = (value: number) => (value < 10 ? value.toFixed(1) : String(Math.round(value)));

const median = (sorted: number[]) => {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** `min / median / max`, or with `short` the median alone, its range in brackets when they differ. */
export function range(values: number[], format: (value: number) => string, short = false): string {
  const sorted = [...values].sort((a, b) => a - b);
  const [min, mid, max] = [sorted[0]!, median(sorted), sorted.at(-1)!].map(format);
  if (short) return min === max ? mid! : `${mid} (${min}–${max})`;
  return `${min} / ${mid} / ${max}`;
}

export function printTable(title: string, headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // The last column is free text: not padded.
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  console.log(title);
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
  console.log('');
}
