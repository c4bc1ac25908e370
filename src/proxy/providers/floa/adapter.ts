import * as z from 'zod/mini';
import type { FieldError, Money } from '../../../protocol/index.js';
import { TokenCache, type IssuedToken } from '../../http/token-cache.js';
import { UpstreamClient, type UpstreamRequest } from '../../http/upstream.js';
import { ProblemError } from '../../problems.js';
import type { CallContext } from '../provider.js';
import { checkCountryRules, isFloaCountry, normaliseCustomer } from './country-rules.js';
import { formEntries, sealKey, statusOfReturnCode, verifyNotification, type FormFields } from './notification.js';
import { buildPresaleFolder, floaCustomerPayload, floaReference } from './presale.js';
import { readCents, readCode, readInstallmentPlan, readPath } from './replies.js';
import {
  FLOA_COUNTRIES,
  FLOA_PAYMENT_OPTION_REFS,
  FLOA_PAYMENT_OPTIONS,
  FLOA_SALE_CHANNELS,
  FLOA_SHIPPING_METHODS,
  type FloaCountry,
  type FloaEligibilityInput,
  type FloaNotification,
  type FloaOffer,
  type FloaPaymentOptionRef,
  type FloaPaymentRef,
  type FloaPaymentResult,
  type FloaPaymentSession,
  type FloaPaymentSessionInput,
  type FloaScheduleItem,
} from './types.js';

/**
 * Adapter for FLOA's buy-now-pay-later API (`shared/providers/floa-eligibility.txt` and
 * NOTES.md § FLOA):
 * - `GET /v1/auth/token` with `authorization: base64(login:password)` (no "Basic ") → a JSON
 *   string token, valid 48 h, sent as `authToken`; cached, renewed an hour before expiry,
 *   fetched once for concurrent callers, and re-fetched once if FLOA answers 401.
 * - `POST /api/{v1|v4}/eligibilities?merchantId=&merchantSiteIds=`, one call per merchant
 *   site (a site is one payment option: 3X, 4X, 10X or pay later), as FLOA's own shop module
 *   does. The per-country rules are checked first; an invalid record makes no call.
 * - The schedule of each eligible option from its `get-eligibility-installment-plan` link
 *   (floa-eligibility.txt:371-373, GET). The reply's shape is not documented: its field names
 *   are options (`installmentPlan`). An option whose schedule cannot be read is not offered
 *   (each offer shows fees, total and schedule: NOTES § FLOA); the others still are.
 * - `POST /v1/payment-sessions`, `GET /v1/payment-sessions/{id}/paymentResult/` (NOTES). The
 *   result reply's shape is not documented: its field names are options (`paymentResultFields`,
 *   by default the notification's `returnCode`, `amount`, `orderRef`).
 * - 10X has no session: the shopper follows the eligibility's
 *   `continue-long-term-consumer-credit-process` link (NOTES). The documents give no way to
 *   re-read a 10X result, and NOTES says to re-read before recording: 10X is offered only when
 *   the operator sets the path FLOA gives them (`longTermResultPath`).
 * Amounts are integer cents on both sides, so minor units pass through unconverted (EUR only).
 */
const NonEmpty = z.string().check(z.minLength(1));
const Cultures = z.array(NonEmpty).check(z.minLength(1));

