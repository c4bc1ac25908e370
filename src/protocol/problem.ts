import * as z from 'zod/mini';
import type { ProblemType } from './contract.js';

export { PROBLEM_TYPES, problemKind, type ProblemType } from './contract.js';


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

