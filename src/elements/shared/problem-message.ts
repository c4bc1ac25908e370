import type { Localizer } from '../../i18n/localize.js';
import type { MessageKey } from '../../i18n/locales/en.js';
import type { Problem } from '../../protocol/index.js';
import { kindOf } from '../../session/problem-kind.js';

/** By problem kind: the message, and whether offering "try again" makes sense. Any other kind: `error.generic`, with a retry. */
const MESSAGES: Record<string, [MessageKey, boolean]> = {
  network: ['error.network', true],
  'currency-mismatch': ['error.currency', false],
  'not-found': ['error.notFound', false],
  validation: ['error.validation', false],
  unauthorized: ['error.unauthorized', false],
  forbidden: ['error.forbidden', false],
  'proof-required': ['error.proofRequired', false],
  'amount-changed': ['error.amountChanged', true],
  rejected: ['error.rejected', false],
  'rate-limited': ['error.rateLimited', true],
  'upstream-unavailable': ['error.unavailable', true],
  'payment-outcome-unknown': ['error.outcomeUnknown', true],
  conflict: ['error.conflict', true],
  'idempotency-in-progress': ['error.conflict', true],
};

/** When the checkout itself could not be opened (the shopper typed nothing): what differs. */
const LOAD: Record<string, MessageKey> = { unauthorized: 'error.cannotOpen', 'not-found': 'error.cartNotFound' };

/**
 * A problem in words a customer understands, and whether offering "try again" makes sense.
 * `load`: the checkout itself could not be opened.
 */
export function describeProblem(problem: Problem, l10n: Localizer, action?: 'load'): { message: string; retry: boolean } {
  const detail = problem.errors?.map((e) => e.message).join(' ') || problem.detail || problem.title;
  const kind = kindOf(problem);
  // A field's own message says more than "some details are not right".
  if (kind === 'validation' && problem.errors?.length) return { message: detail, retry: false };
  const load = action === 'load' && LOAD[kind];
  const [key, retry] = load ? [load, false] : (MESSAGES[kind] ?? ['error.generic', true]);
  return { message: l10n.t(key, { detail }), retry: retry && (kind !== 'upstream-unavailable' || problem.retryable !== false) };
}

/** The message of a problem that concerns one protocol field (to show next to that input). */
export function fieldMessage(problem: Problem | undefined, field: string): string | undefined {
  return problem?.errors?.find((e) => e.field === field)?.message;
}
