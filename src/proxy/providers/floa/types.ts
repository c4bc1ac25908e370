import type { Cart, Money } from '../../../protocol/index.js';

/**
 * The FLOA adapter's own types (`shared/providers/floa-eligibility.txt`, NOTES.md § FLOA).
 * Field names follow FLOA's `presaleFolder.customer` so a field error's path
 * (`customer.birthZipCode`) means the same thing here and in FLOA's documentation.
 */

/** The five countries the document's table covers. Closed set: union and runtime check from one list. */
export const FLOA_COUNTRIES = ['FR', 'ES', 'IT', 'PT', 'BE'] as const;
export type FloaCountry = (typeof FLOA_COUNTRIES)[number];

export const FLOA_CIVILITIES = ['Mr', 'Mrs', 'Ms'] as const;
export type FloaCivility = (typeof FLOA_CIVILITIES)[number];

/** `presaleFolder.saleChannel` values, as the document lists them. */
export const FLOA_SALE_CHANNELS = ['Desktop', 'Tablet', 'Ipad', 'IPhone', 'AndroidSmartPhone', 'SmartPhone', 'AndroidTablet'] as const;
export type FloaSaleChannel = (typeof FLOA_SALE_CHANNELS)[number];

/** `products.shipping.method` values, as the document lists them (VIR = dematerialised sale). */
export const FLOA_SHIPPING_METHODS = ['STD', 'EXP', 'TRK', 'REG', 'COL', 'CHR', 'REL', 'TNT', 'UPS', 'TRP', 'MAG', 'LCK', 'VIR', 'RIM'] as const;
export type FloaShippingMethod = (typeof FLOA_SHIPPING_METHODS)[number];

/**
 * The payment options FLOA sells (NOTES: 3X=81, 4X=63, 10X=98, pay later 1XD=94). The
 * adapter recognises an offer by its `paymentOptionReference`; `purchaseType` is only a label
 * (the pay-later purchase type is not documented).
 */
export const FLOA_PAYMENT_OPTIONS = {
  '81': { purchaseType: 'Cb3X', instalments: 3, kind: 'split', label: 'Pay in 3 instalments' },
  '63': { purchaseType: 'Cb4X', instalments: 4, kind: 'split', label: 'Pay in 4 instalments' },
  '98': { purchaseType: 'Lcc10X', instalments: 10, kind: 'credit', label: 'Pay in 10 instalments' },
  '94': { purchaseType: 'Cb1XD', instalments: 1, kind: 'deferred', label: 'Pay later' },
} as const;
export type FloaPaymentOptionRef = keyof typeof FLOA_PAYMENT_OPTIONS;
export const FLOA_PAYMENT_OPTION_REFS = ['81', '63', '98', '94'] as const satisfies readonly FloaPaymentOptionRef[];

export interface FloaAddress {
  line1: string;
  line2?: string;
  line3?: string;
  line4?: string;
  zipCode: string;
  city: string;
  /** ISO 3166 alpha-2 ("FR"). */
  countryCode: string;
}

/**
 * The full identity FLOA scores, as the proxy's server-side customer source provides it
 * (never typed by the shopper into the widget, never sent to the browser).
 */
export interface FloaCustomer {
  /** The merchant's customer id (≤ 30 characters). */
  reference: string;
  civility: FloaCivility;
  firstName: string;
  lastName: string;
  /**
   * Birth name. Mandatory in the table; when absent the adapter uses `lastName`, except for
   * `Mrs` (a married woman's birth name usually differs, so the source must know it).
   */
  birthName?: string;
  /** Spanish orders only (the second surname); not sent for other countries. */
  secondLastName?: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** French birth department or postal code: "75", "972", "06000"; "99" when born outside France. */
  birthZipCode?: string;
  /** ISO alpha-2 country of birth, when the source knows it: enables the "99 if not born in France" check. */
  birthCountry?: string;
  homePhoneNumber?: string;
  cellPhoneNumber?: string;
  email: string;
  homeAddress: FloaAddress;
  /** Spanish DNI/NIE, Italian codice fiscale, Portuguese NIF. Mandatory for ES, IT, PT. */
  nationalId?: string;
  nationality?: 'Local' | 'EU' | 'OutsideEU';
  /** Dates `YYYY-MM-DD` ("necessary" data: improves the decision). */
  history?: { firstOrderDate?: string; lastOrderDate?: string };
  ipAddress?: string;
}

