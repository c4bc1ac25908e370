import type { Catalogue } from './en.js';

/**
 * Russian: the messages of pay in instalments, in a chunk of their own that the instalments chunk
 * loads (with the page's language) only when the proxy has an instalment provider.
 */
export const ruInstalments: Partial<Catalogue> = {
  'eligibility.title': 'Оплата в рассрочку',
  'eligibility.checking': 'Проверяем, доступна ли вам оплата в рассрочку…',
  'eligibility.updating': 'Обновляем предложения для новой суммы…',
  'eligibility.payInFull': 'Оплатить {amount} сразу',
  'eligibility.offer.split': { one: 'Оплатить в {count} платёж', few: 'Оплатить в {count} платежа', many: 'Оплатить в {count} платежей', other: 'Оплатить в {count} платежа' },
  'eligibility.offer.credit': { one: 'Оплатить в {count} ежемесячный платёж (кредит)', few: 'Оплатить в {count} ежемесячных платежа (кредит)', many: 'Оплатить в {count} ежемесячных платежей (кредит)', other: 'Оплатить в {count} ежемесячного платежа (кредит)' },
  'eligibility.offer.deferred': 'Оплатить позже, {date}',
  'eligibility.cost': 'Итого {total}, включая комиссию {fees}',
  'eligibility.noFees': 'Итого {total}, без комиссии',
  'eligibility.schedule': 'График платежей',
  'eligibility.notEligible': 'Финансовая компания не одобрила оплату этого заказа в рассрочку и не сообщила причину. Вы по-прежнему можете оплатить заказ полностью.',
  'eligibility.refused': 'Финансовой компании не удалось проверить ваши данные: {detail}',
  'eligibility.invalidDetails': 'Рассрочку предложить нельзя: некоторые ваши сохранённые данные отсутствуют или указаны неверно. {detail}',
  'eligibility.unavailable': 'Финансовая компания сейчас не отвечает. Попробуйте чуть позже.',
  'eligibility.noCustomer': 'Найдите свой бонусный счёт, чтобы узнать, доступна ли вам оплата в рассрочку.',
  'eligibility.unverified': 'Подтвердите, что это ваш счёт, чтобы узнать, можно ли оплатить в рассрочку.',
  'eligibility.unverifiedShop': 'Войдите в магазин, чтобы узнать, можно ли оплатить в рассрочку.',
  'eligibility.nothingDue': 'Оплачивать больше нечего, поэтому рассрочка не нужна.',
  'eligibility.open': 'Вы начали оплату: {offer}. Завершите или отмените её на странице оплаты.',
  'eligibility.continue': 'Перейти на страницу оплаты',
  'eligibility.paid': 'Оплачено: {offer}, всего {total}.',
  'pay.fees': 'Комиссия за рассрочку',
  'pay.totalWithFees': 'Итого с комиссией',
  'pay.submitOffer': '{offer}: {total}',
  'pay.redirecting': 'Переходим на страницу оплаты…',
  'pay.continueOffer': 'Продолжить на странице оплаты',
  'pay.instalmentsOpen': 'Есть незавершённая оплата в рассрочку: завершите или отмените её на странице оплаты.',
  'pay.instalmentsRefused': 'В оплате в рассрочку отказано. Деньги не списаны, а ваши баллы снова доступны. Вы можете выбрать другой способ оплаты.',
  'pay.instalmentsCancelled': 'Вы отменили оплату в рассрочку. Деньги не списаны. Вы можете выбрать другой способ оплаты.',
  'pay.instalmentsReview': 'Ваша оплата в рассрочку получена, но за это время заказ изменился. Магазин свяжется с вами: не оплачивайте заказ повторно.',
  'receipt.instalments': 'Вариант оплаты',
  'pay.anotherWay': 'Оплатить иначе',
};
