import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LocalQueue, type CheckoutRecord, type CheckoutStore } from '../checkouts.js';
import { ProblemError } from '../problems.js';
import { redisScript } from './redis-script.js';

export interface RedisCheckoutStoreOptions {
  /** Key prefix shared by the proxy's keys (default `checkout:`). */
  prefix?: string;
  /** How long a checkout lives after its creation (default 24 h). */
  ttlMs?: number;
  /**
   * Lifetime of a lock that is not renewed (default 30 s). The holder renews it every third of
   * that while its task runs, so only a crashed instance's lock lapses, after at most this.
   */
  lockTtlMs?: number;
  /** How long a call waits for another instance's lock before a 409 (default 20 s). */
  lockWaitMs?: number;
}

/** Deletes the lock only if it still holds our token (not a lock someone took after ours lapsed). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
/** Extends the lock only if it is still ours. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * Checkouts in Redis, for several proxy instances behind a load balancer: the record (with
 * its customer, quote, hold and payment attempt, so a hold survives the instance that made
 * it) as one JSON string expiring with the checkout, and a distributed lock per checkout:
 * `SET NX PX` with a random token, renewed while held, released by a Lua compare-and-delete.
 * Calls on one instance queue locally first, so an instance waits on Redis once at a time.
 */
export class RedisCheckoutStore implements CheckoutStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #queue = new LocalQueue();
  readonly #release: (...args: Array<string | number>) => Promise<unknown>;
  readonly #renew: (...args: Array<string | number>) => Promise<unknown>;

  constructor(redis: Redis, options: RedisCheckoutStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'checkout:';
    this.#ttlMs = options.ttlMs ?? 24 * 3600_000;
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.#lockWaitMs = options.lockWaitMs ?? 20_000;
    this.#release = redisScript(redis, 'lockRelease', 1, RELEASE);
    this.#renew = redisScript(redis, 'lockRenew', 1, RENEW);
  }

  async get(id: string): Promise<CheckoutRecord | undefined> {
    const raw = await this.#redis.get(this.#recordKey(id));
    return raw ? (JSON.parse(raw) as CheckoutRecord) : undefined;
  }

  async save(record: CheckoutRecord): Promise<void> {
    const ttl = Math.max(1, record.createdAt + this.#ttlMs - Date.now());
    await this.#redis.set(this.#recordKey(record.id), JSON.stringify(record), 'PX', ttl);
  }

  withLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    return this.#queue.run(id, () => this.#withRedisLock(id, task));
  }

  async #withRedisLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    const key = `${this.#prefix}lock:${id}`;
    const token = randomUUID();
    const deadline = Date.now() + this.#lockWaitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      if ((await this.#redis.set(key, token, 'PX', this.#lockTtlMs, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) {
        throw new ProblemError('conflict', 'This checkout is busy with another request; try again in a moment.', { retryable: true, headers: { 'Retry-After': '1' } });
      }
      // Jitter, so instances waiting on one checkout do not poll in step.
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * delay));
    }
    // Renewed while the task runs: a slow provider call must not let another instance in.
    const renewal = setInterval(() => void this.#renew(key, token, this.#lockTtlMs).catch(() => undefined), Math.max(50, this.#lockTtlMs / 3));
    try {
      return await task();
    } finally {
      clearInterval(renewal);
      // If Redis cannot be reached now, the lock lapses on its own after its TTL.
      await this.#release(key, token).catch(() => undefined);
    }
  }

  #recordKey(id: string): string {
    return `${this.#prefix}record:${id}`;
  }
}
