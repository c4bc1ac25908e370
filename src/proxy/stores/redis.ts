import type { Redis } from 'ioredis';
import { CHECKOUT_TTL_MS, heldLock, LocalQueue, type CheckoutRecord, type CheckoutStore } from '../checkout/record.js';
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

/**
 * Takes the lock and hands out the next fencing token: `INCR` of the checkout's fence, kept
 * beside the lock, so every holder gets a larger number than the one before.
 */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  local fence = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return fence
end
return 0
`;
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
 * Writes the record only while our fencing token is the latest: a holder whose lock lapsed (a
 * long GC pause) cannot overwrite its successor's work. In the same step the checkout joins
 * (score: its expiry) or leaves the set of checkouts owing webhooks (ARGV[4] empty).
 */
const FENCED_SAVE = `
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if ARGV[4] == '' then redis.call('ZREM', KEYS[3], ARGV[5]) else redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5]) end
return 1
`;
/** Ties a reference to a checkout unless tied already; returns the checkout it is tied to. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/**
 * Checkouts in Redis, for several proxy instances behind a load balancer: the record (with
 * its customer, quote, hold and payment attempt, so a hold survives the instance that made
 * it) as one JSON string expiring with the checkout, and a distributed lock per checkout:
 * `SET NX PX` with a random token and a fencing token, renewed while held, released by a Lua
 * compare-and-delete. Writes under the lock are fenced; a renewal that fails (the lock was
 * lost, or Redis is gone) stops the work at its next write instead of letting two instances
 * act on one checkout. Calls on one instance queue locally first, so an instance waits on
 * Redis once at a time.
 */
export class RedisCheckoutStore implements CheckoutStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #queue = new LocalQueue();
  readonly #acquire: (...args: Array<string | number>) => Promise<unknown>;
  readonly #release: (...args: Array<string | number>) => Promise<unknown>;
  readonly #renew: (...args: Array<string | number>) => Promise<unknown>;
  readonly #fencedSave: (...args: Array<string | number>) => Promise<unknown>;
  readonly #claim: (...args: Array<string | number>) => Promise<unknown>;

  constructor(redis: Redis, options: RedisCheckoutStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'checkout:';
    this.#ttlMs = options.ttlMs ?? CHECKOUT_TTL_MS;
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.#lockWaitMs = options.lockWaitMs ?? 20_000;
    this.#acquire = redisScript(redis, 'lockAcquire', 2, ACQUIRE);
    this.#release = redisScript(redis, 'lockRelease', 1, RELEASE);
    this.#renew = redisScript(redis, 'lockRenew', 1, RENEW);
    this.#fencedSave = redisScript(redis, 'fencedSave', 3, FENCED_SAVE);
    this.#claim = redisScript(redis, 'referenceClaim', 1, CLAIM);
  }

  async get(id: string): Promise<CheckoutRecord | undefined> {
    const raw = await this.#redis.get(this.#recordKey(id));
    return raw ? (JSON.parse(raw) as CheckoutRecord) : undefined;
  }

  async save(record: CheckoutRecord): Promise<void> {
    const ttl = Math.max(1, record.createdAt + this.#ttlMs - Date.now());
    const held = heldLock.getStore();
    // The record and its place among the checkouts owing webhooks are one write: a checkout
    // never owes an event that no instance will find.
    const owing = record.pendingEvents?.length ? String(record.createdAt + this.#ttlMs) : '';
    if (held?.id !== record.id || held.token === undefined) {
      const write = this.#redis.multi().set(this.#recordKey(record.id), JSON.stringify(record), 'PX', ttl);
      const results = await (owing ? write.zadd(this.#owingKey(), owing, record.id) : write.zrem(this.#owingKey(), record.id)).exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    } else if (held.lost.aborted || (await this.#fencedSave(this.#recordKey(record.id), this.#fenceKey(record.id), this.#owingKey(), held.token, JSON.stringify(record), ttl, owing, record.id)) !== 1) {
      throw new ProblemError('conflict', 'This checkout was taken over by another request while this one ran; read it again.', { retryable: true, status: 503 });
    }
    // Which checkouts wait for a settlement (a sorted set by expiry, so expired ones drop out).
    const unknown = `${this.#prefix}outcome-unknown`;
    if (record.status === 'outcome-unknown') await this.#redis.zadd(unknown, record.createdAt + this.#ttlMs, record.id);
    else if (record.attempt) await this.#redis.zrem(unknown, record.id);
  }

  async countUnknownOutcomes(): Promise<number> {
    const unknown = `${this.#prefix}outcome-unknown`;
    await this.#redis.zremrangebyscore(unknown, 0, Date.now());
    return this.#redis.zcard(unknown);
  }

  async listPendingEvents(limit = 100): Promise<string[]> {
    // Scored by expiry: a checkout gone with its events owed drops out.
    await this.#redis.zremrangebyscore(this.#owingKey(), 0, Date.now());
    return this.#redis.zrangebyscore(this.#owingKey(), Date.now(), '+inf', 'LIMIT', 0, limit);
  }

  withLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    // Re-entrant: a task already holding this checkout's lock runs inline.
    if (heldLock.getStore()?.id === id) return task();
    return this.#queue.run(id, () => this.#withRedisLock(id, task));
  }

  async claimReference(reference: string, id: string, ttlMs: number): Promise<string> {
    return String(await this.#claim(`${this.#prefix}reference:${reference}`, id, ttlMs));
  }

  async releaseReference(reference: string, id: string): Promise<void> {
    await this.#release(`${this.#prefix}reference:${reference}`, id);
  }

  async #withRedisLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    const key = `${this.#prefix}lock:${id}`;
    const token = crypto.randomUUID();
    const deadline = Date.now() + this.#lockWaitMs;
    let fence: number;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      fence = Number(await this.#acquire(key, this.#fenceKey(id), token, this.#lockTtlMs, this.#ttlMs));
      if (fence > 0) break;
      if (Date.now() >= deadline) {
        throw new ProblemError('conflict', 'This checkout is busy with another request; try again in a moment.', { retryable: true, headers: { 'Retry-After': '1' } });
      }
      // Jitter, so instances waiting on one checkout do not poll in step.
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * delay));
    }
    const lost = new AbortController();
    // Renewed while the task runs: a slow provider call must not let another instance in. A
    // renewal that fails means the lock may be someone else's: the task's next write fails.
    const renewal = setInterval(() => {
      this.#renew(key, token, this.#lockTtlMs).then(
        (renewed) => renewed === 1 || lost.abort(),
        () => lost.abort(),
      );
    }, Math.max(50, this.#lockTtlMs / 3));
    try {
      return await heldLock.run({ id, lost: lost.signal, token: fence }, task);
    } finally {
      clearInterval(renewal);
      // If Redis cannot be reached now, the lock lapses on its own after its TTL.
      await this.#release(key, token).catch(() => undefined);
    }
  }

  #recordKey(id: string): string {
    return `${this.#prefix}record:${id}`;
  }

  #owingKey(): string {
    return `${this.#prefix}events-owed`;
  }

  #fenceKey(id: string): string {
    return `${this.#prefix}fence:${id}`;
  }
}