export const FloaOptions = z.object({
  provider: z.literal('floa'),
  baseUrl: z.url().check(z.describe('Payment gateway (`https://paymentgateway.cb4x.fr`): token, schedules, payment sessions.')),
  eligibilityBaseUrl: z.optional(z.url()).check(z.describe('Eligibility host (`https://eligibility.cb4x.fr`); `baseUrl` when unset.')),
  login: NonEmpty.check(z.describe('Login of the token call (`authorization: base64(login:password)`).')),
  password: NonEmpty.check(z.describe('Password of the token call; keep it in the environment.')),
  merchantId: NonEmpty.check(z.describe("FLOA's id of the merchant (`merchantId`).")),
  sites: z.optional(z.partialRecord(z.enum(FLOA_COUNTRIES), z.partialRecord(z.enum(FLOA_PAYMENT_OPTION_REFS), NonEmpty))).check(
    z.describe(
      "The merchant sites per country and payment option (NOTES: 3X=81, 4X=63, 10X=98, pay later=94), e.g. `{\"FR\": {\"81\": \"7013\", \"63\": \"7017\"}, \"BE\": {\"63\": \"7517\"}}`. " +
        "A shopper is offered the sites of their address's country (`customer.homeAddress.countryCode`, floa-eligibility.txt:93), checked by that country's rules; no sites there, no offer.",
    ),
  ),
  merchantSiteId: z.optional(z.union([NonEmpty, z.array(NonEmpty).check(z.minLength(1))])).check(
    z.describe("The former single-country form, still read: the sites (one per option) of `country`, whose options come from FLOA's replies. Give `sites` or this, not both."),
  ),
  hmacSecret: NonEmpty.check(z.describe('The merchant secret that seals notifications (NOTES § FLOA: HMAC-SHA1 "with the merchant secret"); keep it in the environment.')),
  hmacKeyEncoding: z._default(z.enum(['hex', 'utf8']), 'utf8').check(
    z.describe(
      'How the secret becomes the HMAC key. NOTES says "with the merchant secret" and nothing of decoding it, so by default its text (`utf8`); `hex` uses a hexadecimal secret\'s bytes. ' +
        'A wrong choice fails closed: every notification is refused (400) and FLOA keeps retrying.',
    ),
  ),
  notificationSealFields: z.optional(z.array(NonEmpty)).check(z.describe('The sealed notification fields in order, once FLOA confirms them; unset: as posted.')),
  notificationFields: z.prefault(
    z.object({
      merchantId: z._default(NonEmpty, 'merchantId').check(z.describe('Field of the merchant id.')),
      merchantSiteId: z._default(NonEmpty, 'merchantSiteId').check(z.describe('Field of the merchant site id.')),
      scheduleDate: z._default(NonEmpty.check(z.includes('{n}')), 'scheduleDate{n}').check(z.describe("Field of an instalment's date, `{n}` its rank.")),
      scheduleAmount: z._default(NonEmpty.check(z.includes('{n}')), 'scheduleAmount{n}').check(z.describe("Field of an instalment's amount, `{n}` its rank.")),
    }),
    {},
  ).check(
    z.describe(
      'Notification fields NOTES does not name. `merchantId` and `merchantSiteId` as the documents spell these ids everywhere else (eligibility query, payment session); the schedule fields with `{n}` for the instalment\'s rank.',
    ),
  ),
  paymentResultFields: z.prefault(
    z.object({
      returnCode: z._default(NonEmpty, 'returnCode').check(z.describe('Field of the return code.')),
      amount: z._default(NonEmpty, 'amount').check(z.describe('Field of the amount paid, in cents.')),
      orderRef: z._default(NonEmpty, 'orderRef').check(z.describe('Field of the order reference.')),
    }),
    {},
  ).check(
    z.describe(
      'Field names of the payment result reply (`GET /v1/payment-sessions/{id}/paymentResult/`), whose shape is not documented. ' +
        'Default: the names NOTES gives the same facts in the notification (`returnCode`, `amount`, `orderRef`). Dotted paths reach nested fields.',
    ),
  ),
  longTermResultPath: z.optional(NonEmpty.check(z.startsWith('/'))).check(
    z.describe(
      "Where a 10X payment's result is re-read, on `baseUrl`, with `{orderRef}`, `{merchantId}` and `{merchantSiteId}` filled in; its reply is read like the payment result. " +
        'Not in the documents, so no default: without it 10X is not offered (a 10X payment could not be confirmed before recording the sale, NOTES § FLOA).',
    ),
  ),
  eligibilityVersion: z._default(z.enum(['v1', 'v4']), 'v4').check(z.describe('Version of the eligibility call. The excerpt shows `v1`; NOTES says live clients call `v4`, which the adapter follows.')),
  country: z.optional(z.enum(FLOA_COUNTRIES)).check(z.describe('With `merchantSiteId` only: the country of those sites (FR when unset).')),
  saleChannel: z._default(z.enum(FLOA_SALE_CHANNELS), 'Desktop').check(z.describe('`presaleFolder.saleChannel` of the eligibility request, unless the request gives its own.')),
  shippingMethod: z._default(z.enum(FLOA_SHIPPING_METHODS), 'VIR').check(z.describe('Delivery method sent for every product (`VIR`: dematerialised sale).')),
  categories: z._default(z.record(z.string(), z.array(NonEmpty)), {}).check(z.describe('Category path per SKU, parent first; FLOA calls categories "necessary" for a good decision.')),
  defaultCategories: z._default(z.array(NonEmpty).check(z.minLength(1)), ['Other']).check(z.describe('Category path of a SKU that `categories` does not list.')),
  installmentPlan: z.prefault(
    z.object({
      list: z._default(z.string(), 'schedules').check(z.describe('Dotted path of the instalments\' array (`""`: the reply is the array).')),
      date: z._default(NonEmpty, 'date').check(z.describe("Field of an instalment's date.")),
      amount: z._default(NonEmpty, 'amount').check(z.describe("Field of an instalment's amount, in cents.")),
    }),
    {},
  ).check(z.describe('Where the undocumented `get-eligibility-installment-plan` reply keeps the instalments.')),
  linkOrigins: z._default(z.array(z.url()), []).check(
    z.describe("Origins (besides those of `baseUrl` and `eligibilityBaseUrl`) whose links in FLOA's replies the adapter follows with the `authToken`. A link elsewhere is not followed."),
  ),
  cultures: z.prefault(
    z.object({
      FR: z._default(Cultures, ['fr-FR']).check(z.describe('Cultures for France.')),
      ES: z._default(Cultures, ['es-ES']).check(z.describe('Cultures for Spain.')),
      IT: z._default(Cultures, ['it-IT']).check(z.describe('Cultures for Italy.')),
      PT: z._default(Cultures, ['pt-PT']).check(z.describe('Cultures for Portugal.')),
      BE: z._default(Cultures, ['nl-BE', 'fr-BE']).check(z.describe('Cultures for Belgium.')),
    }),
    {},
  ).check(
    z.describe(
      "The payment session's `configuration.culture` per country (NOTES names the field, not its values): the first is the default, another is chosen when the page's locale matches it.",
    ),
  ),
  payLaterDelayDays: z._default(z.int().check(z.minimum(1), z.maximum(30)), 30).check(z.meta({ unit: 'days', description: 'Pay later: days until the single payment (1–30).' })),
  timeoutMs: z._default(z.int().check(z.positive()), 8000).check(z.meta({ unit: 'ms', description: 'Timeout of each call to FLOA.' })),
}).check(
  z.meta({ title: 'FLOA', description: 'FLOA buy-now-pay-later: eligibility per country (FR, ES, IT, PT, BE), offers with fees and schedule, payment session, signed notifications.' }),
  z.refine((o) => (o.sites === undefined) !== (o.merchantSiteId === undefined), 'Give the merchant sites as `sites` (per country and option) or, the former way, as `merchantSiteId`: one of them.'),
  z.refine((o) => o.sites === undefined || Object.values(o.sites).some((bySite) => Object.keys(bySite ?? {}).length > 0), '`sites` names no merchant site.'),
  z.refine((o) => o.country === undefined || o.merchantSiteId !== undefined, '`country` goes with `merchantSiteId`; with `sites` the country is the customer\'s.'),
  z.refine(
    (o) => o.longTermResultPath !== undefined || !Object.values(o.sites ?? {}).some((bySite) => bySite?.['98']),
    'A 10X site (98) needs `longTermResultPath`: without it a 10X payment cannot be confirmed before the sale is recorded.',
  ),
);
export type FloaOptions = z.infer<typeof FloaOptions>;

