import { Hono } from 'hono';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { verifyWebhook } from '../../src/proxy/webhooks/sign.js';

/** A test signing secret (`whsec_` + base64 of 32 bytes). */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export interface ReceivedWebhook {
  id: string;
  type: string;
  data: { checkout: Record<string, any> };
}

/**
 * The shop's webhook endpoint in tests: verifies every message with the shop's secret (as a
 * shop would, through `verifyWebhook`), answers `status()` (200 by default; a test can make
 * it fail), and keeps what it accepted, in order.
 */
export async function startWebhookReceiver(secret = TEST_WEBHOOK_SECRET) {
  const received: ReceivedWebhook[] = [];
  const rejected: string[] = [];
  let status = 200;
  let attempts = 0;
  const app = new Hono();
  app.post('/webhooks', async (c) => {
    attempts += 1;
    const body = await c.req.text();
    try {
      const message = verifyWebhook<{ type: string; data: ReceivedWebhook['data'] }>(body, c.req.raw.headers, secret);
      if (status !== 200) return c.text('not now', status as 500);
      received.push({ id: c.req.header('webhook-id')!, type: message.type, data: message.data });
      return c.text('ok');
    } catch (error) {
      rejected.push((error as Error).message);
      return c.text('bad signature', 400);
    }
  });
  const server: RunningServer = await listen(app);
  return {
    url: `${server.url}/webhooks`,
    received,
    rejected,
    get attempts() {
      return attempts;
    },
    fail(next: number) {
      status = next;
    },
    /** Waits until a webhook of `type` for `checkoutId` arrived. */
    async next(type: string, checkoutId: string, timeoutMs = 5000): Promise<ReceivedWebhook> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((w) => w.type === type && w.data.checkout.id === checkoutId);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${type} webhook for ${checkoutId}; got ${received.map((w) => w.type).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => server.close(),
  };
}
