import type { Redis } from 'ioredis';
import { redisScript } from '../../stores/redis-script.js';
import { runLeased, type LeaseOps, type Leased, type SaleLedger, type SaleLedgerEntry, type SaleLedgerOptions } from './sale-ledger.js';

/** Writes the entry (KEYS[1]) only if the lease (KEYS[2]) is ARGV[3], or unconditionally when ARGV[3] is empty. */
const SET_IF_HELD = `
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;
/** Extends (ARGV[2] = ms) or, without ARGV[2], deletes the lease if ARGV[1] still holds it. */
const IF_HELD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])
`;

/**
 * The Resamania sale ledger shared by several proxy instances (see `SaleLedger`): one JSON
 * string per checkout reference, kept `retentionMs` after its last change, and a lease per
 * reference (`SET NX PX` with a random token, renewed while held, released and checked by Lua
 * compare-and-set), so two instances never open two sales, or pay twice, for one checkout.
 */
export class RedisSaleLedger implements SaleLedger {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #leaseMs: number;
  readonly #setIfHeld: (...args: Array<string | number>) => Promise<unknown>;
  readonly #ifHeld: (...args: Array<string | number>) => Promise<unknown>;
  readonly #ops: LeaseOps;

  /** `prefix`: the proxy's key prefix (default `checkout:`). */
  constructor(redis: Redis, options: SaleLedgerOptions & { prefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = `${options.prefix ?? 'checkout:'}resamania-sale:`;
    this.#retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#setIfHeld = redisScript(redis, 'resamaniaLedgerSet', 2, SET_IF_HELD);
    this.#ifHeld = redisScript(redis, 'resamaniaLeaseIfHeld', 1, IF_HELD);
    this.#ops = {
      acquire: async (reference, token, ttlMs) => (await this.#redis.set(this.#leaseKey(reference), token, 'PX', ttlMs, 'NX')) === 'OK',
      renew: async (reference, token, ttlMs) => void (await this.#ifHeld(this.#leaseKey(reference), token, ttlMs)),
      release: async (reference, token) => void (await this.#ifHeld(this.#leaseKey(reference), token)),
    };
  }

  async get(reference: string): Promise<SaleLedgerEntry | undefined> {
    const raw = await this.#redis.get(this.#entryKey(reference));
    return raw ? (JSON.parse(raw) as SaleLedgerEntry) : undefined;
  }

  async set(reference: string, entry: SaleLedgerEntry, lease?: string): Promise<boolean> {
    return (await this.#setIfHeld(this.#entryKey(reference), this.#leaseKey(reference), JSON.stringify(entry), this.#retentionMs, lease ?? '')) === 1;
  }

  withLease<T>(reference: string, waitMs: number, task: (lease: string) => Promise<T>): Promise<Leased<T>> {
    return runLeased(this.#ops, reference, this.#leaseMs, waitMs, task);
  }

  #entryKey(reference: string): string {
    return `${this.#prefix}entry:${reference}`;
  }

  #leaseKey(reference: string): string {
    return `${this.#prefix}lease:${reference}`;
  }
}
