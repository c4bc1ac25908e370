import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild, { minify } from 'rollup-plugin-esbuild';
import { minify as terser } from 'terser';

/**
 * Two outputs:
 * - `dist/checkout-elements.js`: the self-contained drop-in (all tags, Lit, context,
 *   validation, default locale) for one `<script type="module">`; this is what the size
 *   budget measures (`npm run bench:size`).
 * - `dist/elements/*.js`: each element alone (class + its registration), for pages that
 *   want only one; shared code is split into chunks.
 */
export const plugins = [
  nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
  // `charset: 'utf8'`: text stays as written; escaped (`\u0431`) every Cyrillic letter took 6 bytes instead of 2.
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', charset: 'utf8' }),
  // Collapses whitespace inside html`` and css`` templates, which esbuild leaves alone.
  minifyHTML(),
  minify({ target: 'es2022', legalComments: 'none', charset: 'utf8' }),
  // Then terser over esbuild's output: its second compress pass finds what one pass leaves
  // (about 250 B gzip off the drop-in).
  {
    name: 'terser',
    async renderChunk(code, _chunk, { sourcemap }) {
      const { code: terse, map } = await terser(code, { module: true, ecma: 2020, compress: { passes: 2 }, sourceMap: !!sourcemap });
      return { code: terse, map };
    },
  },
];

export default [
  {
    input: { 'checkout-elements': 'src/define.ts' },
    // The POS chunk imports Lit and the hook module from the drop-in itself: let rollup add
    // those exports to it rather than moving everything into a shared chunk behind a facade.
    preserveEntrySignatures: 'allow-extension',
    // Other locales than English are chunks beside it, loaded when a page asks for them; so are
    // POS mode (`pos-[hash].js`), loaded by `<checkout-session mode="pos">`, pay in
    // instalments (`instalments-[hash].js`), loaded when the proxy has an instalment provider,
    // the words for problems (`problems-[hash].js`), loaded with the first problem to show, and
    // what shows once the checkout is no longer open (`outcome-[hash].js`: waiting, receipt).
    output: { dir: 'dist', format: 'es', sourcemap: true, chunkFileNames: (chunk) => (['pos', 'instalments', 'problems', 'outcome'].includes(chunk.name) ? '[name]-[hash].js' : 'locales/[name]-[hash].js') },
    plugins,
  },
  {
    input: {
      'checkout-session': 'src/elements/checkout-session/define.ts',
      'customer-lookup': 'src/elements/customer-lookup/define.ts',
      'loyalty-balance': 'src/elements/loyalty-balance/define.ts',
      'eligibility-check': 'src/elements/eligibility-check/define.ts',
      'checkout-pay': 'src/elements/checkout-pay/define.ts',
    },
    output: { dir: 'dist/elements', format: 'es', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
    plugins,
  },
];
