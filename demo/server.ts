/** `npm start`: the demo page, the proxy and every simulator, with zero configuration. */
import { startDemo } from './stack.js';

const port = Number(process.env.PORT ?? 8080);
const demo = await startDemo({ port });
console.log(`\n  checkout-elements demo is running.\n\n  Open ${demo.url}/ in your browser.\n  (Ctrl+C to stop.)\n`);
const stop = async () => {
  await demo.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
