/**
 * The simulator's reading of the eligibility request, written apart from the adapter's
 * country rules so the tests catch a mistake on either side. It answers what FLOA answers for
 * an invalid request: an eligibility entry with `purchaseType: "Undefined"` and `errors[]`.
 *
 * The document gives one error text verbatim (floa-eligibility.txt:399): "Zip code is
 * mandatory. Length of characters accepted for country code FR: 5." The other texts follow its
 * pattern; they are ours. Each rule names the line of floa-eligibility.txt it follows.
 *
 * Where the document contradicts itself, both forms are accepted: `rawAmount` (:41, :48) or
 * `raw_amount` (its sector examples, :435), birth dates as "yyyy-MM-ddThh:mm:ss.SSSZ" (:66)
 * or "1986-07-16T00:00:00.0000000+00:00" (:134), a missing product amount (:48 mandatory,
 * the Spanish example :161-171 has none), and a missing `birthName` (:64 mandatory, every
 * example, e.g. :129-148, omits it).
 */

export const KO = {
  // floa-eligibility.txt:22
  presaleFolder: 'presaleFolder is mandatory.',
  // floa-eligibility.txt:22, :27 ("provide only one shopping cart")
  oneCart: 'Provide only one shopping cart.',
  // floa-eligibility.txt:40 string(30), "only letters, numbers and _"
  cartReference: 'Shopping cart reference is mandatory. Only letters, numbers and _ are accepted (30 characters max).',
  // floa-eligibility.txt:41 "amount of the order in cents"
  rawAmount: 'Raw amount is mandatory (amount in cents).',
  // floa-eligibility.txt:42
  productsCount: 'Products count is mandatory.',
  // floa-eligibility.txt:43 "send at least one product"
  products: 'Send at least one product.',
  // floa-eligibility.txt:48
  productAmount: 'Product raw amount is mandatory (amount in cents).',
  // floa-eligibility.txt:51, :55 (the methods)
  shippingMethod: 'Product shipping method is mandatory.',
  // floa-eligibility.txt:31 (the channels)
  saleChannel: 'Sale channel is mandatory.',
  // floa-eligibility.txt:28
  customer: 'Customer is mandatory.',
  // floa-eligibility.txt:61 Mr, Mrs, Ms
  civility: 'Civility is mandatory. Values accepted: Mr, Mrs, Ms.',
  // floa-eligibility.txt:62
  lastName: 'Last name is mandatory.',
  // floa-eligibility.txt:63
  firstName: 'First name is mandatory.',
  // floa-eligibility.txt:66
  birthDate: 'Birth date is mandatory. Format accepted: yyyy-MM-ddThh:mm:ss.SSSZ.',
  // floa-eligibility.txt:70 string (30)
  customerReference: 'Customer reference is mandatory. Length of characters accepted: 30 max.',
  // floa-eligibility.txt:71 string (60) (the row lost its field name)
  email: 'Email is mandatory. Length of characters accepted: 60 max.',
  // floa-eligibility.txt:68-69 "yes if the cellPhoneNumber / homePhoneNumber is not specified"
  phone: 'Home phone number or cell phone number is mandatory.',
  // floa-eligibility.txt:68 ES and PT 9 characters, IT 6
  homePhone: (cc: string, n: number) => `Home phone number is invalid. Length of characters accepted for country code ${cc}: ${n}.`,
  // floa-eligibility.txt:69 ES, PT and IT 9 characters
  cellPhone: (cc: string, n: number) => `Cell phone number is invalid. Length of characters accepted for country code ${cc}: ${n}.`,
  // floa-eligibility.txt:68-69 string (13)
  phoneLength: 'Phone number is invalid. Length of characters accepted: 13 max.',
  // floa-eligibility.txt:67 "2, 3 or 5 characters"; mandatory FR, IT, BE
  birthZipCode: (cc: string) => `Birth zip code is mandatory for country code ${cc}. Length of characters accepted: 2, 3 or 5.`,
  // floa-eligibility.txt:67 "always 99 for Portuguese order"
  birthZipCodePt: 'Birth zip code must be 99 for country code PT.',
  // floa-eligibility.txt:78 mandatory ES, IT, PT
  nationalId: (cc: string) => `National id is mandatory for country code ${cc}.`,
  // floa-eligibility.txt:72
  homeAddress: 'Home address is mandatory.',
  // floa-eligibility.txt:87 string (32)
  line1: 'Address line 1 is mandatory. Length of characters accepted: 32 max.',
  // floa-eligibility.txt:92 string (50)
  city: 'City is mandatory. Length of characters accepted: 50 max.',
  // floa-eligibility.txt:93, and the five countries of the table (:20)
  countryCode: 'Country code is mandatory. Country codes accepted: FR, ES, IT, PT, BE.',
  // floa-eligibility.txt:91 string (5), BE 4 characters; the text is :399's
  zip: (cc: string, n: number) => `Zip code is mandatory. Length of characters accepted for country code ${cc}: ${n}.`,
  // floa-eligibility.txt:91 "xxxx-xxx for Portuguese orders"
  zipPt: 'Zip code is mandatory. Format accepted for country code PT: xxxx-xxx.',
  // floa-eligibility.txt:36, :97-100 "yes for 10X payment"
  merchantSite: 'Merchant site urls (homeUrl, backUrl, returnUrl, notificationUrl) are mandatory for 10X payment.',
  // floa-eligibility.txt:32; the 1–30 days are NOTES § FLOA's ("pay later (1XD, 1–30 days)")
  reportDelay: 'Report delay in days must be between 1 and 30 for pay later payment.',
  // ours, not the document's: a site with a country serves that country only (FloaSite.country)
  siteCountry: (site: string, cc: string) => `Merchant site ${site} serves country code ${cc} only.`,
} as const;

