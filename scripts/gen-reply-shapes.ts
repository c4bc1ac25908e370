/**
 * `npm run gen:shapes`: writes src/protocol/reply-shapes.ts and instalment-reply-shapes.ts, the
 * JSON Schema of every reply the widget reads, generated from the zod schemas (the one
 * definition). The widget checks replies against these with `conforms` (./shape.ts) and ships
 * no zod. A test fails when the files are out of date with the schemas.
 *
 * Every part that occurs more than once in a file (Money alone appears dozens of times) is
 * written once, as a constant the shapes refer to: the same objects at run time, a fraction of
 * the bytes. The instalment replies have their own file, which only the instalments chunk
 * (loaded when the proxy has an instalment provider) carries.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { InstalmentEligibility, InstalmentSession, InstalmentStatus } from '../src/protocol/instalments.js';
import { Problem } from '../src/protocol/problem.js';
import { Capabilities, Catalog, Checkout } from '../src/protocol/schemas.js';

/** The files written, and the replies in each. */
export const REPLY_SHAPES = {
  'src/protocol/reply-shapes.ts': { Capabilities, Catalog, Checkout, Problem },
  'src/protocol/instalment-reply-shapes.ts': { InstalmentEligibility, InstalmentSession, InstalmentStatus },
};
const KEEP = new Set(['type', 'properties', 'required', 'items', 'anyOf', 'enum', 'const']);

/** Only the keywords `conforms` reads; descriptions and `$schema` do not ship. */
function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => KEEP.has(key))
      .map(([key, value]) => [key, key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, prune(v)])) : prune(value)]),
  );
}

/** Every shape object (not the `properties` maps, which are not shapes), depth first. */
function* shapes(node: unknown): Generator<object> {
  if (Array.isArray(node)) for (const item of node) yield* shapes(item);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties') for (const inner of Object.values(value as object)) yield* shapes(inner);
      else if (key === 'items' || key === 'anyOf') yield* shapes(value);
    }
    yield node;
  }
}

/** The JSON Schema (the part `conforms` reads) of each reply of `file`, from its zod schema. */
export function replySchemas(file: keyof typeof REPLY_SHAPES): Array<readonly [string, unknown]> {
  return Object.entries(REPLY_SHAPES[file]).map(([name, schema]) => [name, prune(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }))] as const);
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

export function generateReplyShapes(file: keyof typeof REPLY_SHAPES): string {
  const replies = replySchemas(file);
  // Parts that occur more than once become constants, inner ones first (a constant may use another).
  const counts = new Map<string, number>();
  for (const [, shape] of replies) for (const part of shapes(shape)) counts.set(JSON.stringify(part), (counts.get(JSON.stringify(part)) ?? 0) + 1);
  const names = new Map<string, string>();
  /** A shape as code: a constant's name, a builder of ./shape.ts (`object`, `array`, `anyOf`), or a literal. */
  const write = (node: unknown, top = false): string => {
    const json = JSON.stringify(node);
    if (!top && names.has(json)) return names.get(json)!;
    const { type, properties, required = [], items, anyOf, ...rest } = node as { type?: string; properties?: Record<string, unknown>; required?: string[]; items?: unknown; anyOf?: unknown[] };
    const others = Object.keys(rest).length;
    if (type === 'object' && properties && !items && !anyOf && !others) {
      const keys = Object.keys(properties);
      const optional = keys.filter((name) => !required.includes(name));
      // Written with `object` only when it gives back exactly this `required`.
      if (JSON.stringify(keys.filter((name) => !optional.includes(name))) === JSON.stringify(required)) {
        const body = `{${keys.map((name) => `${key(name)}:${write(properties[name])}`).join(',')}}`;
        return `object(${body}${optional.length ? `,${JSON.stringify(optional)}` : ''})`;
      }
    }
    if (type === 'array' && items && !properties && !anyOf && !others && !('required' in (node as object))) return `array(${write(items)})`;
    if (anyOf && !type && !properties && !items && !others) return `anyOf(${anyOf.map((option) => write(option)).join(',')})`;
    return `{${Object.entries(node as object)
      .map(([name, value]) => `${key(name)}:${name === 'properties' ? `{${Object.entries(value as object).map(([k, v]) => `${key(k)}:${write(v)}`).join(',')}}` : name === 'items' ? write(value) : name === 'anyOf' ? `[${(value as unknown[]).map((v) => write(v)).join(',')}]` : JSON.stringify(value)}`)
      .join(',')}}`;
  };
  const lines = [
    '// Generated by scripts/gen-reply-shapes.ts from the zod schemas of this folder. Do not edit:',
    '// change the schema, then run `npm run gen:shapes`.',
    '',
  ];
  const used = new Set<string>();
  const body: string[] = [];
  for (const [, shape] of replies) {
    for (const part of shapes(shape)) {
      const json = JSON.stringify(part);
      if ((counts.get(json) ?? 0) < 2 || names.has(json)) continue;
      const name = `s${names.size}`;
      body.push(`const ${name}: Shape = ${write(part, true)};`);
      names.set(json, name);
    }
  }
  body.push('');
  for (const [name, shape] of replies) body.push(`export const ${name}Shape: Shape = ${write(shape)};`, '');
  for (const builder of ['anyOf', 'array', 'object']) if (body.some((line) => line.includes(`${builder}(`))) used.add(builder);
  lines.push(`import { ${[...used].map((name) => `${name}, `).join('')}type Shape } from './shape.js';`, '', ...body);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of Object.keys(REPLY_SHAPES) as Array<keyof typeof REPLY_SHAPES>) {
    writeFileSync(file, generateReplyShapes(file));
    console.log(`${file} written`);
  }
}
