/** The kind of a problem: its type's last segment (`…/problems/rejected` → `rejected`, `/problems/network` → `network`). */
export const kindOf = (problem: { type: string }): string => problem.type.slice(problem.type.lastIndexOf('/') + 1);
