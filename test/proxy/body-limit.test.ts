import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { limitBody } from '../../src/proxy/http/body-limit.js';

/** `limitBody` over the Node adapter: the header decides when there is one, the stream's bytes when there is none. */
let server: RunningServer;
let handled = 0;
before(async () => {
  const app = new Hono();
  app.use('*', limitBody(1000, (c) => c.text('too large', 413)));
  app.all('/echo', async (c) => {
    handled++;
    return c.text(String((await c.req.text()).length));
  });
  server = await listen(app);
});
after(() => server.close());

/** One request; `chunks` given: sent with `Transfer-Encoding: chunked` (no Content-Length). */
function send(method: string, body?: string, chunks?: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = chunks ? { 'transfer-encoding': 'chunked' } : body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {};
    const req = httpRequest(`${server.url}/echo`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of chunks ?? []) req.write(chunk);
    req.end(chunks ? undefined : body);
  });
}

test('a body within its Content-Length limit reaches the handler whole', async () => {
  assert.deepEqual(await send('POST', 'x'.repeat(1000)), { status: 200, text: '1000' });
});

test('a Content-Length over the limit is refused before the handler runs', async () => {
  const before = handled;
  assert.equal((await send('PUT', 'x'.repeat(1001))).status, 413);
  assert.equal(handled, before);
});

test('without a Content-Length, the streamed bytes are counted', async () => {
  assert.deepEqual(await send('POST', undefined, ['x'.repeat(600), 'x'.repeat(400)]), { status: 200, text: '1000' });
  const before = handled;
  assert.equal((await send('POST', undefined, ['x'.repeat(600), 'x'.repeat(401)])).status, 413);
  assert.equal(handled, before);
});

test('GET and body-less requests pass', async () => {
  assert.deepEqual(await send('GET'), { status: 200, text: '0' });
  assert.deepEqual(await send('DELETE'), { status: 200, text: '0' });
});
