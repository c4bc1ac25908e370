import type { Catalogue } from './en.js';

/**
 * Spanish: the messages of pay in instalments, in a chunk of their own that the instalments chunk
 * loads (with the page's language) only when the proxy has an instalment provider.
 */
export const esInstalments: Partial<Catalogue> = {
  'eligibility.title': 'Pagar a plazos',
  'eligibility.checking': 'Comprobando si puede pagar a plazos…',
  'eligibility.updating': 'Actualizando las ofertas para el nuevo importe…',
  'eligibility.payInFull': 'Pagar {amount} ahora',
  'eligibility.offer.split': { one: 'Pagar en {count} plazo', many: 'Pagar en {count} plazos', other: 'Pagar en {count} plazos' },
  'eligibility.offer.credit': { one: 'Pagar en {count} cuota mensual (crédito)', many: 'Pagar en {count} cuotas mensuales (crédito)', other: 'Pagar en {count} cuotas mensuales (crédito)' },
  'eligibility.offer.deferred': 'Pagar más tarde, el {date}',
  'eligibility.cost': 'Total {total}, incluidos {fees} de comisiones',
  'eligibility.noFees': 'Total {total}, sin comisiones',
  'eligibility.schedule': 'Calendario de pagos',
  'eligibility.notEligible': 'La entidad financiera no ha aceptado el pago a plazos de este pedido y no indica el motivo. Aun así, puede pagar el importe completo.',
  'eligibility.refused': 'La entidad financiera no ha podido comprobar sus datos: {detail}',
  'eligibility.invalidDetails': 'No se puede ofrecer el pago a plazos: algunos de sus datos registrados faltan o no son válidos. {detail}',
  'eligibility.unavailable': 'La entidad financiera no responde en este momento. Inténtelo de nuevo en unos instantes.',
  'eligibility.noCustomer': 'Busque su cuenta para saber si puede pagar a plazos.',
  'eligibility.unverified': 'Confirme que esta cuenta es suya para saber si puede pagar a plazos.',
  'eligibility.unverifiedShop': 'Inicie sesión en la tienda para saber si puede pagar a plazos.',
  'eligibility.nothingDue': 'No queda nada por pagar, así que no hay nada que pagar a plazos.',
  'eligibility.open': 'Ha iniciado un pago: {offer}. Complételo o cancélelo en la página de pago.',
  'eligibility.continue': 'Ir a la página de pago',
  'eligibility.paid': 'Pagado: {offer}, {total} en total.',
  'pay.fees': 'Comisiones del pago a plazos',
  'pay.totalWithFees': 'Total con comisiones',
  'pay.submitOffer': '{offer}: {total}',
  'pay.redirecting': 'Le estamos llevando a la página de pago…',
  'pay.continueOffer': 'Continuar en la página de pago',
  'pay.instalmentsOpen': 'Hay un pago a plazos en curso: complételo o cancélelo en la página de pago.',
  'pay.instalmentsRefused': 'El pago a plazos ha sido rechazado. No se le ha cobrado nada y sus puntos vuelven a estar disponibles. Puede elegir otra forma de pago.',
  'pay.instalmentsCancelled': 'Ha cancelado el pago a plazos. No se le ha cobrado nada. Puede elegir otra forma de pago.',
  'pay.instalmentsReview': 'Hemos recibido su pago a plazos, pero su pedido ha cambiado mientras tanto. La tienda se pondrá en contacto con usted: no vuelva a pagar.',
  'receipt.instalments': 'Modalidad de pago',
  'pay.anotherWay': 'Pagar de otra forma',
};
