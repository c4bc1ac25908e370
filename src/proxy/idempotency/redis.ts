import type { Redis } from 'ioredis';
import { redisScript } from '../stores/redis-script.js';
import { newClaimToken, type BeginResult, type Claim, type IdempotencyStore, type StoredResponse } from './store.js';

/**
 * The idempotency store shared by several proxy instances. One Redis string per key, a JSON
 * document `{s: state, f: fingerprint, t: claim token, r: stored response}`, whose Redis TTL
 * is the claim's short lock while `in-progress` and the 24 h retention once `done` (or
 * `released`). Claim, complete and release are Lua scripts: atomic across instances.
 */
const BEGIN = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local entry = cjson.decode(raw)
  if entry.f ~= ARGV[1] then return {'mismatch'} end
  if entry.s == 'done' then return {'done', entry.r} end
  if entry.s == 'in-progress' then return {'in-progress'} end
end
redis.call('SET', KEYS[1], cjson.encode({s = 'in-progress', f = ARGV[1], t = ARGV[2]}), 'PX', ARGV[3])
return {'started'}
`;

/** Writes the final state if the claim is still ours, or lapsed and untaken. */
const FINISH = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local entry = cjson.decode(raw)
  if entry.s ~= 'in-progress' or entry.t ~= ARGV[1] then return 0 end
end
local next = {s = ARGV[2], f = ARGV[3]}
if ARGV[2] == 'done' then next.r = ARGV[4] end
redis.call('SET', KEYS[1], cjson.encode(next), 'PX', ARGV[5])
return 1
`;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #prefix: string;
  readonly #begin: (...args: Array<string | number>) => Promise<unknown>;
  readonly #finish: (...args: Array<string | number>) => Promise<unknown>;

  constructor(redis: Redis, options: { prefix?: string } = {}) {
    this.#prefix = `${options.prefix ?? 'checkout:'}idempotency:`;
    this.#begin = redisScript(redis, 'idempotencyBegin', 1, BEGIN);
    this.#finish = redisScript(redis, 'idempotencyFinish', 1, FINISH);
  }

  async begin(key: string, fingerprint: string, lockMs: number): Promise<BeginResult> {
    const token = newClaimToken();
    const [state, response] = (await this.#begin(this.#prefix + key, fingerprint, token, Math.max(1, Math.round(lockMs)))) as [string, string?];
    if (state === 'started') return { state, claim: { token, fingerprint } };
    if (state === 'done') return { state, response: JSON.parse(response!) as StoredResponse };
    return { state: state as 'in-progress' | 'mismatch' };
  }

  async complete(key: string, claim: Claim, response: StoredResponse, retentionMs: number): Promise<void> {
    await this.#finish(this.#prefix + key, claim.token, 'done', claim.fingerprint, JSON.stringify(response), Math.round(retentionMs));
  }

  async release(key: string, claim: Claim, retentionMs: number): Promise<void> {
    await this.#finish(this.#prefix + key, claim.token, 'released', claim.fingerprint, '', Math.round(retentionMs));
  }
}