/** Test seams: a clock (token lifetime, order dates). */
export interface FloaDeps {
  now?: () => number;
}

const TOKEN_LIFETIME_MS = 48 * 3600_000;
const TOKEN_RENEW_MARGIN_MS = 3600_000;
const CURRENCY = 'EUR';
const NOT_ELIGIBLE = 'FLOA did not accept this financing request. FLOA does not give the reason (banking secrecy).';

const Id = z.union([z.string(), z.number()]);
const Link = z.object({ href: z.string(), rel: z.string(), method: z.optional(z.string()) });
const Eligibility = z.object({
  token: z.optional(z.nullable(z.string())),
  hasAgreement: z.optional(z.nullable(z.boolean())),
  totalAmount: z.optional(z.nullable(z.int())),
  requestId: z.optional(z.nullable(Id)),
  paymentOptionReference: z.optional(z.nullable(Id)),
  purchaseType: z.optional(z.nullable(z.string())),
  merchantSiteId: z.optional(z.nullable(Id)),
  links: z.optional(z.nullable(z.array(Link))),
  errors: z.optional(z.nullable(z.array(z.string()))),
});
type Eligibility = z.infer<typeof Eligibility>;
const EligibilityReply = z.object({ eligibilities: z.array(Eligibility) });
const AnyReply = z.unknown();
const SessionReply = z.object({
  operationSucceeded: z.boolean(),
  paymentSessionUrl: z.optional(z.nullable(z.string())),
  paymentSessionId: z.optional(z.nullable(Id)),
  errors: z.optional(z.nullable(z.array(z.string()))),
});

