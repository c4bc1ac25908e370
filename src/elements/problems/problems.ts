import { registerDefaults, type Localizer } from '../../i18n/localize.js';
import { enProblems } from '../../i18n/locales/en-problems.js';
import type { MessageKey } from '../../i18n/locales/en.js';
import type { Problem } from '../../protocol/index.js';
import { kindOf } from '../../session/problem-kind.js';
import { problems } from '../shared/problem-message.js';

/**
 * Problems in words a customer understands, loaded on demand: most visits never see a problem,
 * so the drop-in carries only `../shared/problem-message.ts`, which loads this chunk, and the
 * session waits for it before it shows a problem (the instalments chunk imports it). Its
 * English messages come with it, under any the page registered; the other languages have them
 * in their catalogues.
 */
registerDefaults('en', enProblems);

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

problems.describe = (problem: Problem, l10n: Localizer, action?: 'load') => {
  const detail = problem.errors?.map((e) => e.message).join(' ') || problem.detail || problem.title;
  const kind = kindOf(problem);
  // A field's own message says more than "some details are not right".
  if (kind === 'validation' && problem.errors?.length) return { message: detail, retry: false };
  const load = action === 'load' && LOAD[kind];
  const [key, retry] = load ? [load, false] : (MESSAGES[kind] ?? ['error.generic', true]);
  return { message: l10n.t(key, { detail }), retry: retry && (kind !== 'upstream-unavailable' || problem.retryable !== false) };
};
