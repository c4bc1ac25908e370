import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ProblemError } from './problems.js';

export interface RateLimitOptions {
  /** Calls allowed per key in one window. */
  limit: number;
  windowMs: number;
  /** What is limited, in the 429's words ("lookups", "codes"). */
  what: string;
  /** Counters shared by every instance (the limit holds behind a load balancer), else per process. */
  redis?: Redis;
  /** Redis key prefix (the proxy's, plus the limiter's name). */
  keyPrefix: string;
}

/**
 * A fixed-window limiter on the maintained `rate-limiter-flexible`: in Redis when the proxy
 * has Redis (N instances share one count, not N×), in memory otherwise. When Redis fails, the
 * limiter falls back to a per-process count rather than opening the gate.
 */
export function createRateLimiter(options: RateLimitOptions) {
  const base = { points: options.limit, duration: Math.max(1, Math.ceil(options.windowMs / 1000)), keyPrefix: options.keyPrefix };
  const limiter = options.redis ? new RateLimiterRedis({ ...base, storeClient: options.redis, insuranceLimiter: new RateLimiterMemory(base) }) : new RateLimiterMemory(base);
  return {
    /** Throws the 429 now if `key` has used up its window (without counting a call). */
    async check(key: string): Promise<void> {
      const state = await limiter.get(key);
      if (state && state.consumedPoints >= options.limit) {
        const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
        throw new ProblemError('rate-limited', `Too many ${options.what}; try again in ${retryAfter} s.`, { headers: { 'Retry-After': String(retryAfter) } });
      }
    },
    /** Counts one call for `key`, or throws a 429 problem with `Retry-After`. */
    async take(key: string): Promise<void> {
      try {
        await limiter.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new ProblemError('rate-limited', `Too many ${options.what}; try again in ${retryAfter} s.`, { headers: { 'Retry-After': String(retryAfter) } });
      }
    },
    /** Gives back one call counted for `key` (it turned out not to count: a right code). */
    async give(key: string): Promise<void> {
      await limiter.reward(key, 1);
    },
  };
}