/** KO texts → the customer field they are about, most specific first. */
const KO_FIELDS: Array<[RegExp, string]> = [
  [/birth zip/i, 'customer.birthZipCode'],
  [/zip code|postal/i, 'customer.homeAddress.zipCode'],
  [/cell ?phone/i, 'customer.cellPhoneNumber'],
  [/home ?phone|phone/i, 'customer.homePhoneNumber'],
  [/national ?id/i, 'customer.nationalId'],
  [/civility/i, 'customer.civility'],
  [/birth ?date|date of birth/i, 'customer.birthDate'],
  [/birth ?name/i, 'customer.birthName'],
  [/second ?last ?name/i, 'customer.secondLastName'],
  [/last ?name/i, 'customer.lastName'],
  [/first ?name/i, 'customer.firstName'],
  [/e-?mail/i, 'customer.email'],
  [/address|line ?1/i, 'customer.homeAddress.line1'],
  [/city/i, 'customer.homeAddress.city'],
  [/country/i, 'customer.homeAddress.countryCode'],
];

export class FloaAdapter {
  readonly id = 'floa';
  readonly #o: FloaOptions;
  /** Merchant sites by country, each with its payment option when the configuration names it. */
  readonly #sites: Map<FloaCountry, Array<{ id: string; option?: FloaPaymentOptionRef }>>;
  readonly #gateway: UpstreamClient;
  readonly #eligibility: UpstreamClient;
  readonly #sealKey: Buffer;
  readonly #now: () => number;
  /** The `authToken`: taken as valid 48 h from the request, renewed an hour before (at 47 h). */
  readonly #token: TokenCache;

  constructor(options: FloaOptions, deps: FloaDeps = {}) {
    this.#o = options;
    this.#sites = siteMap(options);
    this.#now = deps.now ?? Date.now;
    // Fail at start, not at the first notification, when the secret cannot be a key.
    this.#sealKey = sealKey(options.hmacSecret, options.hmacKeyEncoding);
    this.#gateway = new UpstreamClient({ provider: 'floa', name: 'FLOA', baseUrl: options.baseUrl, timeoutMs: options.timeoutMs });
    this.#eligibility =
      options.eligibilityBaseUrl && options.eligibilityBaseUrl !== options.baseUrl
        ? new UpstreamClient({ provider: 'floa', name: 'FLOA eligibility', baseUrl: options.eligibilityBaseUrl, timeoutMs: options.timeoutMs })
        : this.#gateway;
    this.#token = new TokenCache({ fetch: () => this.#fetchToken(), renewMarginMs: TOKEN_RENEW_MARGIN_MS, now: this.#now });
  }

