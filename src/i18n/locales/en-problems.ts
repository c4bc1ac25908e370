/**
 * The messages of problems, part of the English reference like the others but kept in this
 * module of their own so they travel in the problems chunk (loaded with the first problem to
 * show), which registers them, rather than in the drop-in. `error.network`, `error.generic` and
 * `error.retry` stay in `en.ts`: they are the words at hand when that chunk cannot be loaded.
 */
export const enProblems = {
  'error.notFound': 'We could not find that. Check what you typed and try again.',
  'error.cartNotFound': 'This order could not be found. Reload the page or go back to the cart.',
  'error.cannotOpen': 'This order cannot be opened: its link is not valid or has expired. Go back to the cart and try again.',
  'error.currency': 'This order is in another currency than this page, so it cannot be paid here. Go back to the cart and try again.',
  'error.validation': 'Some details are not right. Check the highlighted field.',
  'error.unauthorized': 'This order link is no longer valid. Reload the page or go back to the cart.',
  'error.forbidden': 'This cannot be done from this page.',
  'error.proofRequired': 'Confirm that this account is yours first.',
  'error.amountChanged': 'Your order changed. Check the new amount, then pay.',
  'error.rejected': 'The loyalty programme refused this: {detail}',
  'error.rateLimited': 'Too many tries. Wait a moment and try again.',
  'error.unavailable': 'The loyalty service is not answering right now. Try again in a moment.',
  'error.outcomeUnknown': 'We are not sure the payment went through. Check it before paying again: you will not be charged twice.',
  'error.conflict': 'This order changed meanwhile: {detail}',
} as const;
