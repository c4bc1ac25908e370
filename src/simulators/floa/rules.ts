/**
 * The simulator's reading of the eligibility request, written apart from the adapter's
 * country rules so the tests catch a mistake on either side. It answers what FLOA answers for
 * an invalid request: an eligibility entry with `purchaseType: "Undefined"` and `errors[]`.
 *
 * The document gives one error text verbatim: "Zip code is mandatory. Length of characters
 * accepted for country code FR: 5." The other texts follow its pattern; they are ours.
 *
 * Where the document contradicts itself, both forms are accepted: `rawAmount` or `raw_amount`
 * (its sector examples), birth dates as "yyyy-MM-ddThh:mm:ss.SSSZ" (table) or
 * "1986-07-16T00:00:00.0000000+00:00" (examples), and a missing `birthName` (the table says
 * mandatory, every example omits it).
 */

export const KO = {
  presaleFolder: 'presaleFolder is mandatory.',
  oneCart: 'Provide only one shopping cart.',
  cartReference: 'Shopping cart reference is mandatory. Only letters, numbers and _ are accepted (30 characters max).',
  rawAmount: 'Raw amount is mandatory (amount in cents).',
  productsCount: 'Products count is mandatory.',
  products: 'Send at least one product.',
  productAmount: 'Product raw amount is mandatory (amount in cents).',
  shippingMethod: 'Product shipping method is mandatory.',
  saleChannel: 'Sale channel is mandatory.',
  customer: 'Customer is mandatory.',
  civility: 'Civility is mandatory. Values accepted: Mr, Mrs, Ms.',
  lastName: 'Last name is mandatory.',
  firstName: 'First name is mandatory.',
  birthDate: 'Birth date is mandatory. Format accepted: yyyy-MM-ddThh:mm:ss.SSSZ.',
  customerReference: 'Customer reference is mandatory. Length of characters accepted: 30 max.',
  email: 'Email is mandatory. Length of characters accepted: 60 max.',
  phone: 'Home phone number or cell phone number is mandatory.',
  homePhone: (cc: string, n: number) => `Home phone number is invalid. Length of characters accepted for country code ${cc}: ${n}.`,
  cellPhone: (cc: string, n: number) => `Cell phone number is invalid. Length of characters accepted for country code ${cc}: ${n}.`,
  phoneLength: 'Phone number is invalid. Length of characters accepted: 13 max.',
  birthZipCode: (cc: string) => `Birth zip code is mandatory for country code ${cc}. Length of characters accepted: 2, 3 or 5.`,
  birthZipCodePt: 'Birth zip code must be 99 for country code PT.',
  nationalId: (cc: string) => `National id is mandatory for country code ${cc}.`,
  homeAddress: 'Home address is mandatory.',
  line1: 'Address line 1 is mandatory. Length of characters accepted: 32 max.',
  city: 'City is mandatory. Length of characters accepted: 50 max.',
  countryCode: 'Country code is mandatory. Country codes accepted: FR, ES, IT, PT, BE.',
  zip: (cc: string, n: number) => `Zip code is mandatory. Length of characters accepted for country code ${cc}: ${n}.`,
  zipPt: 'Zip code is mandatory. Format accepted for country code PT: xxxx-xxx.',
  merchantSite: 'Merchant site urls (homeUrl, backUrl, returnUrl, notificationUrl) are mandatory for 10X payment.',
  reportDelay: 'Report delay in days must be between 1 and 30 for pay later payment.',
  siteCountry: (site: string, cc: string) => `Merchant site ${site} serves country code ${cc} only.`,
} as const;

const SALE_CHANNELS = ['Desktop', 'Tablet', 'Ipad', 'IPhone', 'AndroidSmartPhone', 'SmartPhone', 'AndroidTablet'];
const SHIPPING_METHODS = ['STD', 'EXP', 'TRK', 'REG', 'COL', 'CHR', 'REL', 'TNT', 'UPS', 'TRP', 'MAG', 'LCK', 'VIR', 'RIM'];
const COUNTRIES = ['FR', 'ES', 'IT', 'PT', 'BE'];

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const cents = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/** What the simulator keeps of a valid request. */
export interface ReadRequest {
  reference: string;
  rawAmount: number;
  country: string;
  email: string;
  customerReference: string;
  saleChannel: string;
  reportDelayInDays?: number;
  merchantSite?: { homeUrl: string; backUrl: string; returnUrl: string; notificationUrl: string };
}

