import type { Context, Hono } from 'hono';
import type { InstalmentFlow } from '../instalments/flow.js';
import type { InstalmentProvider } from '../providers/provider.js';

/**
 * Provider callbacks (SPEC §4a): called by the instalment provider's servers (the signed
 * notification) and by the shopper's browser coming back from the provider's page (return,
 * back). Neither carries a client secret: the notification proves itself with its seal, and
 * nothing is trusted before the payment result is re-read from the provider.
 */
export const CALLBACK_PREFIX = '/v1/callbacks/';

export function mountProviderCallbacks(app: Hono, flow: InstalmentFlow, provider: InstalmentProvider): void {
  const base = '/v1/callbacks/instalments/:id';

  app.post(`${base}/notification`, async (c) => {
    const fields = new URLSearchParams(await c.req.text());
    // A wrong or missing seal is a 400 and changes nothing.
    const notification = provider.verifyNotification(fields);
    await flow.notified(c.req.param('id'), notification.orderRef);
    // 200 tells the provider to stop sending it; an error (the CRM failing) makes it retry.
    return c.text('OK');
  });

  const land = async (c: Context) => c.redirect(await flow.landed(c.req.param('id') ?? ''), 303);
  app.on(['GET', 'POST'], `${base}/return`, land);
  app.on(['GET', 'POST'], `${base}/back`, land);
}
