import type { Catalogue } from './en.js';

/**
 * Italian: the messages of pay in instalments, in a chunk of their own that the instalments chunk
 * loads (with the page's language) only when the proxy has an instalment provider.
 */
export const itInstalments: Partial<Catalogue> = {
  'eligibility.title': 'Paga a rate',
  'eligibility.checking': 'Stiamo verificando se puoi pagare a rate…',
  'eligibility.updating': 'Aggiornamento delle offerte per il nuovo importo…',
  'eligibility.payInFull': 'Paga {amount} subito',
  'eligibility.offer.split': { one: 'Paga in {count} rata', many: 'Paga in {count} rate', other: 'Paga in {count} rate' },
  'eligibility.offer.credit': { one: 'Paga in {count} rata mensile (credito)', many: 'Paga in {count} rate mensili (credito)', other: 'Paga in {count} rate mensili (credito)' },
  'eligibility.offer.deferred': 'Paga dopo, il {date}',
  'eligibility.cost': 'Totale {total}, di cui {fees} di commissioni',
  'eligibility.noFees': 'Totale {total}, senza commissioni',
  'eligibility.schedule': 'Piano dei pagamenti',
  'eligibility.notEligible': 'La società finanziaria non ha accettato il pagamento a rate di questo ordine e non ne indica il motivo. Puoi comunque pagare l’intero importo.',
  'eligibility.refused': 'La società finanziaria non è riuscita a verificare i tuoi dati: {detail}',
  'eligibility.invalidDetails': 'Non possiamo proporti il pagamento a rate: alcuni dei tuoi dati registrati mancano o non sono validi. {detail}',
  'eligibility.unavailable': 'La società finanziaria non risponde al momento. Riprova tra poco.',
  'eligibility.noCustomer': 'Trova il tuo account per sapere se puoi pagare a rate.',
  'eligibility.unverified': 'Conferma che questo conto è tuo per sapere se puoi pagare a rate.',
  'eligibility.unverifiedShop': 'Accedi al negozio per sapere se puoi pagare a rate.',
  'eligibility.nothingDue': 'Non resta nulla da pagare, quindi non c’è nulla da pagare a rate.',
  'eligibility.open': 'Hai iniziato un pagamento: {offer}. Completalo o annullalo nella pagina di pagamento.',
  'eligibility.continue': 'Vai alla pagina di pagamento',
  'eligibility.paid': 'Pagato: {offer}, {total} in totale.',
  'pay.fees': 'Commissioni del pagamento a rate',
  'pay.totalWithFees': 'Totale con commissioni',
  'pay.submitOffer': '{offer}: {total}',
  'pay.redirecting': 'Ti stiamo portando alla pagina di pagamento…',
  'pay.continueOffer': 'Continua alla pagina di pagamento',
  'pay.instalmentsOpen': 'C’è un pagamento a rate in corso: completalo o annullalo nella pagina di pagamento.',
  'pay.instalmentsRefused': 'Il pagamento a rate è stato rifiutato. Non ti è stato addebitato nulla e i tuoi punti sono di nuovo disponibili. Puoi scegliere un altro metodo di pagamento.',
  'pay.instalmentsCancelled': 'Hai annullato il pagamento a rate. Non ti è stato addebitato nulla. Puoi scegliere un altro metodo di pagamento.',
  'pay.instalmentsReview': 'Abbiamo ricevuto il tuo pagamento a rate, ma nel frattempo il tuo ordine è cambiato. Il negozio ti contatterà: non pagare di nuovo.',
  'receipt.instalments': 'Modalità di pagamento',
  'pay.anotherWay': 'Paga in un altro modo',
};
