import type { Cart } from '../carts.js';
import type { CallContext, LoyaltyProvider } from '../providers/provider.js';
import { paidRecord, saleInput, type CheckoutRecord } from './record.js';

export interface ReconcileOptions {
  /**
   * A provider's "not recorded" is trusted only this long after the attempt started: a call
   * that timed out may still be committed by a slow provider, and reopening the checkout too
   * early would let a retry pay twice. Until then the outcome stays unknown.
   */
  settleMs?: number;
}

/**
 * Settles a checkout whose payment outcome is unknown, by asking the provider (the adapter's
 * `saleOutcome`, which only reads):
 * - `recorded` → the checkout is paid, with the receipt of that sale;
 * - `not-recorded`, once the attempt is older than `settleMs` → back where it was before the
 *   attempt (open, or awaiting the shop's payment), so the payer may retry with the same key —
 *   unless the money was already collected (the shop's PSP, instalments): then `review`, as a
 *   definite refusal of a collected payment is, so the page never asks for a second payment
 *   and the shop is told;
 * - anything else, a provider without `saleOutcome`, or a provider still failing → unchanged:
 *   the outcome stays unknown and no second payment can be sent. An operator settles it
 *   (`POST …/server/checkouts/{id}/resolve`).
 * Returns the record unchanged or the new one (the caller saves it, under the checkout lock).
 */
export async function reconcilePayment(
  record: CheckoutRecord,
  cart: Cart,
  loyalty: Pick<LoyaltyProvider, 'saleOutcome'>,
  ctx: CallContext,
  options: ReconcileOptions = {},
): Promise<CheckoutRecord> {
  const { attempt, customer } = record;
  if (record.status !== 'outcome-unknown' || !attempt || !customer || !loyalty.saleOutcome) return record;
  let outcome;
  try {
    outcome = await loyalty.saleOutcome(saleInput(record, cart, customer, attempt), ctx);
  } catch {
    return record;
  }
  if (outcome.state === 'recorded') return paidRecord(record, cart, attempt, outcome.sale);
  if (outcome.state === 'not-recorded' && Date.now() - attempt.startedAt >= (options.settleMs ?? 30_000)) {
    return attempt.collected ? { ...record, status: 'review' } : { ...record, status: attempt.from, attempt: undefined };
  }
  return record;
}