// floa-eligibility.txt:31, :55, :20.
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
  if (!folder) return { errors: [KO.presaleFolder] }; // floa-eligibility.txt:22

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
  // Every product has an amount in the table (floa-eligibility.txt:48); the Spanish example (:161-171) has none: accept it missing.
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

  // Birth zip code (floa-eligibility.txt:67): "2, 3 or 5 characters", mandatory FR/IT/BE, "always 99" for PT.
  const birthZip = str(customer.birthZipCode);
  if (country === 'PT') {
    if (birthZip && birthZip !== '99') errors.push(KO.birthZipCodePt);
  } else if ((['FR', 'IT', 'BE'].includes(country) && !birthZip) || (birthZip && ![2, 3, 5].includes(birthZip.length))) {
    errors.push(KO.birthZipCode(country || 'FR'));
  }

  // Phones (floa-eligibility.txt:68-69): one of the two, 13 characters max, exact lengths for ES, PT and IT.
  const home = str(customer.homePhoneNumber);
  const cell = str(customer.cellPhoneNumber);
  if (!home && !cell) errors.push(KO.phone);
  if (home.length > 13 || cell.length > 13) errors.push(KO.phoneLength);
  const homeLength = ({ ES: 9, PT: 9, IT: 6 } as Record<string, number>)[country];
  const cellLength = ({ ES: 9, PT: 9, IT: 9 } as Record<string, number>)[country];
  if (home && homeLength && !new RegExp(`^\\d{${homeLength}}$`).test(home)) errors.push(KO.homePhone(country, homeLength));
  if (cell && cellLength && !new RegExp(`^\\d{${cellLength}}$`).test(cell)) errors.push(KO.cellPhone(country, cellLength));

  if (['ES', 'IT', 'PT'].includes(country) && !str(customer.nationalId)) errors.push(KO.nationalId(country)); // floa-eligibility.txt:78

  // Home address (floa-eligibility.txt:72, 84-93): line1, zipCode, city and countryCode mandatory in all five.
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

  // 10X (floa-eligibility.txt:36, 97-100) and pay later (:32): kept here, checked per merchant site by the simulator.
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
