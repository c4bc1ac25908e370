import type { Context, Hono } from 'hono';
import * as z from 'zod/mini';
import { IDEMPOTENCY_HEADER } from '../../protocol/index.js';
import { CreateCheckoutRequest, ExternalPaymentRequest, ResolveRequest, TillCredentialRequest } from '../../protocol/server.js';
import { bearerToken, issueTillCredential, matchesAny } from '../auth/secrets.js';
import type { CheckoutService } from '../checkout/service.js';
import type { IdempotencyGuard } from '../idempotency/guard.js';
import { parseBody } from '../parse-body.js';
import { ProblemError } from '../problems.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

export interface ServerApiDeps {
  service: CheckoutService;
  idempotent: IdempotencyGuard;
  /** Accepted secret keys (several during a rotation). */
  secretKeys: readonly string[];
  outbox?: WebhookOutbox;
}

const EventStatus = z.object({ status: z._default(z.enum(['pending', 'delivered', 'failed']), 'failed') });

/**
 * The shop's server (SPEC §4a), server to server, with a secret key
 * (`Authorization: Bearer <secret key>`, compared in constant time against every accepted
 * key). It creates checkouts with its cart and hands the page their client secret, vouches for
 * its logged-in shopper, confirms what its own PSP took, cancels, issues till credentials,
 * and — as the operator — settles unknown payment outcomes and redelivers webhooks. These
 * routes send no CORS headers: a browser cannot call them.
 */
export function mountServerApi(app: Hono, deps: ServerApiDeps): void {
  const { service } = deps;
  app.use('/v1/server/*', async (c, next) => {
    if (!matchesAny(bearerToken(c.req.header('authorization')), deps.secretKeys)) {
      throw new ProblemError('unauthorized', 'Send one of the shop\'s secret keys as Authorization: Bearer <key>.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    await next();
  });
  const ctx = (c: Context) => ({ signal: c.req.raw.signal });

  app.post('/v1/server/checkouts', async (c) => {
    const body = await parseBody(c, CreateCheckoutRequest);
    const { record, checkout, created } = await service.create(body, ctx(c));
    return c.json({ checkout, clientSecret: record.clientSecret }, created ? 201 : 200);
  });

  app.get('/v1/server/checkouts/:id', async (c) => c.json(await service.read(c.req.param('id'))));

  app.post('/v1/server/checkouts/:id/cancel', async (c) => c.json(await service.cancel(c.req.param('id'))));

  app.post('/v1/server/checkouts/:id/payments', async (c) => {
    const id = c.req.param('id');
    const body = await parseBody(c, ExternalPaymentRequest);
    const key = c.req.header(IDEMPOTENCY_HEADER);
    return deps.idempotent({ key, scope: 'server', method: 'POST', path: c.req.path, body }, async () => {
      const checkout = await service.confirmExternal(id, body, { idempotencyKey: key });
      return Response.json(checkout, { status: 201 });
    });
  });

  app.post('/v1/server/checkouts/:id/resolve', async (c) => {
    const body = await parseBody(c, ResolveRequest);
    return c.json(await service.resolve(c.req.param('id'), body.outcome));
  });

  app.post('/v1/server/till-credentials', async (c) => {
    const body = await parseBody(c, TillCredentialRequest);
    return c.json(issueTillCredential(body.till, body.ttlSeconds ?? 8 * 3600, deps.secretKeys), 201);
  });

  app.get('/v1/server/webhook-events', async (c) => {
    const outbox = requireOutbox(deps);
    const query = EventStatus.safeParse({ status: c.req.query('status') });
    if (!query.success) throw new ProblemError('validation', 'status is pending, delivered or failed.', { errors: [{ field: 'status', message: 'pending, delivered or failed' }] });
    return c.json({ events: await outbox.list(query.data.status) });
  });

  app.post('/v1/server/webhook-events/:id/redeliver', async (c) => {
    if (!(await requireOutbox(deps).redeliver(c.req.param('id')))) throw new ProblemError('not-found', 'No such webhook event.');
    return c.json({ redelivering: true }, 202);
  });
}

function requireOutbox(deps: ServerApiDeps): WebhookOutbox {
  if (!deps.outbox) throw new ProblemError('not-supported', 'No webhook endpoint is configured.');
  return deps.outbox;
}
