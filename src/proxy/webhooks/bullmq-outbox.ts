import { Queue, Worker, type Job } from 'bullmq';
import type { ServerCheckout } from '../../protocol/server.js';
import type { WebhookEventType, WebhookMessage } from './events.js';
import { buildMessage, deliver, RETRY_SCHEDULE_MS, type OutboxEntry, type OutboxStatus, type WebhookEndpoint, type WebhookOutbox } from './outbox.js';

/**
 * The durable outbox for proxies with Redis: a BullMQ queue. An event is a job whose id is the
 * event id (so a replayed callback adds nothing), retried on the Standard Webhooks schedule
 * (more than 27 h), kept when it fails for good; every instance runs a worker, so delivery
 * goes on whichever instance stops. Failed jobs stay for the operator to list and redeliver.
 */
export class BullMqOutbox implements WebhookOutbox {
  readonly #queue: Queue<WebhookMessage>;
  readonly #worker: Worker<WebhookMessage>;
  readonly #schedule: number[];

  constructor(redisUrl: string, endpoint: WebhookEndpoint, options: { prefix?: string; log?: (message: string, error?: unknown) => void } = {}) {
    this.#schedule = endpoint.retryScheduleMs ?? RETRY_SCHEDULE_MS;
    const connection = { url: redisUrl, maxRetriesPerRequest: null };
    const prefix = `${options.prefix ?? 'checkout:'}bull`;
    this.#queue = new Queue<WebhookMessage>('webhooks', { connection, prefix });
    this.#worker = new Worker<WebhookMessage>('webhooks', (job: Job<WebhookMessage>) => deliver(job.data, endpoint), {
      connection,
      prefix,
      concurrency: 8,
      // Attempt n+1 waits the schedule's n-th delay after attempt n failed.
      settings: { backoffStrategy: (attemptsMade: number) => this.#schedule[attemptsMade] ?? this.#schedule.at(-1)! },
    });
    this.#worker.on('failed', (job, error) => {
      if (job && job.attemptsMade >= this.#schedule.length) options.log?.(`webhook ${job.id} (${job.name}) failed after ${job.attemptsMade} attempts: ${error.message}`);
    });
    // Connection trouble is reported by the proxy's own Redis client; keep BullMQ's quiet.
    this.#worker.on('error', () => {});
    this.#queue.on('error', () => {});
  }

  async emit(type: WebhookEventType, checkout: ServerCheckout, occurrence?: string): Promise<void> {
    const message = buildMessage(type, checkout, occurrence);
    await this.#queue.add(type, message, {
      jobId: message.id,
      attempts: this.#schedule.length,
      backoff: { type: 'custom' },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    });
  }

  async list(status: OutboxStatus, limit = 100): Promise<OutboxEntry[]> {
    const types = status === 'pending' ? (['waiting', 'delayed', 'active'] as const) : status === 'delivered' ? (['completed'] as const) : (['failed'] as const);
    const jobs = await this.#queue.getJobs([...types], 0, limit - 1);
    return jobs.filter(Boolean).map((job) => ({
      id: String(job.id),
      type: job.name as WebhookEventType,
      checkoutId: job.data.data.checkout.id,
      status,
      attempts: job.attemptsMade,
      createdAt: job.data.timestamp,
      ...(job.failedReason ? { lastError: job.failedReason } : {}),
    }));
  }

  async redeliver(id: string): Promise<boolean> {
    const job = await this.#queue.getJob(id);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'failed' || state === 'completed') await job.retry(state, { resetAttemptsMade: true });
    return true;
  }

  async backlog(): Promise<number> {
    const counts = await this.#queue.getJobCounts('waiting', 'delayed', 'active');
    return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
  }

  async close(): Promise<void> {
    await this.#worker.close();
    await this.#queue.close();
  }
}