/** URLs FLOA needs in the eligibility request itself for a 10X offer (`presaleFolder.merchantSite`, France only). */
export interface FloaMerchantUrls {
  homeUrl?: string;
  backUrl: string;
  returnUrl: string;
  notificationUrl: string;
}

export interface FloaEligibilityInput {
  checkoutId: string;
  cart: Cart;
  customer: FloaCustomer;
  /** What FLOA finances: the cart total net of loyalty discount and spend. */
  amountDue: Money;
  /**
   * Order country; by default the customer's (`customer.homeAddress.countryCode`), whose
   * merchant sites are asked and whose rules apply.
   */
  country?: FloaCountry;
  saleChannel?: FloaSaleChannel;
  /** Only needed to be offered 10X (France). */
  merchantUrls?: FloaMerchantUrls;
}

export interface FloaScheduleItem {
  dueDate: string;
  amount: Money;
}

export interface FloaOffer {
  /** Stable id of the option: `floa-63`. */
  id: string;
  label: string;
  kind: 'split' | 'credit' | 'deferred';
  instalments: number;
  fees: Money;
  /** amountDue + fees: what the shopper pays in all, and the payment session's amount. */
  total: Money;
  schedule: FloaScheduleItem[];
  /** FLOA's eligibility token (`scoringToken` of the payment session). Server-side only. */
  token: string;
  paymentOptionRef: FloaPaymentOptionRef;
  merchantSiteId: string;
  purchaseType: string;
  /** FLOA's support id for this decision. */
  requestId: string;
  /** 10X only: where the shopper continues (the `continue-long-term-consumer-credit-process` link). */
  longTermCreditUrl?: string;
  /** The order country the offer was made for (its merchant site's); the payment session's `country`. */
  country?: FloaCountry;
}

export interface FloaPaymentSessionInput {
  /** The offer as `eligibility` returned it, kept on the server. */
  offer: Pick<FloaOffer, 'token' | 'paymentOptionRef' | 'merchantSiteId' | 'total' | 'fees' | 'longTermCreditUrl' | 'country'>;
  /** Our order reference (sanitised to FLOA's `[A-Za-z0-9_]{1,30}`). */
  orderRef: string;
  /** The amount due the offer was computed for; a mismatch means the offer is stale. */
  amountDue: Money;
  returnUrl: string;
  backUrl: string;
  homeUrl?: string;
  notificationUrl: string;
  customer: FloaCustomer;
  /** Order country; by default the offer's, else the customer's address country. */
  country?: FloaCountry;
  /** BCP 47 locale of the page ("fr-BE"); mapped to a culture FLOA accepts for the country. */
  locale?: string;
}

export interface FloaPaymentSession {
  /** Where to send the shopper. */
  url: string;
  /** FLOA's session id; absent for 10X, whose result is read by order reference. */
  sessionId?: string;
  /** The order reference FLOA knows the payment by. */
  orderRef: string;
}

export const FLOA_PAYMENT_STATUSES = ['paid', 'refused', 'cancelled', 'pending', 'unknown'] as const;
export type FloaPaymentStatus = (typeof FLOA_PAYMENT_STATUSES)[number];

export interface FloaNotification {
  orderRef: string;
  amount: Money;
  /** 0 OK, 1 refused, 2 refused by bank, 3 failed, 4 pending, 5 unknown, 6 cancelled. */
  returnCode: number;
  status: FloaPaymentStatus;
  merchantSiteId?: string;
  paymentOptionRef?: string;
  scoringToken?: string;
  schedule: FloaScheduleItem[];
}

export interface FloaPaymentResult {
  status: FloaPaymentStatus;
  amount: Money;
  returnCode: number;
  orderRef?: string;
}

/** 10X payments have no session: their result is read by order reference and merchant site. */
export type FloaPaymentRef = string | { orderRef: string; merchantSiteId: string };
