import { ProblemError } from './problems.js';

export interface RateLimitOptions {
  /** Calls allowed per key in one window. */
  limit: number;
  windowMs: number;
}

/** A fixed-window counter per key, in memory (per proxy instance). */
export function createRateLimiter({ limit, windowMs }: RateLimitOptions) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts one call for `key`, or throws a 429 problem with `Retry-After`. */
    take(key: string): void {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        if (windows.size > 50_000) windows.clear();
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
