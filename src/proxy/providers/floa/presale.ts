import { createHash } from 'node:crypto';
import type { Cart } from '../../../protocol/index.js';
import type { FloaCountry, FloaCustomer, FloaMerchantUrls, FloaSaleChannel, FloaShippingMethod } from './types.js';

/**
 * Builds FLOA's eligibility body (`presaleFolder`) from the server-side cart and customer
 * record: one shopping cart (multi-shipping is "not managed for now"), one product per cart
 * line with its categories (parent first) and shipping method, the customer, the sale channel.
 * Amounts are integer cents, as FLOA wants them, so the protocol's minor units pass through.
 */

export interface PresaleInput {
  /** Shopping cart reference, already in FLOA's alphabet (see `floaReference`). */
  reference: string;
  cart: Cart;
  /** What FLOA finances (cents). */
  rawAmount: number;
  /** A normalised customer (see `normaliseCustomer`). */
  customer: FloaCustomer;
  country: FloaCountry;
  saleChannel: FloaSaleChannel;
  shippingMethod: FloaShippingMethod;
  /** Category path per SKU, parent first (`["Sport", "Membership"]`). */
  categories: Record<string, string[]>;
  defaultCategories: string[];
  /** Pay later only: days until the single payment (1–30). */
  reportDelayInDays?: number;
  /** 10X only (France): the journey's URLs. */
  merchantSite?: FloaMerchantUrls;
}

/**
 * Our id → FLOA's reference alphabet: "letters, numbers and _", 30 characters at most. Ids
 * that would be cut keep a short hash of the whole id so two long ids never collide.
 */
export function floaReference(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (clean.length <= 30 && clean.length > 0) return clean;
  const hash = createHash('sha1').update(id).digest('hex').slice(0, 8);
  return `${clean.slice(0, 21)}_${hash}`;
}

/** `YYYY-MM-DD` → the table's "yyyy-MM-ddThh:mm:ss.SSSZ". */
export function floaDateTime(date: string): string {
  return `${date}T00:00:00.000Z`;
}

export function buildPresaleFolder(input: PresaleInput) {
  const { cart, customer: c } = input;
  const products = cart.lines.map((line) => ({
    name: line.name,
    rawAmount: line.total.amount,
    categories: categoryChain(input.categories[line.sku] ?? input.defaultCategories),
    shipping: { method: input.shippingMethod },
  }));
  const discount = cart.total.amount - input.rawAmount;
  return {
    presaleFolder: {
      shoppingCarts: [
        {
          reference: input.reference,
          rawAmount: input.rawAmount,
          productsCount: cart.lines.reduce((sum, line) => sum + line.quantity, 0),
          products,
        },
      ],
      customer: floaCustomerPayload(c, input.country),
      saleChannel: input.saleChannel,
      ...(input.reportDelayInDays !== undefined ? { reportDelayInDays: input.reportDelayInDays } : {}),
      ...(input.merchantSite
        ? {
            merchantSite: {
              // "Not used actually but still mandatory. Put same as backUrl."
              homeUrl: input.merchantSite.homeUrl ?? input.merchantSite.backUrl,
              backUrl: input.merchantSite.backUrl,
              returnUrl: input.merchantSite.returnUrl,
              notificationUrl: input.merchantSite.notificationUrl,
            },
            // 10X shows the voucher line on its payment page: loyalty discount and spend.
            ...(discount > 0 ? { discountAmount: discount } : {}),
          }
        : {}),
    },
  };
}

/** The customer as FLOA's `presaleFolder.customer` (also sent with the payment session). */
export function floaCustomerPayload(c: FloaCustomer, country: FloaCountry) {
  return stripUndefined({
    reference: c.reference,
    civility: c.civility,
    firstName: c.firstName,
    lastName: c.lastName,
    birthName: c.birthName,
    // "Only for Spanish orders"; `normaliseCustomer` already dropped it elsewhere.
    secondLastName: country === 'ES' ? c.secondLastName : undefined,
    birthDate: floaDateTime(c.birthDate),
    birthZipCode: c.birthZipCode,
    homePhoneNumber: c.homePhoneNumber,
    cellPhoneNumber: c.cellPhoneNumber,
    email: c.email,
    nationalId: c.nationalId,
    nationality: c.nationality,
    ipAddress: c.ipAddress,
    homeAddress: stripUndefined({ ...c.homeAddress }),
    history: c.history
      ? stripUndefined({
          firstOrderDate: c.history.firstOrderDate && floaDateTime(c.history.firstOrderDate),
          lastOrderDate: c.history.lastOrderDate && floaDateTime(c.history.lastOrderDate),
        })
      : undefined,
  });
}

/** ["Sport", "Membership"] → [{name: "Sport", parent: ""}, {name: "Membership", parent: "Sport"}]. */
function categoryChain(path: string[]) {
  return path.map((name, i) => ({ name, parent: i === 0 ? '' : path[i - 1]! }));
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}
