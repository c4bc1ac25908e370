/** The public API: element classes, events, protocol types. Importing it defines no tag (see `define.ts`). */
export { CheckoutSession } from './elements/checkout-session/checkout-session.js';
export { CustomerLookup } from './elements/customer-lookup/customer-lookup.js';
export { LoyaltyBalance } from './elements/loyalty-balance/loyalty-balance.js';
export { EligibilityCheck } from './elements/eligibility-check/eligibility-check.js';
export { CheckoutPay } from './elements/checkout-pay/checkout-pay.js';
export type * from './events.js';
export type { CheckoutState, CheckoutActions } from './session/context.js';
export { registerLocale } from './i18n/localize.js';
export type * from './protocol/schemas.js';
export type { Money } from './protocol/money.js';
export type { Problem } from './protocol/problem.js';
