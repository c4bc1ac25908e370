import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import { TokenCache, type IssuedToken } from '../../src/proxy/http/token-cache.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A token endpoint under test control: each fetch waits until the test settles it. */
function endpoint() {
  const pending: Array<{ resolve: (token: IssuedToken) => void; reject: (error: Error) => void }> = [];
  let calls = 0;
  return {
    fetch: () => {
      calls++;
      return new Promise<IssuedToken>((resolve, reject) => pending.push({ resolve, reject }));
    },
    get calls() {
      return calls;
    },
    get pending() {
      return pending.length;
    },
    issue(token: IssuedToken) {
      pending.shift()!.resolve(token);
    },
    fail(error: Error) {
      pending.shift()!.reject(error);
    },
  };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TokenCache', () => {
  test('single flight: concurrent callers share one fetch, then the cached token costs none', async () => {
    let clock = 1_000_000;
    const up = endpoint();
    const cache = new TokenCache({ fetch: up.fetch, renewMarginMs: 5 * MINUTE, now: () => clock });

    const waiting = Array.from({ length: 10 }, () => cache.get());
    assert.equal(up.calls, 1, 'one fetch for ten callers');
    up.issue({ value: 'tok-1', expiresAt: clock + 2 * HOUR });
    assert.deepEqual(await Promise.all(waiting), Array(10).fill('tok-1'));

    clock += HOUR;
    assert.equal(await cache.get(), 'tok-1');
    assert.equal(up.calls, 1, 'cached');

    // Lapsed: again one fetch for everyone who asks meanwhile.
    clock += 2 * HOUR;
    const again = [cache.get(), cache.get(), cache.get()];
    assert.equal(up.calls, 2);
    up.issue({ value: 'tok-2', expiresAt: clock + 2 * HOUR });
    assert.deepEqual(await Promise.all(again), ['tok-2', 'tok-2', 'tok-2']);
  });

  test('renewal margin: a fixed margin renews that long before expiry, not earlier', async () => {
    let clock = 0;
    const up = endpoint();
    const cache = new TokenCache({ fetch: up.fetch, renewMarginMs: HOUR, now: () => clock });
    const first = cache.get();
    up.issue({ value: 'floa-1', expiresAt: 48 * HOUR });
    assert.equal(await first, 'floa-1');

    clock = 47 * HOUR - 1;
    assert.equal(await cache.get(), 'floa-1', 'still handed out just before the margin');
    assert.equal(up.calls, 1);

    clock = 47 * HOUR;
    const renewed = cache.get();
    assert.equal(up.calls, 2, 'renewed at expiry minus the margin, while the old token still works');
    up.issue({ value: 'floa-2', expiresAt: clock + 48 * HOUR });
    assert.equal(await renewed, 'floa-2');
  });

  test('renewal margin: a margin computed from the lifetime, measured from issuedAt or from the fetch', async () => {
    let clock = 10_000;
    const up = endpoint();
    const lifetimes: number[] = [];
    const cache = new TokenCache({
      fetch: up.fetch,
      renewMarginMs: (lifetime) => {
        lifetimes.push(lifetime);
        return Math.min(5 * MINUTE, lifetime / 10);
      },
      now: () => clock,
    });

    // No issuedAt: the lifetime counts from the clock's reading when the fetch started.
    const short = cache.get();
    clock += 1000; // the login took a second
    up.issue({ value: 'short', expiresAt: 10_000 + 20 * MINUTE });
    assert.equal(await short, 'short');
    assert.deepEqual(lifetimes, [20 * MINUTE]);
    clock = 10_000 + 18 * MINUTE - 1;
    assert.equal(await cache.get(), 'short', 'renewed a tenth of its life early (2 min), not 5 min');
    clock = 10_000 + 18 * MINUTE;
    const next = cache.get();
    assert.equal(up.calls, 2);

    // issuedAt given (a lifetime that counts from the reply).
    up.issue({ value: 'long', issuedAt: clock + 500, expiresAt: clock + 500 + 2 * HOUR });
    assert.equal(await next, 'long');
    assert.equal(lifetimes.at(-1), 2 * HOUR);
    const renewAt = clock + 500 + 2 * HOUR - 5 * MINUTE;
    clock = renewAt - 1;
    assert.equal(await cache.get(), 'long');
    clock = renewAt;
    void cache.get();
    assert.equal(up.calls, 3);
  });

  test('drop(value) drops only that token: a stale 401 does not throw away a fresh token', async () => {
    const clock = 0;
    const up = endpoint();
    const cache = new TokenCache({ fetch: up.fetch, renewMarginMs: MINUTE, now: () => clock });
    const first = cache.get();
    up.issue({ value: 'old', expiresAt: HOUR });
    assert.equal(await first, 'old');

    // The provider refused "old": the first caller drops it and fetches again.
    cache.drop('old');
    const second = cache.get();
    assert.equal(up.calls, 2);
    up.issue({ value: 'new', expiresAt: HOUR });
    assert.equal(await second, 'new');

    // A second caller's refusal of "old" arrives late: "new" stays.
    cache.drop('old');
    cache.drop('something else');
    assert.equal(await cache.get(), 'new');
    assert.equal(up.calls, 2, 'no login for a token already replaced');

    cache.drop('new');
    void cache.get();
    assert.equal(up.calls, 3, 'the current token, once refused, is fetched again');
  });

  test('concurrent 401s during a renewal share the renewal', async () => {
    const up = endpoint();
    const cache = new TokenCache({ fetch: up.fetch, renewMarginMs: MINUTE, now: () => 0 });
    const first = cache.get();
    up.issue({ value: 'old', expiresAt: HOUR });
    await first;
    cache.drop('old');
    const a = cache.get();
    cache.drop('old');
    const b = cache.get();
    assert.equal(up.calls, 2);
    up.issue({ value: 'new', expiresAt: HOUR });
    assert.deepEqual(await Promise.all([a, b]), ['new', 'new']);
  });

  test('a failed fetch does not poison the cache: its callers get the error, the next get() fetches again', async () => {
    const up = endpoint();
    const cache = new TokenCache({ fetch: up.fetch, renewMarginMs: MINUTE, now: () => 0 });

    const failing = [cache.get(), cache.get()];
    assert.equal(up.calls, 1);
    up.fail(new Error('token endpoint down'));
    for (const call of failing) await assert.rejects(call, /token endpoint down/);
    await settle();

    const retried = cache.get();
    assert.equal(up.calls, 2, 'the failure is not remembered');
    up.issue({ value: 'tok', expiresAt: HOUR });
    assert.equal(await retried, 'tok');
    assert.equal(await cache.get(), 'tok');
    assert.equal(up.calls, 2);

    // A failed renewal leaves no token behind either, and does not hand out the expired one.
    cache.drop('tok');
    const renewal = cache.get();
    up.fail(new Error('still down'));
    await assert.rejects(renewal, /still down/);
    await settle();
    void cache.get();
    assert.equal(up.calls, 4);
    assert.equal(up.pending, 1);
  });

  test('a fetch that throws synchronously is a rejection, not a crash', async () => {
    let calls = 0;
    const cache = new TokenCache({
      fetch: () => {
        calls++;
        if (calls === 1) throw new Error('bad configuration');
        return Promise.resolve({ value: 'ok', expiresAt: HOUR });
      },
      renewMarginMs: MINUTE,
      now: () => 0,
    });
    await assert.rejects(cache.get(), /bad configuration/);
    assert.equal(await cache.get(), 'ok');
  });

  test('the token does not show when the cache is inspected or serialised', async () => {
    const cache = new TokenCache({ fetch: async () => ({ value: 'secret-token-value', expiresAt: HOUR }), renewMarginMs: MINUTE, now: () => 0 });
    assert.equal(await cache.get(), 'secret-token-value');
    assert.doesNotMatch(inspect(cache, { depth: 5, showHidden: true }), /secret-token-value/);
    assert.doesNotMatch(JSON.stringify(cache), /secret-token-value/);
  });
});
