import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signWebhook, verifyWebhook, WebhookSignatureError } from '../../src/proxy/webhooks/sign.js';
import { eventId } from '../../src/proxy/webhooks/events.js';
import { MemoryOutbox } from '../../src/proxy/webhooks/outbox.js';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';

const OLD_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const body = JSON.stringify({ type: 'checkout.paid', timestamp: '2026-12-02T10:00:00.000Z', data: { checkout: { id: 'c1' } } });

test('a signed message verifies with the shop\'s secret, through verifyWebhook and any Standard Webhooks library', () => {
  const headers = signWebhook('msg_1', body, [TEST_WEBHOOK_SECRET]);
  assert.deepEqual(verifyWebhook(body, headers, TEST_WEBHOOK_SECRET), JSON.parse(body));
  // The maintained reference implementation accepts it as is.
  assert.deepEqual(new Webhook(TEST_WEBHOOK_SECRET).verify(body, { ...headers }), JSON.parse(body));
});

test('forged, altered, replayed (stale) and future-dated messages are rejected', () => {
  const forged = signWebhook('msg_1', body, [OLD_SECRET]);
  assert.throws(() => verifyWebhook(body, forged, TEST_WEBHOOK_SECRET), WebhookSignatureError);
  const good = signWebhook('msg_1', body, [TEST_WEBHOOK_SECRET]);
  assert.throws(() => verifyWebhook(body.replace('c1', 'c2'), good, TEST_WEBHOOK_SECRET), WebhookSignatureError);
  assert.throws(() => verifyWebhook(body, { ...good, 'webhook-id': 'msg_2' }, TEST_WEBHOOK_SECRET), WebhookSignatureError);
  // A message captured and replayed ten minutes later: its timestamp is out of tolerance.
  const stale = signWebhook('msg_1', body, [TEST_WEBHOOK_SECRET], new Date(Date.now() - 10 * 60_000));
  assert.throws(() => verifyWebhook(body, stale, TEST_WEBHOOK_SECRET), WebhookSignatureError);
  // Moving the timestamp forward breaks the signature.
  assert.throws(() => verifyWebhook(body, { ...stale, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }, TEST_WEBHOOK_SECRET), WebhookSignatureError);
  const future = signWebhook('msg_1', body, [TEST_WEBHOOK_SECRET], new Date(Date.now() + 10 * 60_000));
  assert.throws(() => verifyWebhook(body, future, TEST_WEBHOOK_SECRET), WebhookSignatureError);
  assert.throws(() => verifyWebhook(body, {}, TEST_WEBHOOK_SECRET), WebhookSignatureError);
});

test('rotation: the proxy signs with every secret; a shop with either the old or the new one accepts', () => {
  const headers = signWebhook('msg_1', body, [OLD_SECRET, TEST_WEBHOOK_SECRET]);
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  assert.ok(verifyWebhook(body, headers, OLD_SECRET));
  assert.ok(verifyWebhook(body, headers, [TEST_WEBHOOK_SECRET]));
});

test('event ids are stable per occurrence: a replayed provider callback makes no second event', async () => {
  assert.equal(eventId('c1', 'checkout.paid', 'co-c1'), eventId('c1', 'checkout.paid', 'co-c1'));
  assert.notEqual(eventId('c1', 'checkout.paid', 'co-c1'), eventId('c1', 'checkout.review', 'co-c1'));
  const receiver = await startWebhookReceiver();
  const outbox = new MemoryOutbox({ url: receiver.url, secrets: [TEST_WEBHOOK_SECRET], retryScheduleMs: [0] });
  try {
    const checkout = { id: 'c1' } as never;
    await outbox.emit('checkout.paid', checkout, 'co-c1');
    await outbox.emit('checkout.paid', checkout, 'co-c1');
    await receiver.next('checkout.paid', 'c1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(receiver.received.length, 1);
    assert.equal((await outbox.list('delivered')).length, 1);
  } finally {
    await outbox.close();
    await receiver.close();
  }
});

test('the default schedule retries for more than 24 hours', async () => {
  const { RETRY_SCHEDULE_MS } = await import('../../src/proxy/webhooks/outbox.js');
  const total = RETRY_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0);
  assert.ok(total >= 24 * 3600_000, `${total / 3600_000} h`);
});
