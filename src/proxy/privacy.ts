/**
 * What leaves the proxy about a customer. Lookup is public and can be used to enumerate a
 * loyalty base, so only what the widget shows goes out, masked: "Ivan Petrov" → "Iv** P.",
 * a phone → its last two digits, a card → its last four.
 */
export function maskName(name: string): string {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  const chars = [...first];
  const shown = chars.slice(0, Math.min(2, Math.max(1, chars.length - 1))).join('');
  const head = shown + '*'.repeat(Math.max(0, Math.min(chars.length, 6) - [...shown].length));
  const initials = rest.filter(Boolean).map((word) => `${[...word][0]}.`);
  return [head, ...initials].join(' ');
}

export function maskDigits(value: string, visible: number): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= visible) return '•'.repeat(digits.length);
  return `•••• ${digits.slice(-visible)}`;
}

export interface PrivacyOptions {
  /** Send the full name instead of the masked one (a cashier's till, not a public page). */
  revealName?: boolean;
}
