import { createHash } from 'node:crypto';
import { IDEMPOTENCY_HEADER } from '../../protocol/index.js';
import { IdempotencyKey } from '../../protocol/requests.js';
import { ProblemError } from '../problems.js';
import type { Claim, IdempotencyStore, StoredResponse } from './store.js';

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** How long an unfinished claim blocks its key (a crashed instance frees it after this). */
  lockMs?: number;
  /** How long a finished response is replayed. */
  retentionMs?: number;
  /** How long a concurrent duplicate waits for the first request before getting a 409. */
  waitMs?: number;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('base64url');
}

/**
 * Runs `handler` at most once per `Idempotency-Key`: a repeat with the same request replays
 * the stored response (`Idempotency-Replayed: true`), a repeat with a different request is a
 * 422, and a concurrent repeat waits for the first one (409 after `waitMs`).
 *
 * Final answers are stored, refusals included (a refusal is as final as a success). What is
 * not final gives the key back instead (its fingerprint kept), so the same request can run
 * again:
 * - `payment-outcome-unknown`: the provider may have committed. Replaying this error forever
 *   would leave the shopper stuck; instead the retry with the same key runs the handler
 *   again, and the checkout, marked `outcome-unknown` before the upstream call, reconciles
 *   with the provider first: it never sends a second payment while the first may exist.
 * - retryable problems (provider unreachable before anything was sent, circuit open, 429):
 *   nothing happened, so the same request may succeed later;
 * - any 5xx and any unexpected exception: a transient fault must not become the key's answer
 *   for a day (the widget reuses its key until the outcome is known).
 *
 * Keys live in a `scope` (the page's checkout, or the shop's server), so one caller's keys
 * can never collide with — or spoil — another's.
 */
export function createIdempotencyGuard(options: IdempotencyOptions) {
  const { store, lockMs = 2 * 60_000, retentionMs = 24 * 3600_000, waitMs = 15_000 } = options;

  return async function idempotent(
    request: { key: string | undefined; scope: string; method: string; path: string; body: unknown },
    handler: () => Promise<Response>,
  ): Promise<Response> {
    const parsedKey = IdempotencyKey.safeParse(request.key);
    if (!parsedKey.success) {
      throw new ProblemError('validation', `The ${IDEMPOTENCY_HEADER} header is required on calls that move money (8–255 visible ASCII characters).`, {
        errors: [{ field: IDEMPOTENCY_HEADER, message: parsedKey.error.issues[0]?.message ?? 'Required.' }],
      });
    }
    const key = `${request.scope}:${parsedKey.data}`;
    const print = fingerprint(request.method, request.path, request.body);
    const deadline = Date.now() + waitMs;
    let claim: Claim;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const begun = await store.begin(key, print, lockMs);
      if (begun.state === 'done') return replay(begun.response);
      if (begun.state === 'mismatch') throw new ProblemError('idempotency-mismatch');
      if (begun.state === 'started') {
        claim = begun.claim;
        break;
      }
      if (Date.now() >= deadline) throw new ProblemError('idempotency-in-progress', undefined, { retryable: true, headers: { 'Retry-After': '1' } });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    let response: Response;
    try {
      response = await handler();
    } catch (error) {
      if (!(error instanceof ProblemError) || error.kind === 'payment-outcome-unknown' || error.retryable || error.status >= 500) {
        await store.release(key, claim, retentionMs);
        throw error;
      }
      response = problemResponse(error);
    }
    if (response.status >= 500) {
      await store.release(key, claim, retentionMs);
      return response;
    }
    const stored: StoredResponse = {
      status: response.status,
      headers: Object.fromEntries([...response.headers].filter(([name]) => name === 'content-type' || name === 'retry-after')),
      body: await response.text(),
    };
    await store.complete(key, claim, stored, retentionMs);
    return new Response(stored.body, { status: stored.status, headers: stored.headers });
  };
}

export type IdempotencyGuard = ReturnType<typeof createIdempotencyGuard>;

function replay(stored: StoredResponse): Response {
  return new Response(stored.body, { status: stored.status, headers: { ...stored.headers, 'Idempotency-Replayed': 'true' } });
}

/** Turns anything thrown into a problem+json response (internals never leak). */
export function problemResponse(error: unknown): Response {
  const problem = error instanceof ProblemError ? error : new ProblemError('internal', 'Something went wrong on the checkout server.');
  return new Response(JSON.stringify(problem.toProblem()), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
  });
}
