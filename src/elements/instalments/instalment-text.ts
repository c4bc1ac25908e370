import type { Localizer } from '../../i18n/localize.js';
import type { InstalmentOffer, InstalmentPaymentStatus } from '../../protocol/index.js';

/** The payment in instalments is still waiting for the provider's decision. */
export const paymentWaiting = (status: InstalmentPaymentStatus | undefined): boolean => status === 'redirected' || status === 'pending';

/** A due date (`YYYY-MM-DD`) in the shopper's language, as the calendar date it is (no time zone shift). */
export function dueDate(date: string, l10n: Localizer): string {
  return l10n.format('date', (locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' })).format(new Date(`${date.slice(0, 10)}T00:00:00Z`));
}

/** An offer's name in the shopper's language ("Pay in 3 instalments"), not the provider's English label. */
export function offerName(offer: InstalmentOffer, l10n: Localizer): string {
  if (offer.kind === 'deferred' && offer.schedule[0]) return l10n.t('eligibility.offer.deferred', { date: dueDate(offer.schedule[0].dueDate, l10n) });
  return l10n.t(offer.kind === 'credit' ? 'eligibility.offer.credit' : 'eligibility.offer.split', { count: offer.instalments });
}

/** Its cost, as French rules require it shown for every offer: total and fees. */
export function offerCost(offer: InstalmentOffer, l10n: Localizer): string {
  const total = l10n.money(offer.total);
  return offer.fees.amount > 0 ? l10n.t('eligibility.cost', { total, fees: l10n.money(offer.fees) }) : l10n.t('eligibility.noFees', { total });
}
