/**
 * The messages of POS mode (`mode="pos"`), part of the English reference like the others but
 * kept in this module of their own so they travel in the POS chunk (which registers them) rather than in the drop-in.
 */
export const enPos = {
  'pay.method.card': 'Card',
  'pay.method.cash': 'Cash',
  'pay.method.cheque': 'Cheque',
  'pay.method.external': 'Online payment',
  'pay.method.none': 'Nothing to pay',
  'pos.bank': 'Bank',
  'pos.number': 'Cheque number',
  'pos.network': 'Card network',
  'pos.print': 'Print receipt',
} as const;
