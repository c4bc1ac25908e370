import type { enInstalments } from './en-instalments.js';
import type { enOutcome } from './en-outcome.js';
import type { enPos } from './en-pos.js';
import type { enProblems } from './en-problems.js';

/**
 * The English catalogue: the reference every other locale is checked against. A message is a
 * string with `{name}` placeholders, or plural forms keyed by `Intl.PluralRules` category.
 */
export const en = {
  'lookup.label': 'Loyalty card, phone or app code',
  'lookup.label.email': 'E-mail address',
  'lookup.submit': 'Find me',
  'lookup.pending': 'Looking you up…',
  'lookup.found': 'Hello, {name}',
  'lookup.notYou': 'Not you?',
  'lookup.paidLocked': 'This order is paid.',
  'lookup.debt': 'Your account has {amount} outstanding. Please settle it at the club before a new purchase.',
  'lookup.debtUnverified': 'This account has an outstanding balance. Please settle it at the club before a new purchase.',
  'lookup.code.pass-code': 'To use your points, enter your pass code',
  'lookup.code.one-time-password': 'To use your points, enter the one-time password from your app',
  'lookup.code.app-code': 'To use your points, enter the code shown in your app',
  'lookup.confirm': 'Confirm',
  'lookup.confirming': 'Checking…',
  'pay.debt': 'An outstanding balance must be settled first.',
  'loyalty.empty': 'Find your loyalty account to see your points.',
  'loyalty.unverified': 'Confirm that this account is yours to see and use your points.',
  'loyalty.unverifiedShop': 'Sign in to the shop to see and use your points.',
  'loyalty.balance': 'Balance',
  'loyalty.points': { one: '{count} point', other: '{count} points' },
  'loyalty.level': 'Level',
  'loyalty.levelCashback': '{name}: {percent}% back in points',
  'loyalty.levelDiscount': '{name}: {percent}% off',
  'loyalty.spendLabel': 'Points to use',
  'loyalty.spendRange': 'You can use up to {max} on this order.',
  'loyalty.nothingToSpend': 'No points can be used on this order.',
  'loyalty.apply': 'Use points',
  'loyalty.useMax': 'Use the most',
  'loyalty.useNone': 'Keep my points',
  'loyalty.pending': 'Updating…',
  'loyalty.earn': 'This order earns {earn}.',
  'loyalty.earnOnlyWithoutSpend': 'Points are earned only when you do not use any.',
  'loyalty.discount': 'Your level gives {discount} off.',
  'loyalty.held': '{amount} reserved for you until {time}.',
  'pay.total': 'Total',
  'pay.discount': 'Level discount',
  'pay.points': 'Points used',
  'pay.due': 'To pay',
  'pay.method': 'Payment method',
  'pay.submit': 'Pay {amount}',
  'pay.submitNothingDue': 'Confirm the order (nothing to pay)',
  'pay.continue': 'Continue to payment',
  'pay.pending': 'Paying…',
  'pay.needCustomer': 'Find your loyalty account first.',
  'pay.checkStatus': 'Check the payment',
  'session.loading': 'Loading your order…',
  'error.network': 'We could not reach the shop. Check your connection and try again.',
  'error.generic': 'Something went wrong. Try again.',
  'error.retry': 'Try again',
} as const;


// POS mode's, instalments', most problems' and the payment outcome's English messages are in
// `en-pos.ts`, `en-instalments.ts`, `en-problems.ts` and `en-outcome.ts`, part of this reference
// (the types join them), each in the chunk that uses it.
type English = typeof en & typeof enPos & typeof enInstalments & typeof enProblems & typeof enOutcome;
export type MessageKey = keyof English;
export type Catalogue = { [K in MessageKey]: English[K] extends string ? string : Partial<Record<Intl.LDMLPluralRule, string>> & { other: string } };
