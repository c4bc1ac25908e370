/**
 * `next`, with every part that is equal (deeply) to the same part of `previous` replaced by
 * that part of `previous`; `previous` itself when nothing differs. A reply that repeats what
 * the session already has keeps its objects' identity, so an element compares the parts it
 * shows with `===` and renders only when one of them really changed.
 */
export function share<T>(previous: unknown, next: T): T {
  if (previous === next || !previous || !next || typeof previous !== 'object' || typeof next !== 'object' || Array.isArray(previous) !== Array.isArray(next)) return next;
  const before = previous as Record<string, unknown>;
  const result = (Array.isArray(next) ? [] : {}) as Record<string, unknown>;
  let same = Object.keys(before).length === Object.keys(next).length;
  for (const [key, value] of Object.entries(next)) {
    result[key] = share(before[key], value);
    same &&= key in before && result[key] === before[key];
  }
  return (same ? previous : result) as T;
}
