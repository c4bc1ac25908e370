import * as z from 'zod/mini';
import type { Money } from '../../../protocol/index.js';
import { UpstreamClient, type UpstreamRequest } from '../../http/upstream.js';
import { ProblemError } from '../../problems.js';
import type { CallContext, CustomerRecord, HoldResult, LoyaltyCapabilities, LoyaltyProvider, LoyaltyQuote, QuoteInput, RecordSaleInput, SaleOutcome, SaleRecord } from '../provider.js';
import { minorToNumber } from '../units.js';

/**
 * Adapter for the Russian loyalty service's basic REST API
 * (`shared/providers/ru-loyalty-basic-rest-api.txt`). Amounts go out in roubles (decimal
 * numbers); points are whole and worth `pointValue` minor units each (1 point = 1 rouble by
 * default). Errors are 422 `{field: message}` bodies, mapped to protocol fields here.
 */
export const RuLoyaltyOptions = z.object({
  provider: z.literal('ru-loyalty'),
  baseUrl: z.url().check(z.describe("The API's base URL, per account (`https://…/api`).")),
  apiKey: z.string().check(z.minLength(1), z.describe('Sent as the `apikey` header of every call; keep it in the environment.')),
  pointId: z.string().check(z.minLength(1), z.describe('The point of sale (`point`) every call is made at.')),
  currency: z._default(z.string().check(z.regex(/^[A-Z]{3}$/)), 'RUB').check(z.describe("ISO 4217 code of the programme's money; carts in another currency are refused.")),
  pointValue: z._default(z.int().check(z.positive()), 100).check(z.meta({ unit: 'minor units', description: 'What one point is worth (100 = 1 point per rouble).' })),
  holdMinutes: z._default(z.int().check(z.minimum(1), z.maximum(10)), 10).check(z.meta({ unit: 'minutes', description: 'How long a hold of points lasts (the API allows at most 10).' })),
  timeoutMs: z._default(z.int().check(z.positive()), 8000).check(z.meta({ unit: 'ms', description: 'Timeout of each call to the API.' })),
  appCodeProvesOwnership: z._default(z.boolean(), false).check(
    z.describe(
      "Whether the client code shown in the customer's app proves they own the account (the document's `search` takes \"phone, card or client code from the app\", ru-loyalty-basic-rest-api.txt:8): only the app's owner sees it. " +
        'The document does not say whether the code is secret enough to count as proof, so the operator decides. ' +
        "Default false: points are then spent only when the shop's server vouches for the customer, or at a till.",
    ),
  ),
  appCodePattern: z._default(z.string().check(z.minLength(1), z.refine(isRegex, 'Expected a regular expression (JavaScript syntax), such as "^\\d{6}$".')), '^\\d{6}$').check(
    z.describe(
      'What an app code looks like: a regular expression the whole code must match (used with `appCodeProvesOwnership`). ' +
        "The `search` that checks a code also finds a client by phone or card (ru-loyalty-basic-rest-api.txt:8) and does not say which matched, so without this a member's phone number would pass as their code. " +
        'A code that does not match is a wrong code, refused without a call; so is one equal to the phone or the search the customer was found by. ' +
        'The documents are silent on the format; the default, six digits, takes the simulator\'s demo codes (100001, 200001) and refuses phones (10-11 digits) and cards (13). ' +
        'Widen it only to what the app shows, never to what a phone or card number looks like.',
    ),
  ),
}).check(z.meta({ title: 'Russian loyalty API', description: "The Russian loyalty service's basic REST API: customers by phone, card or app code at a point of sale, points held while the shopper pays." }));
export type RuLoyaltyOptions = z.infer<typeof RuLoyaltyOptions>;

