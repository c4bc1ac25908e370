/**
 * `npm run build:examples`: builds the framework examples (examples/<framework>/) with esbuild
 * into dist/examples/<framework>/app.js. Each app is bundled with its framework only; the
 * checkout elements are not in it, the page loads the drop-in (`/dist/checkout-elements.js`)
 * beside it as a merchant would. The demo stack serves the pages at /examples/<framework>/.
 */
import { build, type BuildOptions } from 'esbuild';

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const examples: Record<string, BuildOptions> = {
  // React 19: JSX through React's automatic runtime.
  react: {
    entryPoints: ['examples/react/app.jsx'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
  },
  // Vue 3 with its template compiler in the browser (the template is a string in the app).
  vue: {
    entryPoints: ['examples/vue/app.js'],
    alias: { vue: 'vue/dist/vue.esm-bundler.js' },
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  },
  // Angular, JIT: legacy decorators (what Angular's decorators are), no CLI.
  angular: {
    entryPoints: ['examples/angular/app.ts'],
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    // Production mode (no dev-mode checks); `ngJitMode` stays on, the templates compile in the browser.
    define: { ngDevMode: 'false' },
  },
};

const only = process.argv.slice(2);
for (const [name, options] of Object.entries(examples)) {
  if (only.length && !only.includes(name)) continue;
  const started = performance.now();
  const result = await build({ ...common, ...options, outfile: `dist/examples/${name}/app.js`, metafile: true });
  const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('app.js'))?.[1].bytes ?? 0;
  console.log(`dist/examples/${name}/app.js  ${(bytes / 1024).toFixed(1)} KB  ${Math.round(performance.now() - started)} ms`);
}
