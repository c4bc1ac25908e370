/**
 * `npm run sri`: prints the Subresource Integrity hash of each published browser file in dist/
 * (the drop-in, the chunks it loads, each element alone and their chunks), for a merchant who
 * loads them from a CDN: <script type="module" src="…" integrity="sha384-…"
 * crossorigin="anonymous">. Run after `npm run build`. `npm run release:notes` uses the same
 * hashing (scripts/release-notes.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `integrity` value of a file's bytes: `sha384-<base64>`. */
export function sri(bytes: Uint8Array | string): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** dist/ folders that are not published browser files: the compiled proxy, the type declarations, the demo's framework examples. */
const NOT_BROWSER = new Set(['server', 'types', 'examples']);

/**
 * The browser files of a built dist/ folder, as paths relative to it with `/` (e.g.
 * `checkout-elements.js`, `locales/fr-B21rIDfK.js`, `elements/chunks/context-DPGdyTRQ.js`), sorted.
 */
export function browserFiles(dist = 'dist'): string[] {
  if (!existsSync(dist)) throw new Error(`${dist}/ does not exist: run \`npm run build\` first.`);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return dir === dist && NOT_BROWSER.has(name) ? [] : walk(path);
      return name.endsWith('.js') ? [relative(dist, path).split(sep).join('/')] : [];
    });
  return walk(dist).sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = process.argv[2] ?? 'dist';
  for (const file of browserFiles(dist)) console.log(`${dist}/${file}  ${sri(readFileSync(join(dist, file)))}`);
}
