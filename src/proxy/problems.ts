import type { FieldError, Problem, ProblemType } from '../protocol/index.js';

const TITLES: Record<ProblemType, string> = {
  validation: 'The request is invalid.',
  unauthorized: 'This checkout does not exist, or this credential does not open it.',
  forbidden: 'This caller may not do that.',
  'proof-required': 'Confirm that this account is yours before using its points.',
  'not-found': 'Not found.',
  conflict: 'This checkout cannot do that now.',
  'idempotency-mismatch': 'This Idempotency-Key was already used for a different request.',
  'idempotency-in-progress': 'A request with this Idempotency-Key is still being processed.',
  rejected: 'The loyalty provider refused the operation.',
  'rate-limited': 'Too many requests.',
  'upstream-unavailable': 'The provider is unavailable.',
  'payment-outcome-unknown': 'The payment outcome is not known yet.',
  'amount-changed': 'The amount due changed.',
  'not-supported': 'The configured provider does not support this.',
  internal: 'Internal error.',
};

const STATUS: Record<ProblemType, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'proof-required': 403,
  'not-found': 404,
  conflict: 409,
  'idempotency-mismatch': 422,
  'idempotency-in-progress': 409,
  rejected: 422,
  'rate-limited': 429,
  'upstream-unavailable': 502,
  'payment-outcome-unknown': 502,
  'amount-changed': 409,
  // A capability the configured provider lacks: the resource does not exist here (not a server fault).
  'not-supported': 404,
  internal: 500,
};

/**
 * The one error type the proxy and its adapters throw. The app turns it into an RFC 9457
 * problem document; anything else thrown becomes a 500 `internal` problem without details.
 */
export class ProblemError extends Error {
  readonly kind: ProblemType;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly retryable: boolean;
  readonly headers?: Record<string, string>;

  constructor(
    kind: ProblemType,
    detail?: string,
    options: { errors?: FieldError[]; status?: number; retryable?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail ?? TITLES[kind], { cause: options.cause });
    this.name = 'ProblemError';
    this.kind = kind;
    this.status = options.status ?? STATUS[kind];
    this.errors = options.errors;
    this.retryable = options.retryable ?? (kind === 'upstream-unavailable' || kind === 'rate-limited');
    this.headers = options.headers;
  }

  toProblem(): Problem {
    return {
      type: `/problems/${this.kind}`,
      title: TITLES[this.kind],
      status: this.status,
      detail: this.message,
      retryable: this.retryable,
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

/** A 400 problem listing every invalid field of a zod (mini) parse failure. */
export function validationProblem(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, prefix = ''): ProblemError {
  const errors = issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || 'body',
    message: issue.message,
  }));
  return new ProblemError('validation', errors.map((e) => `${e.field}: ${e.message}`).join(' '), { errors });
}
