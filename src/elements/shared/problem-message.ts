import { problemKind } from '../../protocol/contract.js';
import type { Problem } from '../../protocol/index.js';
import type { Localizer } from '../../i18n/localize.js';

/** A problem in words a customer understands, and whether offering "try again" makes sense. */
export function describeProblem(problem: Problem, l10n: Localizer): { message: string; retry: boolean } {
  const detail = problem.errors?.map((e) => e.message).join(' ') || problem.detail || problem.title;
  if (problem.type.endsWith('/network')) return { message: l10n.t('error.network'), retry: true };
  switch (problemKind(problem)) {
    case 'not-found':
      return { message: l10n.t('error.notFound'), retry: false };
    case 'validation':
      return { message: problem.errors?.length ? detail : l10n.t('error.validation'), retry: false };
    case 'rejected':
      return { message: l10n.t('error.rejected', { detail }), retry: false };
    case 'rate-limited':
      return { message: l10n.t('error.rateLimited'), retry: true };
    case 'upstream-unavailable':
      return { message: l10n.t('error.unavailable'), retry: problem.retryable !== false };
    case 'payment-outcome-unknown':
      return { message: l10n.t('error.outcomeUnknown'), retry: true };
    case 'conflict':
    case 'idempotency-in-progress':
      return { message: l10n.t('error.conflict', { detail }), retry: true };
    default:
      return { message: l10n.t('error.generic'), retry: true };
  }
}

/** The message of a problem that concerns one protocol field (to show next to that input). */
export function fieldMessage(problem: Problem | undefined, field: string): string | undefined {
  return problem?.errors?.find((e) => e.field === field)?.message;
}
