/**
 * `npm run sri`: prints the Subresource Integrity hash of each published file in dist/, for a
 * merchant who loads the bundle from a CDN: <script type="module" src="…" integrity="sha384-…"
 * crossorigin="anonymous">. Run after `npm run build`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.js') ? [path] : [];
  });

for (const file of files('dist').sort()) {
  console.log(`${file}  sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`);
}
