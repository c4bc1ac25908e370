/**
 * The messages of pay in instalments, part of the English reference like the others but kept
 * in this module of their own so they travel in the instalments chunk (loaded only when the
 * proxy has an instalment provider), which registers them, rather than in the drop-in.
 */
export const enInstalments = {
  'eligibility.title': 'Pay in instalments',
  'eligibility.checking': 'Checking whether you can pay in instalments…',
  'eligibility.updating': 'Updating the offers for the new amount…',
  'eligibility.payInFull': 'Pay {amount} now',
  'eligibility.offer.split': { one: 'Pay in {count} instalment', other: 'Pay in {count} instalments' },
  'eligibility.offer.credit': { one: 'Pay in {count} monthly instalment (credit)', other: 'Pay in {count} monthly instalments (credit)' },
  'eligibility.offer.deferred': 'Pay later, on {date}',
  'eligibility.cost': 'Total {total}, including {fees} fees',
  'eligibility.noFees': 'Total {total}, no fees',
  'eligibility.schedule': 'Payment schedule',
  'eligibility.notEligible': 'The financing company did not accept paying this order in instalments, and does not say why. You can still pay in full.',
  'eligibility.refused': 'The financing company could not check your details: {detail}',
  'eligibility.invalidDetails': 'Instalments cannot be offered: some of your details on file are missing or not valid. {detail}',
  'eligibility.unavailable': 'The financing company is not answering right now. Try again in a moment.',
  'eligibility.noCustomer': 'Find your account to see whether you can pay in instalments.',
  'eligibility.unverified': 'Confirm that this account is yours to see whether you can pay in instalments.',
  'eligibility.unverifiedShop': 'Sign in to the shop to see whether you can pay in instalments.',
  'eligibility.nothingDue': 'Nothing is left to pay, so there is nothing to pay in instalments.',
  'eligibility.open': 'You started paying: {offer}. Finish or cancel it on the payment page.',
  'eligibility.continue': 'Go to the payment page',
  'eligibility.paid': 'Paid: {offer}, {total} in all.',
  'pay.anotherWay': 'Pay another way',
  'pay.fees': 'Instalment fees',
  'pay.totalWithFees': 'Total with fees',
  'pay.submitOffer': '{offer}: {total}',
  'pay.redirecting': 'Taking you to the payment page…',
  'pay.continueOffer': 'Continue to the payment page',
  'pay.instalmentsOpen': 'A payment in instalments is open: finish or cancel it on the payment page.',
  'pay.instalmentsRefused': 'The payment in instalments was refused. Nothing was charged and your points are free again. You can choose another way to pay.',
  'pay.instalmentsCancelled': 'You cancelled the payment in instalments. Nothing was charged. You can choose another way to pay.',
  'pay.instalmentsReview': 'Your payment in instalments was received, but your order changed in the meantime. The shop will contact you: do not pay again.',
  'receipt.instalments': 'Paid with',
} as const;
