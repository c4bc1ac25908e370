import { getRequestListener } from '@hono/node-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { Hono } from 'hono';
// TypeScript modules: this config is loaded with `node --import tsx` (see package.json).
import { startTestBackend } from './test/support/backend.ts';

/**
 * Element tests run in Debian's Chromium (override with CHROME_PATH). The proxy and the
 * simulator run in this process on real HTTP and are mounted on the test server's own origin
 * under `/api/ru-loyalty` (proxy) and `/sim/ru-loyalty` (simulator journal), so the elements
 * call them exactly as they call a merchant's proxy; `/test-shop/*` plays the shop's server.
 */
const backend = await startTestBackend();
const app = new Hono().route('/', backend.app);
const listener = getRequestListener(app.fetch);

export default {
  files: ['test/elements/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json' }),
    {
      name: 'checkout-backend',
      serverStop: () => backend.close(),
    },
  ],
  middleware: [
    async (ctx, next) => {
      if (!ctx.url.startsWith('/api/') && !ctx.url.startsWith('/sim/') && !ctx.url.startsWith('/test-shop/')) return next();
      ctx.respond = false;
      await listener(ctx.req, ctx.res);
    },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      },
    }),
  ],
};
