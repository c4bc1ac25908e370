import { subscribe } from 'node:diagnostics_channel';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { circuitChanges, upstreamCalls, type UpstreamEvent } from '../http/upstream.js';

/**
 * The proxy's Prometheus metrics (prom-client), in a registry of its own: requests by route
 * and status and their latency; upstream calls by provider, route and outcome and their
 * latency; each provider's circuit state; payments whose outcome is unknown; idempotency
 * replays; the webhook outbox's backlog; and Node's own process metrics. Labels are route
 * templates and closed sets, never ids.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'checkout_http_requests_total', help: 'Requests answered, by route and status.', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'checkout_http_request_duration_seconds',
    help: 'Time to answer a request, by route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly upstream = new Counter({ name: 'checkout_upstream_calls_total', help: 'Calls to providers, by provider, route and outcome.', labelNames: ['provider', 'method', 'route', 'outcome'] as const, registers: [this.registry] });
  readonly upstreamLatency = new Histogram({
    name: 'checkout_upstream_call_duration_seconds',
    help: 'Time a provider took to answer, by provider.',
    labelNames: ['provider'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly circuit = new Gauge({ name: 'checkout_upstream_circuit_state', help: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open.', labelNames: ['provider'] as const, registers: [this.registry] });
  readonly replays = new Counter({ name: 'checkout_idempotency_replays_total', help: 'Requests answered from the idempotency store (a repeated key).', registers: [this.registry] });

  readonly #onUpstream = (message: unknown) => {
    const event = message as UpstreamEvent;
    this.upstream.inc({ provider: event.provider, method: event.method, route: event.route, outcome: event.outcome });
    this.upstreamLatency.observe({ provider: event.provider }, event.durationMs / 1000);
  };
  readonly #onCircuit = (message: unknown) => {
    const { provider, state } = message as { provider: string; state: 'closed' | 'half-open' | 'open' };
    this.circuit.set({ provider }, state === 'open' ? 2 : state === 'half-open' ? 1 : 0);
  };

  constructor(sources: { unknownOutcomes?: () => Promise<number>; webhookBacklog?: () => Promise<number> } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'checkout_' });
    const { unknownOutcomes, webhookBacklog } = sources;
    new Gauge({
      name: 'checkout_payments_outcome_unknown',
      help: 'Checkouts whose payment outcome is not known yet (to settle, or for an operator to resolve).',
      registers: [this.registry],
      async collect() {
        if (unknownOutcomes) this.set(await unknownOutcomes().catch(() => 0));
      },
    });
    new Gauge({
      name: 'checkout_webhook_outbox_backlog',
      help: 'Webhook events not delivered yet.',
      registers: [this.registry],
      async collect() {
        if (webhookBacklog) this.set(await webhookBacklog().catch(() => 0));
      },
    });
    subscribe(upstreamCalls.name as string, this.#onUpstream);
    subscribe(circuitChanges.name as string, this.#onCircuit);
  }

  close(): void {
    upstreamCalls.unsubscribe(this.#onUpstream);
    circuitChanges.unsubscribe(this.#onCircuit);
  }
}
