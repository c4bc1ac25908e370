import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The package's two sides stay apart: what a page loads (the drop-in, each element's entry)
 * never reaches server code — the proxy, the Node entry, the simulators, Node built-ins or a
 * server dependency — so a merchant's bundler never pulls them in and no secret-handling code
 * ships to a browser.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BROWSER_ENTRIES = ['src/define.ts', 'src/index.ts', ...['checkout-session', 'customer-lookup', 'loyalty-balance', 'eligibility-check', 'checkout-pay'].map((tag) => `src/elements/${tag}/define.ts`)];
const SERVER_DIRS = ['src/proxy/', 'src/node/', 'src/simulators/'];
const SERVER_PACKAGES = /^(node:|hono|@hono\/|ioredis|bullmq|undici|cockatiel|pino|prom-client|rate-limiter-flexible|standardwebhooks)/;

/** Every module `entry` reaches by value (type-only imports are erased by the build), with who imports it. */
function reach(entry: string): Map<string, string> {
  const seen = new Map<string, string>([[entry, '(entry)']]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    const source = readFileSync(resolve(root, file), 'utf8');
    const specifiers = [
      ...[...source.matchAll(/^\s*(?:import|export)(?!\s+type\b)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    for (const specifier of specifiers) {
      const target = specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;
      if (seen.has(target)) continue;
      seen.set(target, file);
      if (specifier.startsWith('.')) queue.push(target);
    }
  }
  return seen;
}

const serverSide = (module: string) => SERVER_DIRS.some((dir) => module.startsWith(dir)) || SERVER_PACKAGES.test(module);

test('browser entries reach no server module, Node built-in or server package', () => {
  for (const entry of BROWSER_ENTRIES) {
    const reached = reach(entry);
    assert.ok(reached.size > 3, `${entry}: the walk found its imports`);
    const leaks = [...reached].filter(([module]) => serverSide(module)).map(([module, by]) => `${module} (imported by ${by})`);
    assert.deepEqual(leaks, [], `${entry} reaches server code`);
  }
});

test('the check sees a server import when there is one: the proxy entry reaches the proxy and its packages', () => {
  const reached = [...reach('src/proxy/index.ts').keys()];
  assert.ok(reached.some((m) => m.startsWith('src/proxy/checkout/')), 'walks relative imports');
  assert.ok(reached.includes('hono'), 'sees package imports');
  assert.ok(reached.some((m) => m.startsWith('node:')), 'sees Node built-ins');
});
