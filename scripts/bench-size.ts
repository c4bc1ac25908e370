/**
 * `npm run bench:size`: builds the self-contained drop-in bundle and each element alone (each
 * its own self-contained bundle, with Lit, context and validation), with the same plugins as
 * `rollup.config.mjs`, and prints minified and gzip sizes side by side (chunks loaded on demand
 * are listed under the drop-in, not counted in it; the first render of a French page counts the
 * drop-in and the French chunk, each gzipped as it is served). Budget for the whole drop-in:
 * 16 KB gzip (16,384 bytes; Lit alone is ~5.9 KB of it). Exits non-zero when over.
 */
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
// @ts-expect-error: a plain ESM config module without types.
import { plugins } from '../rollup.config.mjs';

const BUDGET = 16 * 1024;
const entries: Array<[string, string]> = [
  ['drop-in (all elements)', 'src/define.ts'],
  ['<checkout-session> alone', 'src/elements/checkout-session/define.ts'],
  ['<customer-lookup> alone', 'src/elements/customer-lookup/define.ts'],
  ['<loyalty-balance> alone', 'src/elements/loyalty-balance/define.ts'],
  ['<eligibility-check> alone', 'src/elements/eligibility-check/define.ts'],
  ['<checkout-pay> alone', 'src/elements/checkout-pay/define.ts'],
];

const rows: Array<{ name: string; min: number; gzip: number }> = [];
const locales: typeof rows = [];
for (const [name, input] of entries) {
  const bundle = await rollup({ input, plugins, preserveEntrySignatures: 'allow-extension', onwarn: () => {} });
  const { output } = await bundle.generate({ format: 'es', dir: 'dist-bench' });
  await bundle.close();
  // What a page downloads up front: the entry and what it imports statically. Locales other
  // than English are dynamic imports, loaded only when asked for; they are listed below.
  const chunks = new Map(output.flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c] as const] : [])));
  const entry = [...chunks.values()].find((c) => c.isEntry)!;
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const next of chunks.get(name)?.imports ?? []) visit(next);
  };
  visit(entry.fileName);
  const code = [...seen].map((name) => chunks.get(name)!.code).join('');
  if (input === 'src/define.ts') {
    for (const chunk of chunks.values()) {
      if (!seen.has(chunk.fileName)) locales.push({ name: `  + ${chunk.name} (on demand)`, min: Buffer.byteLength(chunk.code), gzip: gzipSync(chunk.code, { level: 9 }).length });
    }
  }
  rows.push({ name, min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
const dropIn = rows[0]!;
// A page with locale="fr" downloads the drop-in and the French chunk before its first render.
const fr = locales.find((row) => row.name === '  + fr (on demand)')!;
const firstRender = { name: 'first render, locale="fr"', min: dropIn.min + fr.min, gzip: dropIn.gzip + fr.gzip };
console.log(`${'bundle'.padEnd(34)}${'min'.padStart(12)}${'min+gzip'.padStart(12)}`);
for (const row of [dropIn, ...locales, firstRender, ...rows.slice(1)]) console.log(`${row.name.padEnd(34)}${kb(row.min).padStart(12)}${kb(row.gzip).padStart(12)}`);
console.log(`\nbudget for the drop-in: ${kb(BUDGET)} gzip → ${dropIn.gzip <= BUDGET ? 'within' : 'OVER'} (${((dropIn.gzip / BUDGET) * 100).toFixed(1)} %)`);
process.exitCode = dropIn.gzip <= BUDGET ? 0 : 1;