function isRegex(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a code is a lookup key the page already knew: the same text, the same digits, or the
 * same phone written with another prefix (+7, 8 or the ten national digits).
 */
function sameKey(code: string, known: string): boolean {
  if (code.trim().toLowerCase() === known.trim().toLowerCase()) return true;
  const a = code.replace(/\D/g, '');
  const b = known.replace(/\D/g, '');
  if (!a || !b) return false;
  return a === b || (a.length >= 10 && b.length >= 10 && a.slice(-10) === b.slice(-10));
}

const Level = z.object({
  id: z.optional(z.string()),
  title: z.string(),
  percent: z.number(),
  type: z.enum(['cashback', 'discount']),
  maxSpendPercent: z.optional(z.number()),
});
const ClientReply = z.object({
  success: z.literal(true),
  client: z.object({
    id: z.string(),
    name: z.string(),
    level: Level,
    phone: z.optional(z.union([z.number(), z.string()])),
    balance: z.number(),
  }),
});
const RecalcReply = z.object({
  success: z.literal(true),
  recalc: z.object({ amount: z.number(), percent: z.number(), type: z.enum(['cashback', 'discount']), spend: z.number(), earn: z.number() }),
});
const HoldReply = z.object({ success: z.literal(true), held: z.object({ until: z.number(), amount: z.number() }) });
const ReleaseReply = z.object({ success: z.literal(true) });
const RetailReply = z.object({
  success: z.literal(true),
  retail: z.object({ amount: z.number(), total: z.number(), percent: z.number(), type: z.string(), spend: z.optional(z.number()), earn: z.optional(z.number()) }),
});

/** The provider's field names → the protocol field a user can act on. */
const FIELD_MAP: Record<string, string> = { search: 'query', client: 'query', spend: 'amount', amount: 'amount' };

interface ClientData extends Record<string, unknown> {
  balance: number;
  level: z.infer<typeof Level>;
  /** What found the client (phone digits, card or code): the API reads a client only by it. */
  search?: string;
}

export class RuLoyaltyAdapter implements LoyaltyProvider {
  readonly capabilities: LoyaltyCapabilities;
  readonly #o: RuLoyaltyOptions;
  readonly #http: UpstreamClient;
  readonly #appCode: RegExp;

  constructor(options: RuLoyaltyOptions) {
    this.#o = options;
    // Anchored here too, so a pattern written without ^…$ still has to match the whole code.
    this.#appCode = new RegExp(`^(?:${options.appCodePattern})$`, 'u');
    this.capabilities = {
      provider: 'ru-loyalty',
      lookup: { kinds: ['phone', 'card', 'code'] },
      spend: true,
      hold: true,
      earn: true,
      debt: false,
      catalog: false,
      // The API records a retail whatever paid it: its request has no payment field (ru-loyalty-basic-rest-api.txt:82).
      paymentMethods: ['card', 'cash', 'external'],
      proof: options.appCodeProvesOwnership ? 'app-code' : 'none',
    };
    this.#http = new UpstreamClient({ provider: 'ru-loyalty', name: 'The loyalty service', baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, headers: { apikey: options.apiKey } });
  }

  async identify(query: string, ctx: CallContext): Promise<CustomerRecord> {
    // Phones are typed with spaces, dashes and a leading +: the API wants the digits.
    const search = /^[+\d\s().-]+$/.test(query) && query.replace(/\D/g, '').length >= 10 ? query.replace(/\D/g, '') : query.trim();
    const reply = await this.#call('/integration/general/client', { search, point: this.#o.pointId }, ClientReply, ctx);
    const { id, name, phone, balance, level } = reply.client;
    // Birthday, photo and e-mail are dropped here: the checkout never needs them.
    const data: ClientData = { balance, level, search };
    return { providerId: id, name, ...(phone !== undefined ? { phone: String(phone) } : {}), data };
  }

  /**
   * The app code proves ownership when the API finds this same client by it (search, txt:5-8).
   * That search also takes a phone or a card and does not say which matched, so only a code
   * that looks like an app code (`appCodePattern`) and is not the customer's phone or the key
   * they were found by is sent; anything else is a wrong code, without a call.
   */
  async verify(customer: CustomerRecord, code: string, ctx: CallContext): Promise<boolean> {
    if (!this.#o.appCodeProvesOwnership) return false;
    const typed = code.trim();
    if (!this.#appCode.test(typed)) return false;
    const { search } = customer.data as ClientData;
    // The key they were found by is refused even when it was an app code: a lookup by a guessed
    // code finds *someone*, and that same code must not then prove the account is the guesser's.
    if ([customer.phone, search].some((known) => known !== undefined && sameKey(typed, known))) return false;
    try {
      const reply = await this.#call('/integration/general/client', { search: typed, point: this.#o.pointId }, ClientReply, ctx);
      return reply.client.id === customer.providerId;
    } catch (error) {
      // A code that finds nobody is a wrong code, not a failure.
      if (error instanceof ProblemError && error.kind === 'not-found') return false;
      throw error;
    }
  }

  async quote(input: QuoteInput, ctx: CallContext): Promise<LoyaltyQuote> {
    this.#checkCurrency(input.cart.currency);
    const { balance, level } = input.customer.data as ClientData;
    const reply = await this.#call(
      '/integration/general/recalc',
      { client: input.customer.providerId, point: this.#o.pointId, amount: this.#major(input.cart.total.amount) },
      RecalcReply,
      ctx,
    );
    const { spend: maxPoints, earn, type, percent } = reply.recalc;
    const step = this.#o.pointValue;
    const spendPoints = Math.floor(input.spend / step);
    const discount = type === 'discount' ? Math.round((input.cart.total.amount * percent) / 100) : 0;
    return {
      balance: this.#value(balance),
      level: { name: level.title, type, percent },
      spendable: { min: this.#money(maxPoints > 0 ? step : 0), max: this.#money(Math.floor(maxPoints) * step), step },
      discount: this.#money(discount),
      // The API credits points only on an operation without spend.
      ...(spendPoints === 0 && earn > 0 ? { earn: this.#value(earn) } : {}),
      spendPoints,
    };
  }

  async hold(input: QuoteInput, ctx: CallContext): Promise<HoldResult> {
    const points = Math.floor(input.spend / this.#o.pointValue);
    const reply = await this.#call(
      '/integration/general/bonuses/hold',
      { client: input.customer.providerId, point: this.#o.pointId, amount: points, duration: this.#o.holdMinutes },
      HoldReply,
      ctx,
      'once',
    );
    return { amount: this.#value(reply.held.amount), expiresAt: new Date(reply.held.until * 1000).toISOString() };
  }

  async release(input: Omit<QuoteInput, 'spend'>, ctx: CallContext): Promise<void> {
    await this.#call('/integration/general/bonuses/release', { client: input.customer.providerId, point: this.#o.pointId }, ReleaseReply, ctx);
  }

  async recordSale(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord> {
    this.#checkCurrency(input.cart.currency);
    const points = Math.floor(input.spend / this.#o.pointValue);
    // The retail call has no idempotency key: the proxy's Idempotency-Key guard and the
    // checkout's state (`outcome-unknown` while it is in flight, then `paid`) keep it to one
    // call; after an unknown outcome, `saleOutcome` tells whether it was recorded.
    const reply = await this.#call(
      '/integration/general/retail',
      { client: input.customer.providerId, point: this.#o.pointId, amount: this.#major(input.cart.total.amount), spend: points },
      RetailReply,
      ctx,
      'unsafe',
    );
    return this.#sale(input, reply.retail.spend ?? 0, reply.retail.earn ?? 0, reply.retail.type, reply.retail.percent);
  }

  /**
   * Was the retail operation of an unknown outcome recorded? The basic API can neither look an
   * operation up nor take an idempotency key; what it shows is the client's balance, which a
   * retail moves by a known amount: `−spend` when points are spent, `+earn` (recalc's, for
   * this amount) otherwise. So the client is read again (by the search that found them) and
   * compared with the balance seen at identification:
   * - before − spend + earn → recorded (and the receipt is rebuilt from those figures);
   * - unchanged → not recorded (the caller waits for a slow provider's late commit first);
   * - anything else (another till moved the balance), or a sale that moves nothing (discount
   *   level, zero earn) → unknown: an operator settles it, the proxy never guesses.
   */
  async saleOutcome(input: RecordSaleInput, ctx: CallContext): Promise<SaleOutcome> {
    const { balance: before, search } = input.customer.data as ClientData;
    if (!search) return { state: 'unknown' };
    const points = Math.floor(input.spend / this.#o.pointValue);
    const [found, recalc] = await Promise.all([
      this.#call('/integration/general/client', { search, point: this.#o.pointId }, ClientReply, ctx),
      this.#call('/integration/general/recalc', { client: input.customer.providerId, point: this.#o.pointId, amount: this.#major(input.cart.total.amount) }, RecalcReply, ctx),
    ]);
    if (found.client.id !== input.customer.providerId) return { state: 'unknown' };
    const earned = points > 0 ? 0 : recalc.recalc.earn;
    const expected = before - points + earned;
    const same = (a: number, b: number) => Math.abs(a - b) < 1e-9;
    if (same(expected, before)) return { state: 'unknown' };
    if (same(found.client.balance, expected)) return { state: 'recorded', sale: this.#sale(input, points, earned, recalc.recalc.type, recalc.recalc.percent) };
    if (same(found.client.balance, before)) return { state: 'not-recorded' };
    return { state: 'unknown' };
  }

  /** A search for nobody at the configured point: "client not found" means the key and the point are accepted (txt:117-124). */
  async checkCredentials(ctx: CallContext): Promise<string> {
    try {
      await this.#call('/integration/general/client', { search: '0000000000000', point: this.#o.pointId }, ClientReply, ctx);
    } catch (error) {
      if (error instanceof ProblemError && error.kind === 'not-found' && error.errors?.every((e) => e.field === 'query')) return 'API key and point accepted (a search for nobody: client not found)';
      throw error;
    }
    return 'API key and point accepted';
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  #sale(input: RecordSaleInput, spent: number, earned: number, type: string, percent: number): SaleRecord {
    const { balance } = input.customer.data as ClientData;
    const discount = type === 'discount' ? Math.round((input.cart.total.amount * percent) / 100) : 0;
    return {
      reference: input.reference,
      discount: this.#money(discount),
      spent: this.#value(spent),
      ...(earned > 0 ? { earned: this.#value(earned) } : {}),
      balanceAfter: this.#value(balance - spent + earned),
    };
  }

  /**
   * One call. `safe` (reads, recalc, release: repeatable) is retried by the HTTP client on
   * transient failures; `once` (hold: a repeat would hold twice) and `unsafe` (retail: moves
   * points) are sent once.
   */
  async #call<T>(path: string, body: unknown, schema: z.ZodMiniType<T>, ctx: CallContext, mode: 'safe' | 'once' | 'unsafe' = 'safe'): Promise<T> {
    const unsafe = mode === 'unsafe';
    const init: UpstreamRequest = { method: 'POST', json: body, signal: ctx.signal, safe: mode === 'safe', unsafe };
    const response = await this.#http.request(path, init);
    if (response.status === 422) throw this.#rejection(response.body);
    if (response.status === 429) {
      // A rate limiter in front of the API refused the call before it ran (the API's own
      // errors are all 422): nothing recorded, even for a retail, so it may be sent again.
      const retryAfter = response.headers.get('retry-after');
      throw new ProblemError('upstream-unavailable', 'The loyalty service is receiving too many requests; try again in a moment.', {
        status: 503,
        ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}),
      });
    }
    if (response.status < 200 || response.status >= 300) {
      throw unsafe
        ? new ProblemError('payment-outcome-unknown', `The loyalty service failed (HTTP ${response.status}); the operation may have been recorded.`, { retryable: false })
        : new ProblemError('upstream-unavailable', `The loyalty service failed (HTTP ${response.status}).`);
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      throw unsafe
        ? new ProblemError('payment-outcome-unknown', 'The loyalty service sent an unexpected reply; the operation may have been recorded.', { retryable: false })
        : new ProblemError('upstream-unavailable', 'The loyalty service sent an unexpected reply.', { retryable: false });
    }
    return parsed.data;
  }

  /** 422 `{field: message}` → a problem whose field errors point at what the user can fix. */
  #rejection(body: unknown): ProblemError {
    const entries = body && typeof body === 'object' ? Object.entries(body as Record<string, unknown>).filter(([, v]) => typeof v === 'string') : [];
    if (entries.some(([field]) => field === 'point' || field === 'apikey')) {
      // Our configuration is wrong, not the shopper's input.
      return new ProblemError('upstream-unavailable', `The loyalty service refused the configured ${entries[0]![0]}: ${entries[0]![1]}`, { retryable: false });
    }
    const errors = entries.map(([field, message]) => ({ field: FIELD_MAP[field] ?? field, message: String(message) }));
    const notFound = entries.some(([field]) => field === 'client');
    return new ProblemError(notFound ? 'not-found' : 'rejected', errors.map((e) => e.message).join(' ') || 'The loyalty service refused the operation.', { errors });
  }

  #checkCurrency(currency: string): void {
    if (currency !== this.#o.currency) {
      throw new ProblemError('validation', `This loyalty programme works in ${this.#o.currency}; the cart is in ${currency}.`, { errors: [{ field: 'currency', message: `Expected ${this.#o.currency}.` }] });
    }
  }

  #major(minor: number): number {
    return minorToNumber(minor, this.#o.currency);
  }

  #money(amount: number): Money {
    return { amount, currency: this.#o.currency };
  }

  #value(points: number) {
    return { value: this.#money(Math.round(points * this.#o.pointValue)), points };
  }
}