  /**
   * The offers FLOA makes this customer for `amountDue`, each with fees, total and schedule.
   * Throws `validation` (no call made) when the record breaks a country rule, `rejected` when
   * FLOA declines (not eligible, or KO with its error texts mapped to fields).
   */
  async eligibility(input: FloaEligibilityInput, ctx: CallContext): Promise<FloaOffer[]> {
    const amountErrors = this.#checkAmounts(input);
    if (amountErrors.length) throw new ProblemError('validation', amountErrors.map((e) => e.message).join(' '), { errors: amountErrors });
    // The shopper's country is their address's, with that country's sites and rules.
    const country = input.country ?? addressCountry(input.customer);
    const sites = isFloaCountry(country) ? this.#sites.get(country) : undefined;
    if (!sites && /^[A-Z]{2}$/.test(country)) {
      const message = `FLOA instalments are not offered here for an address in ${country}.`;
      throw new ProblemError('rejected', message, { errors: [{ field: 'customer.homeAddress.countryCode', message }] });
    }
    const customer = normaliseCustomer(input.customer, country);
    const errors = checkCountryRules({ country, customer, today: this.#today() });
    if (errors.length || !sites || !isFloaCountry(country)) throw new ProblemError('validation', errors.map((e) => e.message).join(' '), { errors });

    const body = buildPresaleFolder({
      reference: floaReference(input.checkoutId),
      cart: input.cart,
      rawAmount: input.amountDue.amount,
      customer,
      country,
      saleChannel: input.saleChannel ?? this.#o.saleChannel,
      shippingMethod: this.#o.shippingMethod,
      categories: this.#o.categories,
      defaultCategories: this.#o.defaultCategories,
      // Like FLOA's own module, every site gets the pay-later delay and the 10X URLs; a site
      // uses what its payment option needs.
      reportDelayInDays: this.#o.payLaterDelayDays,
      merchantSite: input.merchantUrls,
    });
    const path = `/api/${this.#o.eligibilityVersion}/eligibilities`;
    const replies = await Promise.all(
      sites.map(async (site) => {
        // Repeatable (a scoring commits nothing) but not marked `safe`: the client would also
        // retry a timeout, and a slow scoring sent 3 times to every site at once opens FLOA's
        // circuit for every shopper. A time-out is reported as retryable instead.
        const reply = await this.#call(this.#eligibility, path, { method: 'POST', json: body, query: { merchantId: this.#o.merchantId, merchantSiteIds: site.id } }, EligibilityReply, ctx);
        // floa-eligibility.txt:411-413: the reply names the option and the site; the configuration fills in what it leaves out.
        return reply.eligibilities.map((e) => ({ ...e, merchantSiteId: e.merchantSiteId ?? site.id, paymentOptionReference: e.paymentOptionReference ?? site.option }));
      }),
    );
    const entries = replies.flat();
    const eligible = entries.filter((e) => e.hasAgreement === true && e.token && e.totalAmount != null && optionOf(e));
    if (eligible.length === 0) throw this.#refusal(entries);

    // One offer's failure (its schedule unreadable, its call failing) drops that offer only.
    const settled = await Promise.allSettled(eligible.map((e) => this.#offer(e, input.amountDue.amount, country, ctx)));
    const offers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (offers.length === 0) {
      const failures = settled.map((s) => (s.status === 'rejected' ? s.reason : undefined));
      const retryable = failures.some((f) => !(f instanceof ProblemError) || f.retryable);
      throw new ProblemError('upstream-unavailable', 'FLOA accepted the request but no offer could be shown with its fees, total and schedule.', { retryable, cause: failures[0] });
    }
    return offers.sort((a, b) => a.instalments - b.instalments || a.id.localeCompare(b.id));
  }

  /** Where to send the shopper for the chosen offer. */
  async createPaymentSession(input: FloaPaymentSessionInput, ctx: CallContext): Promise<FloaPaymentSession> {
    const { offer } = input;
    if (offer.total.amount - offer.fees.amount !== input.amountDue.amount || input.amountDue.currency !== CURRENCY) {
      throw new ProblemError('conflict', 'The amount due changed since this offer was made: check eligibility again.');
    }
    const orderRef = floaReference(input.orderRef);
    if (offer.paymentOptionRef === '98') {
      // NOTES: 10X continues on FLOA's long-term credit page instead of a payment session.
      if (!offer.longTermCreditUrl) throw new ProblemError('conflict', 'This 10X offer has no continuation link: check eligibility again with the journey URLs.');
      return { url: offer.longTermCreditUrl, orderRef };
    }
    const country = offer.country ?? input.country ?? addressCountry(input.customer);
    if (!isFloaCountry(country)) throw new ProblemError('conflict', 'This offer has no FLOA country: check eligibility again.');
    const customer = normaliseCustomer(input.customer, country);
    const body = {
      merchantId: this.#o.merchantId,
      merchantSiteId: offer.merchantSiteId,
      customer: { customerRef: customer.reference, ...floaCustomerPayload(customer, country) },
      orderData: { orderRef, orderDate: new Date(this.#now()).toISOString(), amount: offer.total.amount, scoringToken: offer.token },
      configuration: {
        culture: culture(this.#o.cultures[country], input.locale),
        merchantHomeUrl: input.homeUrl ?? input.backUrl,
        merchantBackUrl: input.backUrl,
        merchantReturnUrl: input.returnUrl,
        notificationUrl: input.notificationUrl,
        paymentOptionRef: offer.paymentOptionRef,
        country,
        ...(offer.paymentOptionRef === '94' ? { reportDelayInDays: this.#o.payLaterDelayDays } : {}),
      },
    };
    // Sent once (not `safe`): a repeat would open a second payment session for the order.
    const reply = await this.#call(this.#gateway, '/v1/payment-sessions', { method: 'POST', json: body }, SessionReply, ctx);
    if (!reply.operationSucceeded || !reply.paymentSessionUrl || reply.paymentSessionId == null) {
      const detail = reply.errors?.join(' ') || 'FLOA did not open a payment session.';
      throw new ProblemError('rejected', detail, { errors: [{ field: 'offer', message: detail }] });
    }
    if (!URL.canParse(reply.paymentSessionUrl)) throw new ProblemError('upstream-unavailable', 'FLOA sent an invalid payment page address.', { retryable: false });
    return { url: reply.paymentSessionUrl, sessionId: String(reply.paymentSessionId), orderRef };
  }

  /**
   * Checks a notification's seal (constant-time) and reads it. Throws `validation` when the
   * seal is missing or wrong, or the notification is for another merchant. Record nothing on
   * the notification alone: confirm with `paymentResult` first.
   */
  verifyNotification(fields: FormFields): FloaNotification {
    // Read once: an iterable may be single-use.
    const entries = formEntries(fields);
    const names = this.#o.notificationFields;
    const notification = verifyNotification(entries, {
      key: this.#sealKey,
      fields: names,
      ...(this.#o.notificationSealFields ? { sealFields: this.#o.notificationSealFields } : {}),
    });
    const merchant = new URLSearchParams(entries).get(names.merchantId);
    if (merchant !== null && merchant !== this.#o.merchantId) {
      throw new ProblemError('validation', 'The notification is for another merchant.', { errors: [{ field: names.merchantId, message: 'Unknown merchant.' }] });
    }
    return notification;
  }

  /** The payment's state at FLOA: by session id (NOTES), or for 10X at `longTermResultPath`. */
  async paymentResult(ref: FloaPaymentRef, ctx: CallContext): Promise<FloaPaymentResult> {
    if (typeof ref === 'string') {
      const reply = await this.#call(this.#gateway, `/v1/payment-sessions/${encodeURIComponent(ref)}/paymentResult/`, { method: 'GET', safe: true }, AnyReply, ctx, 'FLOA does not know this payment session.');
      return this.#result(reply);
    }
    const template = this.#o.longTermResultPath;
    if (!template) {
      throw new ProblemError('upstream-unavailable', 'A 10X result cannot be read back from FLOA: longTermResultPath is not configured.', { retryable: false });
    }
    const values: Record<string, string> = { orderRef: floaReference(ref.orderRef), merchantId: this.#o.merchantId, merchantSiteId: ref.merchantSiteId };
    const path = template.replace(/\{(orderRef|merchantId|merchantSiteId)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
    const reply = await this.#call(this.#gateway, path, { method: 'GET', safe: true }, AnyReply, ctx, 'FLOA does not know this order.');
    return this.#result(reply);
  }

  /**
   * A payment result reply read with `paymentResultFields`. Unreadable → `upstream-unavailable`,
   * retryable: the payment's outcome is unknown until it is read, so the shopper's page waits.
   */
  #result(reply: unknown): FloaPaymentResult {
    const names = this.#o.paymentResultFields;
    const returnCode = readCode(readPath(reply, names.returnCode));
    const amount = readCents(readPath(reply, names.amount));
    if (returnCode === undefined || amount === undefined) {
      throw new ProblemError('upstream-unavailable', `FLOA's payment result has no readable "${names.returnCode}" and "${names.amount}" (option paymentResultFields).`, { retryable: true });
    }
    const orderRef = readPath(reply, names.orderRef);
    return { status: statusOfReturnCode(returnCode), amount: money(amount), returnCode, ...(typeof orderRef === 'string' && orderRef ? { orderRef } : {}) };
  }

  /** The auth token (NOTES: `GET /v1/auth/token`): nothing is read or moved. */
  async checkCredentials(): Promise<string> {
    await this.#token.get();
    return 'auth token issued';
  }

  close(): Promise<void> {
    return Promise.all([this.#gateway.close(), this.#eligibility === this.#gateway ? undefined : this.#eligibility.close()]).then(() => undefined);
  }

  // ------------------------------------------------------------------ eligibility helpers

  #checkAmounts(input: FloaEligibilityInput): FieldError[] {
    const errors: FieldError[] = [];
    if (input.cart.currency !== CURRENCY || input.amountDue.currency !== CURRENCY) errors.push({ field: 'currency', message: 'FLOA finances amounts in EUR only.' });
    if (input.amountDue.amount <= 0) errors.push({ field: 'amountDue', message: 'There is nothing left to pay in instalments.' });
    if (input.cart.lines.length === 0) errors.push({ field: 'cart', message: 'FLOA needs at least one product.' });
    return errors;
  }

  async #offer(e: Eligibility, rawAmount: number, country: FloaCountry, ctx: CallContext): Promise<FloaOffer> {
    const ref = optionOf(e)!;
    const option = FLOA_PAYMENT_OPTIONS[ref];
    const site = String(e.merchantSiteId ?? '');
    const total = e.totalAmount!;
    if (total < rawAmount) throw new ProblemError('upstream-unavailable', 'FLOA sent a total below the amount due.', { retryable: false });
    if (ref === '98' && !this.#o.longTermResultPath) {
      throw new ProblemError('upstream-unavailable', 'A 10X payment could not be confirmed (longTermResultPath is not configured): 10X is not offered.', { retryable: false });
    }
    const schedule = await this.#schedule(e, ref, total, ctx);
    const longTermCreditUrl = e.links?.find((l) => l.rel === 'continue-long-term-consumer-credit-process')?.href;
    return {
      id: `floa-${ref}`,
      label: option.kind === 'deferred' ? `Pay in ${this.#o.payLaterDelayDays} days` : option.label,
      kind: option.kind,
      instalments: schedule.length || option.instalments,
      fees: money(total - rawAmount),
      total: money(total),
      schedule,
      token: e.token!,
      paymentOptionRef: ref,
      merchantSiteId: site,
      purchaseType: e.purchaseType ?? option.purchaseType,
      requestId: String(e.requestId ?? ''),
      ...(longTermCreditUrl ? { longTermCreditUrl } : {}),
      country,
    };
  }

  /**
   * The option's schedule from its `get-eligibility-installment-plan` link (floa-eligibility.txt:
   * 371-373: GET, on FLOA's eligibility host, with the ids in its query). Throws when there is
   * none to show: no link, a link elsewhere, an unreadable reply, or a sum other than the total.
   */
  async #schedule(e: Eligibility, ref: FloaPaymentOptionRef, total: number, ctx: CallContext): Promise<FloaScheduleItem[]> {
    const none = (why: string) => new ProblemError('upstream-unavailable', `FLOA gave no schedule for option ${ref}: ${why}`, { retryable: false });
    const link = e.links?.find((l) => l.rel === 'get-eligibility-installment-plan');
    if (!link) throw none('no get-eligibility-installment-plan link.');
    if ((link.method ?? 'GET').toUpperCase() !== 'GET') throw none(`its link is ${link.method}, not GET.`);
    const client = this.#clientFor(link.href);
    if (!client) throw none('its link leaves FLOA\'s configured hosts.');
    // A read: safe to repeat.
    const reply = await this.#call(client, link.href, { method: 'GET', safe: true }, AnyReply, ctx);
    const schedule = readInstallmentPlan(reply, this.#o.installmentPlan, CURRENCY);
    if (!schedule) throw none(`its reply has no list "${this.#o.installmentPlan.list}" of "${this.#o.installmentPlan.date}" and "${this.#o.installmentPlan.amount}".`);
    // The schedule and the eligibility must show the same cost (French rules: fees and total shown).
    if (schedule.reduce((sum, s) => sum + s.amount.amount, 0) !== total) throw none('it does not add up to its total.');
    return schedule;
  }

  /** The client for an absolute FLOA link, by origin; `undefined` for any other host. */
  #clientFor(href: string): UpstreamClient | undefined {
    if (!URL.canParse(href)) return undefined;
    const origin = new URL(href).origin;
    if (origin === new URL(this.#o.baseUrl).origin) return this.#gateway;
    if (this.#o.eligibilityBaseUrl && origin === new URL(this.#o.eligibilityBaseUrl).origin) return this.#eligibility;
    return this.#o.linkOrigins.some((o) => new URL(o).origin === origin) ? this.#eligibility : undefined;
  }

  /**
   * No eligible site. A site that said "not eligible" decides (the KO of another site is then
   * about that site's own needs: 10X URLs, pay-later delay); otherwise the KO texts, mapped to fields.
   */
  #refusal(entries: Eligibility[]): ProblemError {
    const texts = [...new Set(entries.flatMap((e) => e.errors ?? []))];
    if (texts.length === 0 || entries.some((e) => e.hasAgreement === false)) {
      return new ProblemError('rejected', NOT_ELIGIBLE, { errors: [{ field: 'eligibility', message: NOT_ELIGIBLE }] });
    }
    const errors = texts.map((message) => ({ field: KO_FIELDS.find(([re]) => re.test(message))?.[1] ?? 'eligibility', message }));
    const ids = [...new Set(entries.map((e) => e.requestId).filter((id) => id != null))].join(', ');
    return new ProblemError('rejected', `FLOA refused the request: ${texts.join(' ')}${ids ? ` (FLOA request ${ids})` : ''}`, { errors });
  }

  #today(): string {
    return new Date(this.#now()).toISOString().slice(0, 10);
  }

  // ------------------------------------------------------------------ HTTP and token

  /** A call with the cached token; on 401 the token is renewed once and the call repeated. */
  async #call<T>(client: UpstreamClient, path: string, init: UpstreamRequest, schema: z.ZodMiniType<T>, ctx: CallContext, notFound?: string): Promise<T> {
    let token = await this.#token.get();
    let response = await client.request(path, { ...init, headers: { authToken: token }, signal: ctx.signal });
    if (response.status === 401) {
      // Only if it is still the cached one: concurrent 401s renew it only once.
      this.#token.drop(token);
      token = await this.#token.get();
      response = await client.request(path, { ...init, headers: { authToken: token }, signal: ctx.signal });
    }
    if (response.status === 404 && notFound) throw new ProblemError('not-found', notFound);
    if (response.status === 429) {
      // FLOA's own pace, passed on to the caller.
      const retryAfter = response.headers.get('retry-after');
      throw new ProblemError('rate-limited', 'FLOA is receiving too many requests; try again in a moment.', retryAfter ? { headers: { 'Retry-After': retryAfter } } : {});
    }
    if (response.status < 200 || response.status >= 300) {
      // 400 means our request is malformed (a bug or a configuration error): retrying will not help.
      const retryable = response.status >= 500;
      throw new ProblemError('upstream-unavailable', `FLOA failed (HTTP ${response.status}).`, { retryable });
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw new ProblemError('upstream-unavailable', 'FLOA sent an unexpected reply.', { retryable: false });
    return parsed.data;
  }

  /** One token request (the token cache shares it between concurrent callers, whatever their signals). */
  async #fetchToken(): Promise<IssuedToken> {
    const issuedAt = this.#now();
    // NOTES: the header is the bare base64 of "login:password", without the "Basic " scheme.
    const authorization = Buffer.from(`${this.#o.login}:${this.#o.password}`, 'utf8').toString('base64');
    const response = await this.#gateway.request('/v1/auth/token', { method: 'GET', headers: { authorization }, safe: true });
    if (response.status === 401 || response.status === 403) {
      throw new ProblemError('upstream-unavailable', 'FLOA refused the configured login and password.', { retryable: false });
    }
    if (response.status !== 200 || typeof response.body !== 'string' || response.body === '') {
      throw new ProblemError('upstream-unavailable', `FLOA did not issue a token (HTTP ${response.status}).`, { retryable: response.status >= 500 });
    }
    return { value: response.body, expiresAt: issuedAt + TOKEN_LIFETIME_MS };
  }
}

/** The sites of the options: `sites`, or the former `merchantSiteId` list for `country` (FR). */
function siteMap(o: FloaOptions): Map<FloaCountry, Array<{ id: string; option?: FloaPaymentOptionRef }>> {
  const map = new Map<FloaCountry, Array<{ id: string; option?: FloaPaymentOptionRef }>>();
  if (o.merchantSiteId !== undefined) map.set(o.country ?? 'FR', ([] as string[]).concat(o.merchantSiteId).map((id) => ({ id })));
  for (const [country, bySite] of Object.entries(o.sites ?? {}) as Array<[FloaCountry, Partial<Record<FloaPaymentOptionRef, string>>]>) {
    const sites = Object.entries(bySite).map(([option, id]) => ({ id: id!, option: option as FloaPaymentOptionRef }));
    if (sites.length) map.set(country, sites);
  }
  return map;
}

/** The customer's address country, as FLOA reads it (floa-eligibility.txt:93): upper-case ISO alpha-2. */
function addressCountry(customer: FloaEligibilityInput['customer']): string {
  return customer.homeAddress?.countryCode?.trim().toUpperCase() ?? '';
}

function optionOf(e: Eligibility): FloaPaymentOptionRef | undefined {
  const ref = e.paymentOptionReference == null ? undefined : String(e.paymentOptionReference);
  return ref && ref in FLOA_PAYMENT_OPTIONS ? (ref as FloaPaymentOptionRef) : undefined;
}

function money(amount: number): Money {
  return { amount, currency: CURRENCY };
}

/** One of the country's cultures, matching the page's locale when it can ("fr" in BE → "fr-BE"). */
function culture(allowed: readonly string[], locale?: string): string {
  const language = locale?.toLowerCase().split(/[-_]/)[0];
  return allowed.find((c) => c.toLowerCase() === locale?.toLowerCase()) ?? allowed.find((c) => c.startsWith(`${language}-`)) ?? allowed[0]!;
}
