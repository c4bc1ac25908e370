import type { Cart, CartSource } from '../carts.js';
import type { CheckoutEvents, WebhookEventType } from '../webhooks/events.js';
import type { CheckoutRecord, CheckoutStore } from './record.js';
import { serverView } from './view.js';

/**
 * The webhooks a checkout owes the shop, kept on the checkout itself (a transactional outbox):
 * the save that changes its state also records the event (`owe`), so no crash, kill or outbox
 * failure between the two can lose it. Once the outbox has the event the checkout is saved
 * again without it; until then `flush` (run at start and every `webhooks.flushIntervalMs`)
 * queues it again. Event ids are deterministic (`eventId`), and both outboxes keep one job per
 * id, so queueing an event twice delivers it once.
 */

/** `record` owing the shop the event `type` (once per occurrence). */
export function owe(record: CheckoutRecord, type: WebhookEventType, occurrence?: string): CheckoutRecord {
  const pending = record.pendingEvents ?? [];
  if (pending.some((event) => event.type === type && event.occurrence === occurrence)) return record;
  return { ...record, pendingEvents: [...pending, { type, ...(occurrence !== undefined ? { occurrence } : {}) }] };
}

export interface OwedEventsOptions {
  checkouts: CheckoutStore;
  /** Where carts named by `cartId` are read (a late event carries the checkout as it is then). */
  carts: CartSource;
  events: CheckoutEvents;
  log?: (message: string, error?: unknown) => void;
}

export class OwedEvents {
  readonly #o: OwedEventsOptions;

  constructor(options: OwedEventsOptions) {
    this.#o = options;
  }

  /**
   * Queues what `record` owes (it is saved so, and its lock is held), then saves it owing
   * nothing. Returns the record as it is stored: still owing when the outbox or that save
   * failed, for the next flush (same event ids: the outbox keeps one).
   */
  async deliver(record: CheckoutRecord, cart: Cart): Promise<CheckoutRecord> {
    const pending = record.pendingEvents;
    if (!pending?.length) return record;
    const checkout = serverView(record, cart);
    try {
      for (const event of pending) await this.#o.events.emit(event.type, checkout, event.occurrence);
    } catch (error) {
      // The state is saved with its events: a failing outbox never turns a recorded sale into an error.
      this.#o.log?.(`webhooks of checkout ${record.id} (${pending.map((event) => event.type).join(', ')}) not queued yet; the next flush retries`, error);
      return record;
    }
    const { pendingEvents: _queued, ...rest } = record;
    try {
      await this.#o.checkouts.save(rest);
      return rest;
    } catch (error) {
      this.#o.log?.(`webhooks of checkout ${record.id} queued but still marked owed; the next flush queues them again (same ids)`, error);
      return record;
    }
  }

  /**
   * Queues what checkout `id` owes, under its lock, re-read there: another instance may have
   * queued it meanwhile. True when this call queued something and cleared it.
   */
  deliverFor(id: string): Promise<boolean> {
    return this.#o.checkouts.withLock(id, async () => {
      const record = await this.#o.checkouts.get(id);
      if (!record?.pendingEvents?.length) return false;
      const cart = record.cart ?? (await this.#o.carts.get(record.cartId ?? ''));
      if (!cart) throw new Error(`cart "${record.cartId}" was not found`);
      return !(await this.deliver(record, cart)).pendingEvents;
    });
  }

  /** Queues every event still owed (by any instance's checkouts); returns how many checkouts this call settled. */
  async flush(): Promise<number> {
    const ids = (await this.#o.checkouts.listPendingEvents?.()) ?? [];
    let settled = 0;
    for (const id of ids) {
      try {
        if (await this.deliverFor(id)) settled += 1;
      } catch (error) {
        // Busy (another instance holds the lock) or unreachable: the next flush tries again.
        this.#o.log?.(`webhooks of checkout ${id} not queued yet`, error);
      }
    }
    return settled;
  }
}
