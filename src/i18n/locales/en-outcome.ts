/**
 * The messages of a checkout no longer open (waiting for the shop's PSP, paid, to review,
 * cancelled), part of the English reference like the others but kept in this module of their
 * own so they travel in the outcome chunk (loaded before such a checkout shows), which
 * registers them, rather than in the drop-in.
 */
export const enOutcome = {
  'pay.waiting': 'Waiting for your payment of {amount}…',
  'pay.review': 'Your payment was received, but the shop must check your order before it is complete. The shop will contact you: do not pay again.',
  'pay.cancelled': 'This order was cancelled by the shop. Nothing more can be paid here.',
  'pay.changeOrder': 'Change my order',
  'receipt.title': 'Thank you, your order is paid',
  'receipt.reference': 'Reference',
  'receipt.paid': 'Paid',
  'receipt.spent': 'Points used',
  'receipt.earned': 'Points earned',
  'receipt.balance': 'New balance',
} as const;
