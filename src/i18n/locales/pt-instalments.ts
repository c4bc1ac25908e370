import type { Catalogue } from './en.js';

/**
 * Portuguese: the messages of pay in instalments, in a chunk of their own that the instalments chunk
 * loads (with the page's language) only when the proxy has an instalment provider.
 */
export const ptInstalments: Partial<Catalogue> = {
  'eligibility.title': 'Pagar parcelado',
  'eligibility.checking': 'Verificando se você pode pagar parcelado…',
  'eligibility.updating': 'Atualizando as ofertas para o novo valor…',
  'eligibility.payInFull': 'Pagar {amount} à vista',
  'eligibility.offer.split': { one: 'Pagar em {count} parcela', many: 'Pagar em {count} parcelas', other: 'Pagar em {count} parcelas' },
  'eligibility.offer.credit': { one: 'Pagar em {count} parcela mensal (crédito)', many: 'Pagar em {count} parcelas mensais (crédito)', other: 'Pagar em {count} parcelas mensais (crédito)' },
  'eligibility.offer.deferred': 'Pagar depois, em {date}',
  'eligibility.cost': 'Total de {total}, incluindo {fees} de taxas',
  'eligibility.noFees': 'Total de {total}, sem taxas',
  'eligibility.schedule': 'Cronograma de pagamentos',
  'eligibility.notEligible': 'A financeira não aceitou o parcelamento deste pedido e não informou o motivo. Você ainda pode pagar à vista.',
  'eligibility.refused': 'A financeira não conseguiu verificar seus dados: {detail}',
  'eligibility.invalidDetails': 'Não é possível oferecer o parcelamento: alguns dos seus dados cadastrados estão faltando ou não são válidos. {detail}',
  'eligibility.unavailable': 'A financeira não está respondendo agora. Tente novamente em instantes.',
  'eligibility.noCustomer': 'Encontre sua conta para ver se você pode pagar parcelado.',
  'eligibility.unverified': 'Confirme que esta conta é sua para saber se pode pagar em prestações.',
  'eligibility.unverifiedShop': 'Inicie sessão na loja para saber se pode pagar em prestações.',
  'eligibility.nothingDue': 'Não há mais nada a pagar, então não há nada para parcelar.',
  'eligibility.open': 'Você iniciou um pagamento: {offer}. Conclua ou cancele na página de pagamento.',
  'eligibility.continue': 'Ir para a página de pagamento',
  'eligibility.paid': 'Pago: {offer}, {total} no total.',
  'pay.fees': 'Taxas do parcelamento',
  'pay.totalWithFees': 'Total com taxas',
  'pay.submitOffer': '{offer}: {total}',
  'pay.redirecting': 'Levando você à página de pagamento…',
  'pay.continueOffer': 'Continuar para a página de pagamento',
  'pay.instalmentsOpen': 'Há um pagamento parcelado em aberto: conclua ou cancele na página de pagamento.',
  'pay.instalmentsRefused': 'O pagamento parcelado foi recusado. Nada foi cobrado e seus pontos estão liberados novamente. Você pode escolher outra forma de pagamento.',
  'pay.instalmentsCancelled': 'Você cancelou o pagamento parcelado. Nada foi cobrado. Você pode escolher outra forma de pagamento.',
  'pay.instalmentsReview': 'Seu pagamento parcelado foi recebido, mas seu pedido mudou nesse meio-tempo. A loja vai entrar em contato com você: não pague novamente.',
  'receipt.instalments': 'Condição de pagamento',
  'pay.anotherWay': 'Pagar de outra forma',
};
