import { createHash } from 'node:crypto';
import type { ServerCheckout } from '../../protocol/server.js';

/**
 * The events the shop's server is told about (SPEC §4a), as Standard Webhooks 1.0 messages:
 * `{type, timestamp, data}` signed by the outbox. A DOM event on the page is not something an
 * order system can trust; these are.
 */
export const WEBHOOK_EVENT_TYPES = [
  /** The checkout is paid and, where there is a customer, the sale is recorded in the loyalty/CRM provider. */
  'checkout.paid',
  /** Money was taken (the shop's PSP, instalments) but the loyalty sale could not be recorded: the shop checks it. */
  'checkout.review',
  /** A payment was sent to the provider and its outcome is not known yet; `checkout.paid` (or a resolution) follows. */
  'checkout.outcome_unknown',
  /** The shop's server cancelled the checkout. */
  'checkout.cancelled',
  /** The instalment provider refused the payment: nothing was charged. */
  'checkout.instalment_refused',
  /** The shopper cancelled the payment in instalments (or gave up on it): nothing was charged. */
  'checkout.instalment_cancelled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookMessage {
  /** Unique per event, the same on every delivery attempt (`webhook-id`): the shop dedups on it. */
  id: string;
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: { checkout: ServerCheckout };
}

/** What the checkout rules call when something the shop must know happens. */
export interface CheckoutEvents {
  /**
   * Queues `type` for `checkout`. `occurrence` tells repeated occurrences apart (a payment
   * attempt, an instalment order): the same checkout, type and occurrence is the same event
   * (same id), so a replayed provider callback never makes a second one.
   */
  emit(type: WebhookEventType, checkout: ServerCheckout, occurrence?: string): Promise<void>;
}

/** The event id: stable for one occurrence of one event on one checkout. */
export function eventId(checkoutId: string, type: WebhookEventType, occurrence = ''): string {
  return `msg_${createHash('sha256').update(`${checkoutId}\n${type}\n${occurrence}`).digest('base64url').slice(0, 27)}`;
}

/** When no webhook endpoint is configured: events go nowhere (the shop reads checkouts instead). */
export const noEvents: CheckoutEvents = { emit: async () => {} };
