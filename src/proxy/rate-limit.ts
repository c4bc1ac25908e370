import { ProblemError } from './problems.js';

export interface RateLimitOptions {
  /** Calls allowed per key in one window. */
  limit: number;
  windowMs: number;
}

/** A fixed-window counter per key, in memory (per proxy instance). */
export function createRateLimiter({ limit, windowMs, maxKeys = 50_000 }: RateLimitOptions & { maxKeys?: number }) {
  const windows = new Map<string, { start: number; count: number }>();
  /**
   * Bounded memory. Expired windows go first; if the map is still full (many clients within
   * one window), the oldest go: clearing everything would let one client who cycles through
   * addresses reset the counters of all the others.
   */
  const makeRoom = (now: number) => {
    for (const [key, window] of windows) if (now - window.start >= windowMs) windows.delete(key);
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };
  return {
    /** Counts one call for `key`, or throws a 429 problem with `Retry-After`. */
    take(key: string): void {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        if (window) windows.delete(key);
        else if (windows.size >= maxKeys) makeRoom(now);
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count > limit) {
        const retryAfter = Math.ceil((window.start + windowMs - now) / 1000);
        throw new ProblemError('rate-limited', `Too many lookups; try again in ${retryAfter} s.`, { headers: { 'Retry-After': String(retryAfter) } });
      }
    },
  };
}