/** "1986-07-16T00:00:00.000Z" or "1986-07-16T00:00:00.0000000+00:00" (or a bare date). */
export function isFloaDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?(?:Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The KO texts for `body` (in the document's field order); none means the request is valid. */
export function readEligibilityRequest(body: unknown): { errors: string[]; request?: ReadRequest } {
  const errors: string[] = [];
  const folder = obj(obj(body)?.presaleFolder);
  if (!folder) return { errors: [KO.presaleFolder] };

  const carts = Array.isArray(folder.shoppingCarts) ? folder.shoppingCarts : [];
  if (carts.length > 1) errors.push(KO.oneCart);
  const cart = obj(carts[0]) ?? {};
  const reference = str(cart.reference);
  if (!/^[A-Za-z0-9_]{1,30}$/.test(reference)) errors.push(KO.cartReference);
  const rawAmount = cents(cart.rawAmount ?? cart.raw_amount ?? folder.rawAmount);
  if (rawAmount === undefined || rawAmount === 0) errors.push(KO.rawAmount);
  if (!(typeof cart.productsCount === 'number' && Number.isInteger(cart.productsCount) && cart.productsCount > 0)) errors.push(KO.productsCount);
  const products = Array.isArray(cart.products) ? cart.products.map(obj) : [];
  if (products.length === 0) errors.push(KO.products);
  // Every product has an amount in the table; the document's own Spanish example has none: accept it missing.
  if (products.some((p) => p && (p.rawAmount ?? p.raw_amount) !== undefined && cents(p.rawAmount ?? p.raw_amount) === undefined)) errors.push(KO.productAmount);
  if (products.some((p) => !p || !SHIPPING_METHODS.includes(str(obj(p.shipping)?.method)))) errors.push(KO.shippingMethod);
  const saleChannel = str(folder.saleChannel);
  if (!SALE_CHANNELS.includes(saleChannel)) errors.push(KO.saleChannel);

  const customer = obj(folder.customer);
  if (!customer) return { errors: [...errors, KO.customer] };
  const address = obj(customer.homeAddress);
  const country = str(address?.countryCode).toUpperCase();
  if (!['Mr', 'Mrs', 'Ms'].includes(str(customer.civility))) errors.push(KO.civility);
  if (!str(customer.lastName)) errors.push(KO.lastName);
  if (!str(customer.firstName)) errors.push(KO.firstName);
  if (!isFloaDate(str(customer.birthDate))) errors.push(KO.birthDate);
  const customerReference = str(customer.reference);
  if (!customerReference || customerReference.length > 30) errors.push(KO.customerReference);
  const email = str(customer.email);
  if (!email.includes('@') || email.length > 60) errors.push(KO.email);

  // Birth zip code: "2, 3 or 5 characters", mandatory FR/IT/BE, "always 99" for PT.
  const birthZip = str(customer.birthZipCode);
  if (country === 'PT') {
    if (birthZip && birthZip !== '99') errors.push(KO.birthZipCodePt);
  } else if ((['FR', 'IT', 'BE'].includes(country) && !birthZip) || (birthZip && ![2, 3, 5].includes(birthZip.length))) {
    errors.push(KO.birthZipCode(country || 'FR'));
  }

  const home = str(customer.homePhoneNumber);
  const cell = str(customer.cellPhoneNumber);
  if (!home && !cell) errors.push(KO.phone);
  if (home.length > 13 || cell.length > 13) errors.push(KO.phoneLength);
  const homeLength = ({ ES: 9, PT: 9, IT: 6 } as Record<string, number>)[country];
  const cellLength = ({ ES: 9, PT: 9, IT: 9 } as Record<string, number>)[country];
  if (home && homeLength && !new RegExp(`^\\d{${homeLength}}$`).test(home)) errors.push(KO.homePhone(country, homeLength));
  if (cell && cellLength && !new RegExp(`^\\d{${cellLength}}$`).test(cell)) errors.push(KO.cellPhone(country, cellLength));

  if (['ES', 'IT', 'PT'].includes(country) && !str(customer.nationalId)) errors.push(KO.nationalId(country));

  if (!address) errors.push(KO.homeAddress);
  else {
    const line1 = str(address.line1);
    if (!line1 || line1.length > 32) errors.push(KO.line1);
    const city = str(address.city);
    if (!city || city.length > 50) errors.push(KO.city);
    if (!COUNTRIES.includes(country)) errors.push(KO.countryCode);
    const zip = str(address.zipCode);
    if (country === 'PT') {
      if (!/^\d{4}-\d{3}$/.test(zip)) errors.push(KO.zipPt);
    } else if (COUNTRIES.includes(country)) {
      const length = country === 'BE' ? 4 : 5;
      if (zip.length !== length) errors.push(KO.zip(country, length));
    }
  }

  const site = obj(folder.merchantSite);
  const merchantSite =
    site && ['homeUrl', 'backUrl', 'returnUrl', 'notificationUrl'].every((k) => URL.canParse(str(site[k])))
      ? { homeUrl: str(site.homeUrl), backUrl: str(site.backUrl), returnUrl: str(site.returnUrl), notificationUrl: str(site.notificationUrl) }
      : undefined;
  const delay = folder.reportDelayInDays;
  const reportDelayInDays = typeof delay === 'number' && Number.isInteger(delay) ? delay : undefined;

  if (errors.length) return { errors };
  return {
    errors,
    request: {
      reference,
      rawAmount: rawAmount!,
      country,
      email: email.toLowerCase(),
      customerReference,
      saleChannel,
      ...(reportDelayInDays !== undefined ? { reportDelayInDays } : {}),
      ...(merchantSite ? { merchantSite } : {}),
    },
  };
}
