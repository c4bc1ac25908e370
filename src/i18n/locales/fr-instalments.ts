import type { Catalogue } from './en.js';

/**
 * French: the messages of pay in instalments, in a chunk of their own that the instalments chunk
 * loads (with the page's language) only when the proxy has an instalment provider.
 */
export const frInstalments: Partial<Catalogue> = {
  'eligibility.title': 'Payer en plusieurs fois',
  'eligibility.checking': 'Nous vérifions si vous pouvez payer en plusieurs fois…',
  'eligibility.updating': 'Mise à jour des offres pour le nouveau montant…',
  'eligibility.payInFull': 'Payer {amount} en une fois',
  'eligibility.offer.split': { one: 'Payer en {count} fois', many: 'Payer en {count} fois', other: 'Payer en {count} fois' },
  'eligibility.offer.credit': { one: 'Payer en {count} mensualité (crédit)', many: 'Payer en {count} mensualités (crédit)', other: 'Payer en {count} mensualités (crédit)' },
  'eligibility.offer.deferred': 'Payer plus tard, le {date}',
  'eligibility.cost': 'Total {total}, dont {fees} de frais',
  'eligibility.noFees': 'Total {total}, sans frais',
  'eligibility.schedule': 'Échéancier',
  'eligibility.notEligible': 'L’organisme de financement n’a pas accepté le paiement en plusieurs fois de cette commande et n’en précise pas la raison. Vous pouvez toujours payer en une fois.',
  'eligibility.refused': 'L’organisme de financement n’a pas pu vérifier vos informations : {detail}',
  'eligibility.invalidDetails': 'Le paiement en plusieurs fois ne peut pas être proposé : certaines de vos informations enregistrées sont manquantes ou invalides. {detail}',
  'eligibility.unavailable': 'L’organisme de financement ne répond pas pour le moment. Réessayez dans un instant.',
  'eligibility.noCustomer': 'Retrouvez votre compte pour savoir si vous pouvez payer en plusieurs fois.',
  'eligibility.unverified': 'Confirmez que ce compte est le vôtre pour savoir si vous pouvez payer en plusieurs fois.',
  'eligibility.unverifiedShop': 'Connectez-vous à la boutique pour savoir si vous pouvez payer en plusieurs fois.',
  'eligibility.nothingDue': 'Il ne reste rien à payer : il n’y a donc rien à payer en plusieurs fois.',
  'eligibility.open': 'Vous avez commencé un paiement : {offer}. Terminez-le ou annulez-le sur la page de paiement.',
  'eligibility.continue': 'Aller à la page de paiement',
  'eligibility.paid': 'Payé : {offer}, {total} au total.',
  'pay.fees': 'Frais de financement',
  'pay.totalWithFees': 'Total frais inclus',
  'pay.submitOffer': '{offer} : {total}',
  'pay.redirecting': 'Redirection vers la page de paiement…',
  'pay.continueOffer': 'Continuer vers la page de paiement',
  'pay.instalmentsOpen': 'Un paiement en plusieurs fois est en cours : terminez-le ou annulez-le sur la page de paiement.',
  'pay.instalmentsRefused': 'Le paiement en plusieurs fois a été refusé. Aucun montant n’a été débité et vos points sont de nouveau disponibles. Vous pouvez choisir un autre moyen de paiement.',
  'pay.instalmentsCancelled': 'Vous avez annulé le paiement en plusieurs fois. Aucun montant n’a été débité. Vous pouvez choisir un autre moyen de paiement.',
  'pay.instalmentsReview': 'Votre paiement en plusieurs fois a bien été reçu, mais votre commande a changé entre-temps. La boutique va vous contacter : ne payez pas une seconde fois.',
  'receipt.instalments': 'Mode de paiement',
  'pay.anotherWay': 'Payer autrement',
};
