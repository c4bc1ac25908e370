import type { Localizer } from '../../i18n/localize.js';
import type { Problem } from '../../protocol/index.js';
import { kindOf } from '../../session/problem-kind.js';

type Described = { message: string; retry: boolean };

/**
 * Where the problems chunk (`../problems/problems.ts`) plugs in: the words for each kind of
 * problem, loaded with the first problem to show (`loadProblemMessages` in
 * `checkout-session.ts`) rather than carried by the drop-in. Empty until then.
 */
export const problems: { describe?(problem: Problem, l10n: Localizer, action?: 'load'): Described } = {};

/**
 * A problem in words a customer understands, and whether offering "try again" makes sense.
 * `load`: the checkout itself could not be opened. Without the problems chunk (it could not be
 * loaded: most likely offline), the only words at hand: the network's, or "something went wrong".
 */
export function describeProblem(problem: Problem, l10n: Localizer, action?: 'load'): Described {
  return problems.describe?.(problem, l10n, action) ?? { message: l10n.t(kindOf(problem) === 'network' ? 'error.network' : 'error.generic'), retry: true };
}

/** The message of a problem that concerns one protocol field (to show next to that input). */
export function fieldMessage(problem: Problem | undefined, field: string): string | undefined {
  return problem?.errors?.find((e) => e.field === field)?.message;
}
