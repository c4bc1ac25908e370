import type { Redis } from 'ioredis';

/**
 * A Lua script run atomically by Redis (EVALSHA, falling back to EVAL once when the server
 * does not know it yet — ioredis' `defineCommand` does both). Each check-and-set of the
 * stores is one script, so two proxy instances can never interleave inside it.
 */
export function redisScript(redis: Redis, name: string, keys: number, lua: string): (...args: Array<string | number>) => Promise<unknown> {
  const command = `checkoutElements_${name}`;
  const commands = redis as unknown as Record<string, ((...args: Array<string | number>) => Promise<unknown>) | undefined>;
  if (!commands[command]) redis.defineCommand(command, { numberOfKeys: keys, lua });
  return (...args) => commands[command]!.apply(redis, args);
}
