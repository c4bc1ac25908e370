import type { Checkout, Customer } from '../../protocol/index.js';
import type { ServerCheckout } from '../../protocol/server.js';
import type { Cart } from '../carts.js';
import { maskDigits, maskName, type PrivacyOptions } from '../privacy.js';
import type { CustomerRecord } from '../providers/provider.js';
import { amountDue } from './amounts.js';
import type { CheckoutRecord } from './record.js';

/**
 * What leaves the proxy about a checkout. The page sees masked customer data, and no amount
 * about the account (balance, what can be spent, debt) until the shopper proved it is theirs:
 * a lookup by a phone number must not tell a stranger someone else's balance.
 */
export function pageView(record: CheckoutRecord, cart: Cart, privacy: PrivacyOptions = {}): Checkout {
  const { quote } = record;
  const verified = !!record.proof;
  const currency = cart.currency;
  const zero = { amount: 0, currency };
  return {
    id: record.id,
    status: record.status,
    cart: publicCart(cart),
    customer: record.customer ? publicCustomer(record.customer, verified, privacy) : null,
    loyalty: quote
      ? {
          // Once paid, the balance is the one after this sale.
          ...(verified ? { balance: record.receipt?.balanceAfter ?? quote.balance } : {}),
          ...(quote.level ? { level: quote.level } : {}),
          spendable: verified ? quote.spendable : { min: zero, max: zero, step: quote.spendable.step },
          spend: {
            value: { amount: record.spend, currency },
            ...(quote.spendPoints !== undefined ? { points: quote.spendPoints } : {}),
          },
          discount: quote.discount,
          ...(quote.earn ? { earn: quote.earn } : {}),
          ...(record.hold ? { hold: record.hold } : {}),
        }
      : null,
    amountDue: record.status === 'paid' && record.receipt ? record.receipt.paid : amountDue(cart, quote, record.spend),
    paymentRequest: record.status === 'awaiting-payment' && record.paymentRequest ? { amount: record.paymentRequest.amount, key: record.paymentRequest.key } : null,
    receipt: record.receipt ? (verified ? record.receipt : withoutBalance(record.receipt)) : null,
  };
}

/** A receipt without the account's balance after the sale: a stranger who typed a phone number paid, not the member. */
function withoutBalance({ balanceAfter: _hidden, ...receipt }: NonNullable<CheckoutRecord['receipt']>): NonNullable<CheckoutRecord['receipt']> {
  return receipt;
}

/** What the shop's server reads: the page's view, its own fields, and the full name it already knows. */
export function serverView(record: CheckoutRecord, cart: Cart): ServerCheckout {
  return {
    ...pageView(record, cart, { revealName: true }),
    receipt: record.receipt ?? null,
    reference: record.reference ?? null,
    metadata: record.metadata ?? {},
    till: record.till ?? null,
    pspReference: record.attempt?.pspReference ?? null,
    ...(record.instalment?.latePayments?.length ? { lateInstalmentPayments: record.instalment.latePayments.map(({ orderRef, amount, at }) => ({ orderRef, amount, at: new Date(at).toISOString() })) } : {}),
  };
}

/** Lookup is public and can be used to enumerate a loyalty base: only what the widget shows, masked. */
export function publicCustomer(customer: CustomerRecord, verified: boolean, privacy: PrivacyOptions = {}): Customer {
  const inDebt = !!customer.debt && customer.debt.amount > 0;
  return {
    displayName: privacy.revealName ? customer.name : maskName(customer.name),
    ...(customer.phone ? { maskedPhone: maskDigits(customer.phone, 2) } : {}),
    ...(customer.card ? { maskedCard: maskDigits(customer.card, 4) } : {}),
    verified,
    ...(inDebt ? { inDebt } : {}),
    ...(inDebt && verified ? { debt: customer.debt } : {}),
  };
}

/** The cart as the page sees it: per-line provider details (`data`) stay on the server. */
function publicCart(cart: Cart): Checkout['cart'] {
  return { id: cart.id, currency: cart.currency, total: cart.total, lines: cart.lines.map(({ sku, name, quantity, unitPrice, total }) => ({ sku, name, quantity, unitPrice, total })) };
}
