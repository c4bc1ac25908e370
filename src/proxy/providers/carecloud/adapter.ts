import * as z from 'zod/mini';
import type { Cart, LoyaltyValue, Money } from '../../../protocol/index.js';
import { TokenCache, type IssuedToken } from '../../http/token-cache.js';
import { UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../../http/upstream.js';
import { ProblemError } from '../../problems.js';
import type { CallContext, CustomerRecord, HoldResult, LoyaltyProvider, LoyaltyQuote, QuoteInput, RecordSaleInput, SaleOutcome, SaleRecord } from '../provider.js';
import { decimalToMinor, minorToDecimal, minorToNumber } from '../units.js';
import { formatIsoWithOffset, formatProjectTime, isTimeZone, parseProjectTime } from './project-time.js';

/**
 * Adapter for CareCloud's enterprise interface v1.0, purchases
 * (`shared/providers/carecloud-purchases.txt`, plus the CareCloud facts in `NOTES.md`).
 *
 * - Auth: the excerpt shows Basic, which CareCloud has deprecated; NOTES gives the bearer login
 *   (`POST /users/actions/login` → token valid 7 h). Both are supported; bearer is the one to
 *   configure. The token is cached, renewed before `valid_to`, fetched once for concurrent
 *   callers, and renewed once more on a 401.
 * - The customer is found by card number (`GET /cards`, NOTES); a blocked card is refused. The
 *   card lookup carries no name: `GET /customers/{id}` (not in the documents) adds one only
 *   when `customerProfile` is on, and never stops a lookup.
 * - A quote is CareCloud's bill closure preview: points overview, recommended best rewards for
 *   the bill, and `accept-payment`, which commits nothing (NOTES) and says how many points the
 *   bill can take, what they are worth and what the purchase earns.
 * - A sale is `accept-payment`, then `send-purchase` with `bill_id` = our reference, then the
 *   payment summary. CareCloud refuses a second bill with the same `bill_id`
 *   (`bill_id/already_exists`): that answer means "already recorded" and returns the recorded sale.
 *   The same guard settles a send whose answer was lost: the bill is sent once more at once, and
 *   again by `saleOutcome` later if need be; only a second lost answer leaves it unknown.
 * - `pointValue` is configuration, checked against every figure CareCloud gives of its own.
 * - Amounts are decimals in the bill currency, written as the document writes them
 *   (`total_price` and `max_points` as strings, item amounts as numbers), converted exactly.
 */
const nonEmpty = () => z.string().check(z.minLength(1));

const BearerAuth = z.object({
  mode: z.literal('bearer'),
  externalAppId: nonEmpty().check(z.describe('`user_external_application_id` of the login call.')),
  login: nonEmpty().check(z.describe('Login of the API user.')),
  password: nonEmpty().check(z.describe('Password of the API user; keep it in the environment.')),
}).check(z.describe('Bearer login (`POST /users/actions/login`, a token valid 7 h, renewed before it lapses): the one to configure.'));
const BasicAuth = z.object({
  mode: z.literal('basic'),
  user: nonEmpty().check(z.describe('Basic auth user.')),
  password: nonEmpty().check(z.describe('Basic auth password; keep it in the environment.')),
}).check(z.describe('Basic auth: deprecated by CareCloud, kept for projects that still have only Basic credentials.'));

export const CarecloudOptions = z.object({
  provider: z.literal('carecloud'),
  baseUrl: z.url().check(z.describe('The enterprise interface: `https://{project}/webservice/rest-api/enterprise-interface/v1.0`.')),
  auth: z.discriminatedUnion('mode', [BearerAuth, BasicAuth]).check(z.describe('How the proxy signs in, by `mode`: `bearer` (recommended) or `basic` (deprecated).')),
  storeId: nonEmpty().check(z.describe('The store (`GET /stores`) every bill is closed at.')),
  cashdeskNumber: z._default(z.int().check(z.minimum(0)), 1).check(z.describe('The cashdesk of that store every bill is closed at.')),
  currency: z._default(z.string().check(z.regex(/^[A-Z]{3}$/)), 'CZK').check(z.describe('ISO 4217 code of the bill currency; carts in another currency are refused.')),
  currencyId: nonEmpty().check(z.describe("CareCloud's id of that currency (`GET /currencies`).")),
  purchaseTypeId: nonEmpty().check(z.describe('`purchase_type_id` of sent bills (`GET /purchase-types`).')),
  purchaseItemTypeId: nonEmpty().check(z.describe('`purchase_item_type_id` of bill items (`GET /purchase-item-types`).')),
  categoryPluId: nonEmpty().check(z.describe('`category_plu_id` of bill items (the cart carries no category).')),
  pluListCode: z._default(nonEmpty(), 'GLOBAL').check(z.describe('Product list our SKUs belong to (`plu_ids[].list_code`).')),
  vatRate: z._default(z.number().check(z.minimum(0), z.maximum(100)), 21).check(z.meta({ unit: 'percent', description: 'VAT rate written on bill items.' })),
  pointValue: z.int().check(
    z.positive(),
    z.meta({
      unit: 'minor units',
      description:
        'What one point is worth, in minor units of `currency` (50 = 0.50 CZK): turns a chosen spend into `max_points` and values balances and earnings. ' +
        "Required: no document gives a programme-wide figure, and CareCloud's own figures come only per customer (points overview `available_points_money_value[]`, when the status allows paying with points; NOTES.md § CareCloud) " +
        'and per bill (accept-payment `credit_points` / `price_of_credit_points`, carecloud-purchases.txt:437-438), so a customer without points has none. ' +
        'Every such figure is checked against it: a contradiction is logged and refuses every operation that values points until the configuration is fixed.',
    }),
  ),
  rewardListType: z._default(z.enum(['F', 'C', 'A']), 'C').check(z.describe('`reward_list_type` of the rewards asked for a bill: C = only the rewards that apply to the bill\'s items.')),
  fiscal: z._default(z.boolean(), false).check(z.describe('`fiscal` flag of sent bills.')),
  holdMinutes: z._default(z.int().check(z.minimum(1), z.maximum(24 * 60)), 15).check(z.meta({ unit: 'minutes', description: 'How long a point reservation (hold) lasts.' })),
  timeZone: z._default(z.string().check(z.refine(isTimeZone, 'Expected an IANA time zone such as "Europe/Prague".')), 'Europe/Prague').check(
    z.describe("The project's IANA time zone: CareCloud writes local times without an offset."),
  ),
  reservationTimes: z._default(z.enum(['project', 'utc']), 'project').check(
    z.describe(
      'How the project reads a point reservation\'s `expiration_time` ("YYYY-MM-DD HH:MM:SS", no offset; NOTES.md § CareCloud): `project` = a wall time in `timeZone`, `utc` = UTC. The documents do not say. ' +
        "Default `project`, as CareCloud's other offset-less times are read (token `valid_to`, purchase `payment_time`, carecloud-purchases.txt:90); and a wrong guess then errs towards a longer hold east of UTC, not a hold already lapsed when made.",
    ),
  ),
  customerProfile: z._default(z.boolean(), false).check(
    z.describe(
      "Also read the customer's name and phone from `GET /customers/{customer_id}`. The documents do not list that call (NOTES.md § CareCloud gives only `/customers/{id}/points`), so it is off by default, and best-effort when on: " +
        'where it is missing, forbidden or failing, the customer is still identified by the card lookup, under `anonymousName`.',
    ),
  ),
  anonymousName: z._default(nonEmpty(), 'Card holder').check(z.describe('The name shown for a customer identified by card alone: the card lookup carries no name (NOTES.md § CareCloud).')),
  language: z._default(nonEmpty(), 'en').check(z.describe('`Accept-Language` of every call.')),
  timeoutMs: z._default(z.int().check(z.positive()), 8000).check(z.meta({ unit: 'ms', description: 'Timeout of each call to CareCloud.' })),
}).check(z.meta({ title: 'CareCloud', description: "CareCloud CRM's enterprise interface (purchases): customers by card number, rewards for the bill, points held and spent, the purchase sent." }));
export type CarecloudOptions = z.infer<typeof CarecloudOptions>;

// ---------------------------------------------------------------- replies (only what we read)
const Decimal = z.union([z.number(), z.string()]);
const Text = z.optional(z.nullable(z.string()));

const LoginReply = z.object({ data: z.object({ bearer_token: nonEmpty(), valid_to: Text }) });
const CardsReply = z.object({
  data: z.object({
    cards: z.array(z.object({ card_id: z.string(), customer_id: Text, card_number: z.union([z.string(), z.number()]), state: z.number(), valid_to: Text })),
  }),
});
const CustomerReply = z.object({
  data: z.object({
    customer_id: z.string(),
    personal_information: z.optional(z.nullable(z.object({ first_name: Text, last_name: Text, phone: Text }))),
  }),
});
const PointsOverviewReply = z.object({
  data: z.object({
    available_points: Decimal,
    available_points_money_value: z.optional(z.nullable(z.array(z.object({ currency_id: z.string(), value: Decimal })))),
  }),
});
const RewardsReply = z.object({
  data: z.object({
    recommended_best_rewards: z.array(
      z.object({ code: z.string(), name: Text, description: Text, reward_priority: z.optional(z.nullable(z.number())), max_count: z.optional(z.nullable(z.number())) }),
    ),
  }),
});
const PaymentVoucher = z.object({ code: z.string(), name: Text, discount_value: z.optional(z.nullable(Decimal)) });
const AcceptPaymentReply = z.object({
  data: z.object({
    accepted_payment: z.object({
      credit_points: z.optional(z.nullable(Decimal)),
      price_of_credit_points: z.optional(z.nullable(Decimal)),
      benefit_codes: z.optional(z.nullable(z.array(PaymentVoucher))),
      credit_points_of_this_transaction: z.optional(z.nullable(Decimal)),
      total_credit_points: z.optional(z.nullable(Decimal)),
    }),
  }),
});
type AcceptedPayment = z.infer<typeof AcceptPaymentReply>['data']['accepted_payment'];
const SendPurchaseReply = z.object({ data: z.object({ purchase_id: z.string() }) });
const PurchasesReply = z.object({
  data: z.object({
    purchases: z.array(z.object({ purchase_id: z.string(), external_purchase_id: z.optional(z.nullable(z.union([z.string(), z.number()]))) })),
    total_items: z.optional(z.number()),
  }),
});
const SummaryReply = z.object({ data: z.object({ earned_points: z.optional(z.nullable(Decimal)), used_points: z.optional(z.nullable(Decimal)) }) });
const ErrorReply = z.object({
  error: z.object({
    title: Text,
    detail: Text,
    error_data: z.optional(
      z.nullable(
        z.object({
          invalid_params: z.optional(z.array(z.object({ name: z.optional(z.unknown()), reason: Text, message: Text }))),
        }),
      ),
    ),
  }),
});
type InvalidParam = { name: string; reason: string; message?: string };

/** A reward CareCloud recommends for this bill (its `code` can be sent as a benefit code). */
export interface CarecloudReward {
  code: string;
  name: string;
  description?: string;
  /** How many times it can apply to this bill; `null` = not limited by items. */
  maxCount: number | null;
}

/** The quote, with the rewards CareCloud recommends for the bill (not yet in `LoyaltyQuote`). */
export type CarecloudQuote = LoyaltyQuote & { rewards: CarecloudReward[] };

interface CarecloudCustomerData extends Record<string, unknown> {
  cardNumber: string;
  cardId: string;
}

/** CareCloud parameter names → the protocol field a user can act on. */
const FIELD_MAP: Record<string, string> = {
  card_number: 'query',
  customer_id: 'query',
  credit_points: 'amount',
  max_points: 'amount',
  amount: 'amount',
  benefit_codes: 'benefitCodes',
  bill_item_id: 'cart',
  bill_items: 'cart',
  total_price: 'cart',
};

/** Parameters that come from our configuration: a refusal is ours to fix, not the shopper's. */
const CONFIG_PARAMS = new Set(['store_id', 'cashdesk_number', 'currency_id', 'purchase_type_id', 'purchase_item_type_id', 'category_plu_id', 'system_id', 'payment_type', 'reward_list_type']);

/** Our own words for the reasons a shopper can meet (CareCloud's messages follow Accept-Language and vary). */
const MESSAGES: Record<string, string> = {
  'card_number/card_is_blocked': 'This loyalty card is blocked. Use another card or contact the loyalty programme.',
  'card_number/not_found': 'No customer has this card number.',
  not_enough_points_for_payment: 'The customer does not have enough points for this payment.',
  not_enough_points: 'The customer does not have enough points to hold this amount.',
  customer_cant_pay_by_points: 'This customer cannot pay with points.',
  points_min_amount_of_purchase: 'This purchase is too small to pay with points.',
  'benefit_codes/not_found': 'This code does not exist.',
  voucher_already_used: 'This code has already been used.',
  voucher_already_applied: 'This code is already applied.',
  voucher_expired: 'This code has expired.',
  voucher_assigned_to_another_customer: 'This code belongs to another customer.',
  not_enough_items_for_voucher: 'The cart does not contain the items this code applies to.',
  insufficient_amount_of_purchase: 'The purchase is too small for this code.',
  voucher_not_allowed_in_store: 'This code cannot be used in this shop.',
  voucher_cant_be_used_in_store: 'This code cannot be used in this shop.',
  max_number_of_voucher_exceeded: 'Too many codes for one purchase.',
  item_price_lower_than_paid_amount: 'A cart line has a price lower than its paid amount.',
};

const LOGIN_PATH = '/users/actions/login';
/** Renew the token this long before `valid_to`. */
const RENEW_BEFORE_MS = 5 * 60_000;
const DEFAULT_TOKEN_TTL_MS = 7 * 3600_000;
/** Pages of a customer's purchases scanned to find a bill already sent (newest first). */
const LOOKUP_PAGES = 5;

export interface CarecloudAdapterDeps {
  /** Clock in milliseconds (tests move it past the token's validity). */
  now?: () => number;
  /** Where the adapter reports what an operator must act on (default: stderr). */
  log?: (message: string) => void;
}

export class CarecloudAdapter implements LoyaltyProvider {
  readonly capabilities = {
    provider: 'carecloud',
    lookup: { kinds: ['card' as const] },
    spend: true,
    hold: true,
    earn: true,
    debt: false,
    catalog: false,
    // CareCloud records no tender: `payment_type` is how the bill is closed (S/D), not how it was
    // paid (carecloud-purchases.txt:365-367), so a payment the shop's PSP took is recorded alike.
    paymentMethods: ['card' as const, 'cash' as const, 'external' as const],
    proof: 'none' as const,
  };
  readonly #o: CarecloudOptions;
  readonly #http: UpstreamClient;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  /** Why `GET /customers/{id}` is no longer asked (it answered 403 or 405: refused for every customer). */
  #profileOff: string | undefined;
  /** Set once CareCloud's own figures contradicted `pointValue`: every operation that values points is refused. */
  #pointValueConflict: ProblemError | undefined;
  /** Statuses of the profile read already logged (one line each, not one per lookup). */
  readonly #profileLogged = new Set<string>();
  /** The bearer token (bearer auth only): renewed 5 min before `valid_to` (half-way through a shorter life). */
  readonly #token: TokenCache;

  constructor(options: CarecloudOptions, deps: CarecloudAdapterDeps = {}) {
    this.#o = options;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.log ?? ((message) => console.error(`[checkout-proxy] CareCloud: ${message}`));
    this.#http = new UpstreamClient({
      provider: 'carecloud',
      name: 'CareCloud',
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: { 'accept-language': options.language },
      // Safe calls are retried on transport failures and 5xx; a 429 (CareCloud asks for 2 s)
      // goes back to the caller with its Retry-After rather than holding the shopper's request.
      retry: { maxRetryAfterMs: 1000 },
    });
    this.#token = new TokenCache({ fetch: () => this.#logIn(), renewMarginMs: (lifetime) => (lifetime > 2 * RENEW_BEFORE_MS ? RENEW_BEFORE_MS : lifetime / 2), now: this.#now });
  }

  // ------------------------------------------------------------ LoyaltyProvider

  async identify(query: string, ctx: CallContext): Promise<CustomerRecord> {
    // Card numbers are read aloud or typed in groups: drop spaces and dashes.
    const cardNumber = query.replace(/[\s-]/g, '');
    const reply = await this.#call('GET', '/cards', CardsReply, ctx, { query: { card_number: cardNumber }, safe: true });
    const card = reply.data.cards.find((c) => String(c.card_number) === cardNumber);
    if (!card || !card.customer_id) {
      throw new ProblemError('not-found', 'No customer has this card number.', { errors: [{ field: 'query', message: 'Check the card number.' }] });
    }
    if (card.state !== 1) {
      const message = MESSAGES['card_number/card_is_blocked']!;
      throw new ProblemError('rejected', message, { errors: [{ field: 'query', message }] });
    }
    if (card.valid_to && this.#expired(card.valid_to)) {
      const message = 'This loyalty card has expired. Use another card.';
      throw new ProblemError('rejected', message, { errors: [{ field: 'query', message }] });
    }
    // The card lookup identifies the customer (NOTES.md § CareCloud): the profile only adds a name.
    const info = this.#o.customerProfile ? await this.#profile(card.customer_id, ctx) : undefined;
    const name = [info?.first_name, info?.last_name].filter(Boolean).join(' ') || this.#o.anonymousName;
    const data: CarecloudCustomerData = { cardNumber: String(card.card_number), cardId: card.card_id };
    return { providerId: card.customer_id, name, card: data.cardNumber, ...(info?.phone ? { phone: info.phone } : {}), data };
  }

  async quote(input: QuoteInput, ctx: CallContext): Promise<CarecloudQuote> {
    this.#checkCurrency(input.cart.currency);
    this.#assertPointValue();
    const cardNumber = this.#cardOf(input.customer);
    const codes = benefitCodesOf(input);
    const spendPoints = this.#pointsFor(input.spend);
    const bill = buildBill(this.#o, input.cart, `quote-${input.checkoutId}`, this.#now());

    const [overview, rewards] = await Promise.all([
      this.#call('GET', '/wallet/actions/points-overview', PointsOverviewReply, ctx, { query: { customer_id: input.customer.providerId }, safe: true }),
      // A read-only POST: it recommends, nothing is recorded.
      this.#call('POST', '/purchases/actions/recommended-best-rewards', RewardsReply, ctx, {
        safe: true,
        // This call's document types cashdesk_number as a string ("1").
        json: { store_id: this.#o.storeId, cashdesk_number: String(this.#o.cashdeskNumber), card_number: cardNumber, reward_list_type: this.#o.rewardListType, bill },
      }),
    ]);
    const balancePoints = toNumber(overview.data.available_points);
    // CareCloud gives the points' money value only when the customer's status allows paying with them.
    const moneyValue = overview.data.available_points_money_value?.find((v) => v.currency_id === this.#o.currencyId);
    if (moneyValue) this.#checkPointValue(balancePoints, this.#minor(moneyValue.value), 'the points overview');
    const wholePoints = Math.max(0, Math.floor(balancePoints));

    // accept-payment with every available point tells how much this bill can take; with the
    // chosen points, what the purchase earns. One call when both are the same.
    const mostPoints = moneyValue && wholePoints > 0 ? wholePoints : 0;
    const most = mostPoints > 0 ? this.#acceptPayment(bill, cardNumber, mostPoints, codes, ctx) : undefined;
    const chosen = spendPoints === mostPoints && most ? most : this.#acceptPayment(bill, cardNumber, spendPoints, codes, ctx);
    const [atMost, atChosen] = await Promise.all([most, chosen]);

    const step = this.#o.pointValue;
    const maxMinor = atMost ? Math.floor(this.#minor(atMost.price_of_credit_points) / step) * step : 0;
    this.#checkPrice(atChosen, spendPoints, input.spend);
    const earned = toNumber(atChosen.credit_points_of_this_transaction);
    return {
      balance: this.#value(balancePoints, moneyValue ? this.#minor(moneyValue.value) : undefined),
      spendable: { min: this.#money(maxMinor > 0 ? step : 0), max: this.#money(maxMinor), step },
      discount: this.#money(this.#discountOf(atChosen)),
      ...(earned > 0 ? { earn: this.#value(earned) } : {}),
      spendPoints,
      rewards: rewards.data.recommended_best_rewards.map((r) => ({
        code: r.code,
        name: r.name ?? r.code,
        ...(r.description ? { description: r.description } : {}),
        maxCount: r.max_count ?? null,
      })),
    };
  }

  async hold(input: QuoteInput, ctx: CallContext): Promise<HoldResult> {
    this.#assertPointValue();
    const points = this.#pointsFor(input.spend);
    const expiresAt = Math.floor((this.#now() + this.#o.holdMinutes * 60_000) / 1000) * 1000;
    const body = {
      customer_id: input.customer.providerId,
      external_id: holdId(input.checkoutId),
      amount: points,
      expiration_time: formatProjectTime(expiresAt, this.#o.reservationTimes === 'utc' ? 'UTC' : this.#o.timeZone),
    };
    let response = await this.#request('POST', '/point-reservations/actions/reserve-points', { json: body }, ctx);
    if (isRefusal(response, 'external_id', 'already_exists')) {
      // A hold of this checkout survived (a release that failed): replace it.
      await this.#free(body.external_id, ctx);
      response = await this.#request('POST', '/point-reservations/actions/reserve-points', { json: body }, ctx);
    }
    if (!isSuccess(response)) throw this.#failure(response, false);
    return { amount: this.#value(points), expiresAt: new Date(expiresAt).toISOString() };
  }

  async release(input: Omit<QuoteInput, 'spend'>, ctx: CallContext): Promise<void> {
    await this.#free(holdId(input.checkoutId), ctx);
  }

  async recordSale(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord> {
    this.#checkCurrency(input.cart.currency);
    this.#assertPointValue();
    const cardNumber = this.#cardOf(input.customer);
    const codes = benefitCodesOf(input);
    const points = this.#pointsFor(input.spend);
    const bill = buildBill(this.#o, input.cart, input.reference, this.#now());
    // CareCloud documents no way for a purchase to consume a reservation: free this checkout's
    // hold so its points are available to the payment itself.
    await this.#free(holdId(input.checkoutId), ctx);

    let accepted: AcceptedPayment;
    try {
      accepted = await this.#acceptPayment(bill, cardNumber, points, codes, ctx);
    } catch (error) {
      // Refused now, perhaps because this very bill was recorded (its points are already gone).
      if (error instanceof ProblemError && error.kind === 'rejected') {
        const recorded = await this.#recorded(input, ctx);
        if (recorded) return recorded;
      }
      throw error;
    }
    this.#checkPrice(accepted, points, input.spend);
    const discount = this.#discountOf(accepted);
    if (Math.max(0, input.cart.total.amount - discount - input.spend) !== input.paid.amount) {
      throw new ProblemError('conflict', 'The discount CareCloud gives this bill has changed. Review the checkout before paying.', {
        errors: [{ field: 'benefitCodes', message: 'The discount has changed.' }],
      });
    }
    const usedPoints = toNumber(accepted.credit_points);

    const finalBill = {
      store_id: this.#o.storeId,
      cashdesk_number: this.#o.cashdeskNumber,
      card_number: cardNumber,
      bill: {
        ...bill,
        fiscal: this.#o.fiscal,
        purchase_type_id: this.#o.purchaseTypeId,
        canceled: false,
        // "S" (standard: the purchase also collects points), as in the document's example with points in the recap.
        payment_type: 'S',
        payment_recap: { credit_points: usedPoints, amount_for_credit: 0, vouchers: accepted.benefit_codes ?? [] },
      },
    };
    const sent = await this.#sendPurchase(finalBill, ctx);

    // The purchase is recorded: from here nothing may turn the sale into an error.
    let earned = toNumber(accepted.credit_points_of_this_transaction);
    if (sent.kind === 'exists') {
      // Recorded by an earlier send of this bill: its own figures when it can be read back, else
      // this bill's, which are the same bill's (but not the balance after, which counts it as new).
      const recorded = await this.#recorded(input, ctx).catch(() => undefined);
      return recorded ?? { reference: input.reference, discount: this.#money(discount), spent: this.#value(usedPoints, input.spend), ...(earned > 0 ? { earned: this.#value(earned) } : {}) };
    }
    let spent = usedPoints;
    if (sent.purchaseId) {
      try {
        const summary = await this.#call('GET', `/purchases/${encodeURIComponent(sent.purchaseId)}/actions/payment-summary`, SummaryReply, ctx, { safe: true });
        earned = toNumber(summary.data.earned_points ?? earned);
        spent = toNumber(summary.data.used_points ?? spent);
      } catch {
        // Keep accept-payment's figures, which send-purchase committed.
      }
    }
    const balanceAfter = accepted.total_credit_points;
    return {
      reference: input.reference,
      discount: this.#money(discount),
      spent: this.#value(spent, input.spend),
      ...(earned > 0 ? { earned: this.#value(earned) } : {}),
      ...(balanceAfter !== undefined && balanceAfter !== null ? { balanceAfter: this.#value(toNumber(balanceAfter)) } : {}),
    };
  }

  /**
   * Settles a sale whose outcome was unknown by sending the same bill again: CareCloud's own
   * duplicate guard refuses a second bill with the same `bill_id` (`bill_id/already_exists`,
   * NOTES.md § CareCloud), so this cannot make a second purchase. It is a write, not a read, and
   * it is chosen on purpose:
   * - the documents give no read that can prove a bill absent: `GET /purchases`
   *   (carecloud-purchases.txt:36-58) has no filter on the POS bill id, and nothing documents
   *   that `bill_id` becomes the purchase's `external_purchase_id`;
   * - the unknown attempt was the payment of this very bill (same `bill_id`, cart, spend and
   *   codes), so recording it once is what that payment asked for: `already_exists` → it was
   *   recorded; 201 → it was not, and now is, once;
   * - the bill goes through accept-payment and the same checks again first, so nothing is
   *   recorded on terms the shopper did not see; if those now refuse (points or a voucher used
   *   up, perhaps by this very bill), the purchases are read for it, else the outcome stays
   *   `unknown` for an operator: a refusal does not prove the first send failed.
   * Anything short of those two answers is `unknown`; the core asks again later.
   */
  async saleOutcome(input: RecordSaleInput, ctx: CallContext): Promise<SaleOutcome> {
    try {
      return { state: 'recorded', sale: await this.recordSale(input, ctx) };
    } catch {
      return { state: 'unknown' };
    }
  }

  /** A login with bearer auth (NOTES: `users/actions/login`); with Basic auth, a card lookup for nobody. */
  async checkCredentials(ctx: CallContext): Promise<string> {
    if (this.#o.auth.mode !== 'basic') {
      await this.#token.get();
      return 'logged in (users/actions/login)';
    }
    try {
      await this.identify('0000000000000', ctx);
    } catch (error) {
      if (error instanceof ProblemError && error.kind === 'not-found') return 'Basic credentials accepted (a card lookup for nobody)';
      throw error;
    }
    return 'Basic credentials accepted';
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  // ------------------------------------------------------------ CareCloud calls

  async #acceptPayment(bill: Bill, cardNumber: string, points: number, codes: string[], ctx: CallContext): Promise<AcceptedPayment> {
    const body = {
      store_id: this.#o.storeId,
      cashdesk_number: this.#o.cashdeskNumber,
      card_number: cardNumber,
      payment_type: 'S',
      // The document writes this call's amounts as strings ("max_points": "4").
      max_points: String(points),
      benefit_codes: codes,
      bill,
    };
    // accept-payment commits nothing (NOTES): safe to repeat.
    const reply = await this.#call('POST', '/purchases/actions/accept-payment', AcceptPaymentReply, ctx, { json: body, safe: true });
    const accepted = reply.data.accepted_payment;
    // The points it uses and their price (carecloud-purchases.txt:437-438): CareCloud's own point value.
    this.#checkPointValue(toNumber(accepted.credit_points), this.#minor(accepted.price_of_credit_points), 'accept-payment');
    return accepted;
  }

  /**
   * Name and phone from `GET /customers/{id}` (option `customerProfile`), or `undefined`: this
   * call is not in the documents, so nothing it answers stops a lookup. Sent once (a name is not
   * worth retries). 403 and 405 refuse the call itself: it is not asked again. 404 (a project
   * without it, or a customer it does not show) and other failures leave this lookup nameless.
   * E-mail, birthday and the rest of the profile are dropped: the checkout never needs them.
   */
  async #profile(customerId: string, ctx: CallContext): Promise<z.infer<typeof CustomerReply>['data']['personal_information']> {
    if (this.#profileOff) return undefined;
    let outcome: string;
    try {
      const response = await this.#request('GET', `/customers/${encodeURIComponent(customerId)}`, {}, ctx);
      const parsed = isSuccess(response) ? CustomerReply.safeParse(response.body) : undefined;
      if (parsed?.success) return parsed.data.data.personal_information;
      outcome = parsed ? 'an unexpected reply' : `HTTP ${response.status}`;
      if (response.status === 403 || response.status === 405) this.#profileOff = outcome;
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      outcome = error instanceof ProblemError ? error.message : 'a failure';
    }
    if (!this.#profileLogged.has(outcome)) {
      this.#profileLogged.add(outcome);
      const next = this.#profileOff ? 'not asked again until restart' : 'asked again at the next lookup';
      this.#log(`GET /customers/{id} (option customerProfile) answered ${outcome}; customers are identified by card alone and shown as "${this.#o.anonymousName}" (${next}). Turn customerProfile off if the project does not grant this call.`);
    }
    return undefined;
  }

  /**
   * `send-purchase`, sent once; when its answer is lost or is not CareCloud's (a 5xx, a reset,
   * a timeout), the same bill once more. CareCloud refuses a second bill with the same `bill_id`
   * (NOTES.md § CareCloud): `already_exists` says the first was recorded, 201 says it was not
   * and this one is. Either way exactly one purchase, and the outcome is known: only when the
   * second answer is lost too does the sale stay unknown (settled later by `saleOutcome`).
   * A documented refusal, a 429, or a call that never left (circuit open) is definite.
   */
  async #sendPurchase(finalBill: unknown, ctx: CallContext): Promise<Sent> {
    const first = await this.#sendOnce(finalBill, ctx);
    if (first.kind !== 'unknown') return first;
    let again: Sent | Lost;
    try {
      again = await this.#sendOnce(finalBill, ctx);
    } catch (error) {
      // Refused or not sent this time says nothing about the first send.
      if (ctx.signal?.aborted) throw error;
      again = first;
    }
    if (again.kind !== 'unknown') return again;
    throw new ProblemError('payment-outcome-unknown', `${first.problem.message} Sending the bill again did not settle it.`, { retryable: false, cause: first.problem });
  }

  async #sendOnce(finalBill: unknown, ctx: CallContext): Promise<Sent | Lost> {
    let response: UpstreamResponse;
    try {
      // No idempotency key in this API: bill_id is CareCloud's own duplicate guard.
      response = await this.#request('POST', '/purchases/actions/send-purchase', { json: finalBill, unsafe: true }, ctx);
    } catch (error) {
      // The client marks a call lost on the way (a reset, a timeout) as unknown; one that never left (circuit open) is definite.
      if (error instanceof ProblemError && error.kind === 'payment-outcome-unknown') return { kind: 'unknown', problem: error };
      throw error;
    }
    // 201 with purchase_id (carecloud-purchases.txt:466-470).
    if (isSuccess(response)) {
      const reply = SendPurchaseReply.safeParse(response.body);
      return { kind: 'created', ...(reply.success ? { purchaseId: reply.data.data.purchase_id } : {}) };
    }
    if (isRefusal(response, 'bill_id', 'already_exists')) return { kind: 'exists' };
    const failure = this.#failure(response, true);
    if (failure.kind === 'payment-outcome-unknown') return { kind: 'unknown', problem: failure };
    throw failure;
  }

  /** Frees a point reservation; none to free is fine. */
  async #free(externalId: string, ctx: CallContext): Promise<void> {
    // Safe to repeat: a reservation already freed is "not found", which is fine.
    const response = await this.#request('POST', '/point-reservations/actions/free-points', { json: { external_id: externalId }, safe: true }, ctx);
    if (isSuccess(response) || isRefusal(response, 'external_id', 'not_found')) return;
    throw this.#failure(response, false);
  }

  /**
   * The sale of a bill CareCloud already has, or `undefined`. CareCloud keeps the POS `bill_id`
   * as the purchase's `external_purchase_id` and documents no filter on it, so this pages
   * through the customer's purchases at our store, newest first.
   */
  async #recorded(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord | undefined> {
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const query = {
        customer_id: input.customer.providerId,
        store_id: this.#o.storeId,
        sort_field: 'payment_time',
        sort_direction: 'DESC',
        count: '100',
        offset: String(page * 100),
      };
      const reply = await this.#call('GET', '/purchases', PurchasesReply, ctx, { query, safe: true });
      const purchase = reply.data.purchases.find((p) => p.external_purchase_id !== null && p.external_purchase_id !== undefined && String(p.external_purchase_id) === input.reference);
      if (purchase) {
        const [summary, overview] = await Promise.all([
          this.#call('GET', `/purchases/${encodeURIComponent(purchase.purchase_id)}/actions/payment-summary`, SummaryReply, ctx, { safe: true }),
          this.#call('GET', '/wallet/actions/points-overview', PointsOverviewReply, ctx, { query: { customer_id: input.customer.providerId }, safe: true }),
        ]);
        const spent = toNumber(summary.data.used_points);
        const earned = toNumber(summary.data.earned_points);
        return {
          reference: input.reference,
          // The payment summary lists vouchers without their value: the checkout's own figures say what was discounted.
          discount: this.#money(Math.max(0, input.cart.total.amount - input.spend - input.paid.amount)),
          spent: this.#value(spent),
          ...(earned > 0 ? { earned: this.#value(earned) } : {}),
          balanceAfter: this.#value(toNumber(overview.data.available_points)),
        };
      }
      if (reply.data.purchases.length < 100) return undefined;
    }
    return undefined;
  }

  // ------------------------------------------------------------ HTTP and auth

  async #call<T>(method: 'GET' | 'POST', path: string, schema: z.ZodMiniType<T>, ctx: CallContext, init: Pick<UpstreamRequest, 'query' | 'json' | 'safe' | 'unsafe'> = {}): Promise<T> {
    const response = await this.#request(method, path, init, ctx);
    if (!isSuccess(response)) throw this.#failure(response, init.unsafe ?? false);
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      throw init.unsafe
        ? new ProblemError('payment-outcome-unknown', 'CareCloud sent an unexpected reply; the operation may have been recorded.', { retryable: false })
        : new ProblemError('upstream-unavailable', 'CareCloud sent an unexpected reply.', { retryable: false });
    }
    return parsed.data;
  }

  /** One authenticated call. A 401 means the call was not processed: renew the token and send it once more. */
  async #request(method: 'GET' | 'POST', path: string, init: Pick<UpstreamRequest, 'query' | 'json' | 'safe' | 'unsafe'>, ctx: CallContext): Promise<UpstreamResponse> {
    const auth = this.#o.auth;
    if (auth.mode === 'basic') {
      const authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
      return this.#http.request(path, { ...init, method, signal: ctx.signal, headers: { authorization } });
    }
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token.get();
      const response = await this.#http.request(path, { ...init, method, signal: ctx.signal, headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 401 || attempt > 0) return response;
      // Drops the cached token, unless another caller already replaced it.
      this.#token.drop(token);
    }
  }

  /** One bearer login (the token cache shares it between concurrent callers). */
  async #logIn(): Promise<IssuedToken> {
    const auth = this.#o.auth as z.infer<typeof BearerAuth>;
    const loggedInAt = this.#now();
    // Not tied to one caller's signal: the login is shared. A login records nothing: safe to repeat.
    const response = await this.#http.request(LOGIN_PATH, {
      method: 'POST',
      safe: true,
      json: { user_external_application_id: auth.externalAppId, login: auth.login, password: auth.password },
    });
    if (!isSuccess(response)) {
      // A 429 or 5xx is CareCloud's state, not the credentials: the same problem as on any call (Retry-After kept).
      if (response.status === 429 || response.status >= 500) throw this.#failure(response, false);
      throw new ProblemError('upstream-unavailable', `CareCloud refused the configured login (HTTP ${response.status}).`, { retryable: false });
    }
    const parsed = LoginReply.safeParse(response.body);
    if (!parsed.success) throw new ProblemError('upstream-unavailable', 'CareCloud sent an unexpected login reply.', { retryable: false });
    const { bearer_token, valid_to } = parsed.data.data;
    // valid_to is project local time; without it, CareCloud's default validity (7 h) applies.
    const validTo = (valid_to ? parseProjectTime(valid_to, this.#o.timeZone) : undefined) ?? loggedInAt + DEFAULT_TOKEN_TTL_MS;
    return { value: bearer_token, issuedAt: loggedInAt, expiresAt: validTo };
  }

  /**
   * A non-2xx reply → the problem the proxy reports. `unsafe` (send-purchase, which records the
   * purchase): only an answer that says nothing was recorded is definite (a 400 refusal, a 429,
   * refused credentials or path); any other is unknown. Everything else (reads, accept-payment,
   * reservations) records no sale: a 5xx there is `upstream-unavailable`, retryable.
   */
  #failure(response: UpstreamResponse, unsafe: boolean): ProblemError {
    const { status } = response;
    const retryAfter = response.headers.get('retry-after');
    const wait = retryAfter ? { headers: { 'retry-after': retryAfter } } : {};
    if (status === 400) return this.#rejection(response.body);
    if (status === 429) {
      // "429 means back off" (NOTES.md § CareCloud): not processed, even for send-purchase; its Retry-After goes to the caller.
      return new ProblemError('rate-limited', 'CareCloud is receiving too many requests; try again in a moment.', wait);
    }
    if (status === 401 || status === 403) {
      return new ProblemError('upstream-unavailable', `CareCloud refused the configured credentials (HTTP ${status}).`, { retryable: false });
    }
    if (status === 404) return new ProblemError('upstream-unavailable', 'CareCloud does not know a configured id or path (HTTP 404).', { retryable: false });
    return unsafe
      ? new ProblemError('payment-outcome-unknown', `CareCloud failed (HTTP ${status}); the purchase may have been recorded. Check its status before retrying.`, { retryable: false })
      : new ProblemError('upstream-unavailable', `CareCloud failed (HTTP ${status}).`, status >= 500 ? wait : {});
  }

  /** 400 `{error: {error_data: {invalid_params}}}` → per-field errors a user can act on. */
  #rejection(body: unknown): ProblemError {
    const params = invalidParams(body);
    const config = params.find((p) => CONFIG_PARAMS.has(p.name));
    if (config) {
      return new ProblemError('upstream-unavailable', `CareCloud refused the configured ${config.name} (${config.reason}).`, { retryable: false });
    }
    if (!params.length) return new ProblemError('rejected', 'CareCloud refused the operation.');
    const errors = params.map((p) => ({
      field: FIELD_MAP[p.name] ?? p.name,
      message: MESSAGES[`${p.name}/${p.reason}`] ?? MESSAGES[p.reason] ?? p.message ?? `CareCloud refused ${p.name} (${p.reason}).`,
    }));
    const notFound = params.every((p) => p.reason === 'not_found' && FIELD_MAP[p.name] === 'query');
    return new ProblemError(notFound ? 'not-found' : 'rejected', [...new Set(errors.map((e) => e.message))].join(' '), { errors });
  }

  // ------------------------------------------------------------ amounts

  /**
   * `pointValue` against a figure of CareCloud's own: `points` worth `minor`. CareCloud's amounts
   * are decimals in the bill currency (NOTES.md § CareCloud), so they may be rounded to its minor
   * unit: less than one minor unit apart is agreement. Anything else is a configuration that
   * would misprice every point: logged, remembered, and refused.
   */
  #checkPointValue(points: number, minor: number, source: string): void {
    this.#assertPointValue();
    if (!(points > 0) || Math.abs(points * this.#o.pointValue - minor) < 1) return;
    const c = this.#o.currency;
    this.#log(
      `pointValue is ${this.#o.pointValue} (${minorToDecimal(this.#o.pointValue, c)} ${c} a point), but ${source} values ${points} points at ${minorToDecimal(minor, c)} ${c} ` +
        `(about ${minorToDecimal(Math.round(minor / points), c)} ${c} a point). Points are refused until pointValue is corrected and the proxy restarted.`,
    );
    this.#pointValueConflict = new ProblemError('upstream-unavailable', "Points cannot be used now: the shop's point value (pointValue) contradicts the loyalty programme's. The shop must correct its configuration.", {
      retryable: false,
    });
    throw this.#pointValueConflict;
  }

  #assertPointValue(): void {
    if (this.#pointValueConflict) throw this.#pointValueConflict;
  }

  /** Whole points for a spend in minor units (the checkout keeps spends in steps of one point). */
  #pointsFor(spend: number): number {
    if (spend % this.#o.pointValue !== 0) {
      throw new ProblemError('validation', `Spend in steps of ${this.#o.pointValue} minor units (one point).`, {
        errors: [{ field: 'amount', message: 'Choose a whole number of points.' }],
      });
    }
    return spend / this.#o.pointValue;
  }

  /** CareCloud must price the chosen points at what the customer chose, or nothing is committed. */
  #checkPrice(accepted: AcceptedPayment, points: number, spend: number): void {
    const price = this.#minor(accepted.price_of_credit_points);
    if (points > 0 && price !== spend) {
      const message = `CareCloud accepts ${minorToDecimal(price, this.#o.currency)} ${this.#o.currency} in points on this bill, not ${minorToDecimal(spend, this.#o.currency)}.`;
      throw new ProblemError('rejected', message, { errors: [{ field: 'amount', message }] });
    }
  }

  #discountOf(accepted: AcceptedPayment): number {
    return (accepted.benefit_codes ?? []).reduce((sum, v) => sum + this.#minor(v.discount_value), 0);
  }

  /** A card's `valid_to` has passed (a date alone means valid through that day). */
  #expired(validTo: string): boolean {
    const text = validTo.trim();
    const at = parseProjectTime(text, this.#o.timeZone);
    if (at === undefined) return false;
    const end = /^\d{4}-\d{2}-\d{2}$/.test(text) ? at + 86_400_000 : at;
    return end <= this.#now();
  }

  #checkCurrency(currency: string): void {
    if (currency !== this.#o.currency) {
      throw new ProblemError('validation', `This loyalty programme works in ${this.#o.currency}; the cart is in ${currency}.`, {
        errors: [{ field: 'currency', message: `Expected ${this.#o.currency}.` }],
      });
    }
  }

  #cardOf(customer: CustomerRecord): string {
    const data = customer.data as Partial<CarecloudCustomerData> | undefined;
    const card = typeof data?.cardNumber === 'string' ? data.cardNumber : customer.card;
    if (!card) throw new ProblemError('conflict', 'Identify the customer by card before this step.');
    return card;
  }

  /** A provider decimal → minor units of the bill currency, exactly. */
  #minor(value: number | string | null | undefined): number {
    return value === null || value === undefined ? 0 : decimalToMinor(value, this.#o.currency);
  }

  #money(amount: number): Money {
    return { amount, currency: this.#o.currency };
  }

  /**
   * Points → loyalty value. `minor` is CareCloud's own money figure when it gives one; otherwise
   * points × pointValue, computed on hundredths of a point (CareCloud points have decimals).
   * The protocol counts whole points: a fractional balance shows its money value only.
   */
  #value(points: number, minor?: number): LoyaltyValue {
    const amount = minor ?? Math.round((Math.round(points * 100) * this.#o.pointValue) / 100);
    return { value: this.#money(amount), ...(Number.isInteger(points) ? { points } : {}) };
  }
}

/** The bill CareCloud evaluates, built from the server-side cart. */
function buildBill(o: CarecloudOptions, cart: Cart, billId: string, now: number) {
  const c = cart.currency;
  return {
    bill_id: billId,
    payment_time: formatIsoWithOffset(now, o.timeZone),
    currency_id: o.currencyId,
    // The document writes the bill total as a string ("700") and item amounts as numbers.
    total_price: minorToDecimal(cart.total.amount, c),
    bill_items: cart.lines.map((line, index) => ({
      plu_ids: [{ list_code: o.pluListCode, code: line.sku }],
      plu_name: line.name,
      category_plu_id: o.categoryPluId,
      vat_rate: o.vatRate,
      quantity: line.quantity,
      // paid_amount = unit price × quantity; price = "value of parameter paid_amount" per the schema.
      paid_amount: minorToNumber(line.total.amount, c),
      price: minorToNumber(line.total.amount, c),
      bill_item_id: String(index + 1),
      loyalty_off: false,
      purchase_item_type_id: o.purchaseItemTypeId,
    })),
  };
}
type Bill = ReturnType<typeof buildBill>;

/** The reservation id of a checkout's hold: derived, so release needs no stored state. */
const holdId = (checkoutId: string) => `hold-${checkoutId}`;

/** What a send-purchase did: created the purchase, or found this bill already recorded. */
type Sent = { kind: 'created'; purchaseId?: string } | { kind: 'exists' };
/** A send-purchase whose answer was lost. */
type Lost = { kind: 'unknown'; problem: ProblemError };

const isSuccess = (response: UpstreamResponse) => response.status >= 200 && response.status < 300;

function isRefusal(response: UpstreamResponse, name: string, reason: string): boolean {
  return response.status === 400 && invalidParams(response.body).some((p) => p.name === name && p.reason === reason);
}

function invalidParams(body: unknown): InvalidParam[] {
  const parsed = ErrorReply.safeParse(body);
  if (!parsed.success) return [];
  return (parsed.data.error.error_data?.invalid_params ?? []).map((p) => ({
    name: typeof p.name === 'string' ? p.name : JSON.stringify(p.name ?? ''),
    reason: p.reason ?? '',
    ...(p.message ? { message: p.message } : {}),
  }));
}

/** Provider decimals (numbers or strings) as numbers, for point counts. */
function toNumber(value: number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Benefit (voucher) codes the checkout carries. The provider interface has no such field yet:
 * read defensively, so the proxy can pass `benefitCodes` on the quote and sale inputs.
 */
function benefitCodesOf(input: object): string[] {
  const codes = (input as { benefitCodes?: unknown }).benefitCodes;
  if (!Array.isArray(codes)) return [];
  return [...new Set(codes.filter((c): c is string => typeof c === 'string').map((c) => c.trim()).filter(Boolean))];
}
