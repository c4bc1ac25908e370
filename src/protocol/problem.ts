import * as z from 'zod/mini';

/**
 * Errors on the wire are RFC 9457 `application/problem+json` documents. `type` is one of
 * the closed set below (relative URIs under the proxy's endpoint); `errors` carries
 * per-field messages so the widget can show them next to the right input.
 */
export const PROBLEM_TYPES = [
  'validation', // 400: the request is malformed or a field is invalid
  'not-found', // 404: unknown cart, checkout or customer
  'conflict', // 409: the checkout is not in a state that allows this call
  'idempotency-mismatch', // 422: same Idempotency-Key, different request
  'idempotency-in-progress', // 409: same key is still being processed
  'rejected', // 422: the provider refused the operation (business rule)
  'rate-limited', // 429
  'upstream-unavailable', // 502/503/504: the provider failed or timed out
  'payment-outcome-unknown', // 502: the provider may have committed; ask for status before retrying
  'not-supported', // 404: the configured provider cannot do this
  'internal', // 500
] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

export const FieldError = /* @__PURE__ */ z.object({
  /** The protocol field the message is about (`query`, `spend`, `cartId`…). */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const Problem = /* @__PURE__ */ z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.optional(z.string()),
  /** Whether the same call may succeed if retried as is (transient failure). */
  retryable: z.optional(z.boolean()),
  errors: z.optional(z.array(FieldError)),
});
export type Problem = z.infer<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The short name of a problem type URI (`…/problems/rejected` → `rejected`). */
export function problemKind(problem: Pick<Problem, 'type'>): ProblemType | 'unknown' {
  const name = problem.type.split('/').pop() as ProblemType;
  return (PROBLEM_TYPES as readonly string[]).includes(name) ? name : 'unknown';
}
