import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateReplyShapes, REPLY_SHAPES, replySchemas } from '../../scripts/gen-reply-shapes.js';
import * as instalmentShapes from '../../src/protocol/instalment-reply-shapes.js';
import * as pageShapes from '../../src/protocol/reply-shapes.js';
import { CheckoutShape, ProblemShape } from '../../src/protocol/reply-shapes.js';
import { conforms } from '../../src/protocol/shape.js';
import { Checkout } from '../../src/protocol/schemas.js';

/** The widget checks replies with shapes generated from the zod schemas: they must not drift. */
for (const file of Object.keys(REPLY_SHAPES) as Array<keyof typeof REPLY_SHAPES>) {
  test(`${file} is what the zod schemas generate (run npm run gen:shapes)`, () => {
    assert.equal(readFileSync(file, 'utf8'), generateReplyShapes(file));
  });
}

test('the shapes as built at run time are the JSON Schema of the zod schemas (the part conforms reads)', () => {
  const built = { 'src/protocol/reply-shapes.ts': pageShapes, 'src/protocol/instalment-reply-shapes.ts': instalmentShapes } as Record<string, Record<string, unknown>>;
  for (const file of Object.keys(REPLY_SHAPES) as Array<keyof typeof REPLY_SHAPES>) {
    for (const [name, schema] of replySchemas(file)) assert.deepEqual(built[file]![`${name}Shape`], schema, `${file} ${name}`);
  }
});

test('each part written once stands for all its occurrences: Money is one object', () => {
  const checkout = CheckoutShape as { properties: Record<string, { properties?: unknown }> };
  assert.equal(checkout.properties.amountDue, (checkout.properties.cart as { properties: Record<string, unknown> }).properties.total);
});

const money = (amount: number) => ({ amount, currency: 'EUR' });
const checkout = {
  id: 'c1',
  status: 'open',
  cart: { id: 'cart', currency: 'EUR', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: money(100), total: money(100) }], total: money(100) },
  customer: null,
  loyalty: null,
  amountDue: money(100),
  paymentRequest: null,
  receipt: null,
};

test('a reply the zod schema accepts conforms to its shape, and vice versa on broken replies', () => {
  assert.equal(Checkout.safeParse(checkout).success, true);
  assert.equal(conforms(CheckoutShape, checkout), true);
  const broken: unknown[] = [
    undefined,
    null,
    [],
    'checkout',
    { ...checkout, id: 42 },
    { ...checkout, amountDue: { amount: '100', currency: 'EUR' } },
    { ...checkout, cart: { ...checkout.cart, lines: [{ sku: 'a' }] } },
    { ...checkout, customer: { maskedPhone: '•• 12' } },
    (({ receipt, ...rest }) => rest)(checkout),
  ];
  for (const value of broken) {
    assert.equal(Checkout.safeParse(value).success, false, JSON.stringify(value));
    assert.equal(conforms(CheckoutShape, value), false, JSON.stringify(value));
  }
  assert.equal(conforms(CheckoutShape, { ...checkout, extra: true }), true, 'unknown keys are allowed, as zod strips them');
});

test('problem documents conform; other JSON does not', () => {
  assert.equal(conforms(ProblemShape, { type: '/problems/validation', title: 'Bad', status: 400, errors: [{ field: 'query', message: 'Too short.' }] }), true);
  assert.equal(conforms(ProblemShape, { type: '/problems/validation', status: 400 }), false);
  assert.equal(conforms(ProblemShape, { type: '/problems/validation', title: 'Bad', status: 400, errors: [{ field: 1 }] }), false);
});
