import type { ServerCheckout } from '../../protocol/server.js';
import { eventId, type CheckoutEvents, type WebhookEventType, type WebhookMessage } from './events.js';
import { signWebhook } from './sign.js';

/**
 * At-least-once delivery of the shop's webhooks. Each event is kept (memory, or Redis through
 * BullMQ in `bullmq-outbox.ts`) and POSTed to the shop's endpoint until it answers 2xx, retried
 * on the Standard Webhooks schedule — immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h and 10 h: more than 27 h in all — then kept as failed, for an operator to list and
 * redeliver.
 */
export const RETRY_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface WebhookEndpoint {
  url: string;
  /** `whsec_…` secrets; every one signs each message (rotation). */
  secrets: string[];
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Delays before each attempt (default `RETRY_SCHEDULE_MS`). */
  retryScheduleMs?: number[];
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxEntry {
  id: string;
  type: WebhookEventType;
  checkoutId: string;
  status: OutboxStatus;
  attempts: number;
  createdAt: string;
  lastError?: string;
}

export interface WebhookOutbox extends CheckoutEvents {
  list(status: OutboxStatus, limit?: number): Promise<OutboxEntry[]>;
  /** Sends a failed (or delivered) event again, with the same id; false when unknown. */
  redeliver(id: string): Promise<boolean>;
  /** Events not delivered yet (for `/metrics`). */
  backlog(): Promise<number>;
  close(): Promise<void>;
}

export function buildMessage(type: WebhookEventType, checkout: ServerCheckout, occurrence?: string): WebhookMessage {
  return { id: eventId(checkout.id, type, occurrence), type, timestamp: new Date().toISOString(), data: { checkout } };
}

/** One delivery attempt; throws with a short reason unless the endpoint answered 2xx. */
export async function deliver(message: WebhookMessage, endpoint: WebhookEndpoint): Promise<void> {
  const body = JSON.stringify({ type: message.type, timestamp: message.timestamp, data: message.data });
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(message.id, body, endpoint.secrets) },
    body,
    signal: AbortSignal.timeout(endpoint.timeoutMs ?? 10_000),
    redirect: 'manual',
  }).catch((error: Error) => {
    throw new Error(error.name === 'TimeoutError' ? 'timed out' : `not reached (${error.message})`);
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) throw new Error(`answered ${response.status}`);
}

interface MemoryEntry extends OutboxEntry {
  message: WebhookMessage;
  timer?: NodeJS.Timeout;
}

/**
 * The outbox of a single instance without Redis: events live in this process, so a restart
 * loses those not delivered yet (configure Redis for a durable outbox). Delivered and failed
 * events are kept for 7 days for the operator's list.
 */
export class MemoryOutbox implements WebhookOutbox {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #endpoint: WebhookEndpoint;
  readonly #schedule: number[];
  readonly #log?: (message: string, error?: unknown) => void;
  #closed = false;

  constructor(endpoint: WebhookEndpoint, log?: (message: string, error?: unknown) => void) {
    this.#endpoint = endpoint;
    this.#schedule = endpoint.retryScheduleMs ?? RETRY_SCHEDULE_MS;
    this.#log = log;
  }

  async emit(type: WebhookEventType, checkout: ServerCheckout, occurrence?: string): Promise<void> {
    const message = buildMessage(type, checkout, occurrence);
    // The same occurrence again (a replayed callback): one event, already on its way.
    if (this.#entries.has(message.id)) return;
    this.#sweep();
    const entry: MemoryEntry = { id: message.id, type, checkoutId: checkout.id, status: 'pending', attempts: 0, createdAt: message.timestamp, message };
    this.#entries.set(message.id, entry);
    this.#schedule_(entry);
  }

  async list(status: OutboxStatus, limit = 100): Promise<OutboxEntry[]> {
    return [...this.#entries.values()]
      .filter((entry) => entry.status === status)
      .slice(-limit)
      .map(({ message: _m, timer: _t, ...entry }) => entry);
  }

  async redeliver(id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    Object.assign(entry, { status: 'pending', attempts: 0, lastError: undefined });
    this.#schedule_(entry);
    return true;
  }

  async backlog(): Promise<number> {
    let pending = 0;
    for (const entry of this.#entries.values()) if (entry.status === 'pending') pending += 1;
    return pending;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
  }

  #schedule_(entry: MemoryEntry): void {
    if (this.#closed) return;
    const delay = this.#schedule[entry.attempts] ?? 0;
    entry.timer = setTimeout(() => void this.#attempt(entry), delay);
    entry.timer.unref();
  }

  async #attempt(entry: MemoryEntry): Promise<void> {
    entry.attempts += 1;
    try {
      await deliver(entry.message, this.#endpoint);
      entry.status = 'delivered';
      entry.lastError = undefined;
    } catch (error) {
      entry.lastError = (error as Error).message;
      if (entry.attempts >= this.#schedule.length) {
        entry.status = 'failed';
        this.#log?.(`webhook ${entry.id} (${entry.type}) failed after ${entry.attempts} attempts: ${entry.lastError}`);
      } else {
        this.#schedule_(entry);
      }
    }
  }

  /** Finished events older than 7 days go. */
  #sweep(): void {
    const before = Date.now() - 7 * 24 * 3600_000;
    for (const [id, entry] of this.#entries) {
      if (Date.parse(entry.createdAt) >= before) break;
      if (entry.status !== 'pending') this.#entries.delete(id);
    }
  }
}
