import type { Context } from 'hono';
import type * as z from 'zod/mini';
import { ProblemError, validationProblem } from './problems.js';

/** The request's JSON body, validated: 415 without a JSON content type, 400 with field errors. */
export async function parseBody<T>(c: Context, schema: z.ZodMiniType<T>): Promise<T> {
  if (!c.req.header('content-type')?.includes('application/json')) {
    throw new ProblemError('validation', 'Send a JSON body with Content-Type: application/json.', { status: 415 });
  }
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ProblemError('validation', 'The body is not valid JSON.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationProblem(parsed.error.issues);
  return parsed.data;
}
