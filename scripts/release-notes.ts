/**
 * `npm run release:notes [root]`: prints the release notes of the package version in
 * `<root>/package.json` (default: this repository), in Markdown: its CHANGELOG.md section, every
 * published browser file of the built `<root>/dist/` (the drop-in, the chunks it loads, each
 * element alone and their chunks) with its size and Subresource Integrity hash, and the CDN
 * snippet with `integrity`. It builds nothing: run `npm run build` first. Hashes come from
 * scripts/sri.ts, the one implementation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { browserFiles, sri } from './sri.js';

/** The URL of a published file on jsDelivr, which serves every npm version. */
export const cdnUrl = (name: string, version: string, file: string) => `https://cdn.jsdelivr.net/npm/${name}@${version}/dist/${file}`;

/** Which part of the widget a dist/ file is, in the order the notes list them. */
const GROUPS: Array<[string, (file: string) => boolean]> = [
  ['drop-in (all elements, one `<script type="module">`)', (file) => file === 'checkout-elements.js'],
  ['loaded by the drop-in when needed (POS mode, instalments, problems, outcome, locales)', (file) => !file.startsWith('elements/')],
  ['each element alone', (file) => file.startsWith('elements/') && !file.startsWith('elements/chunks/')],
  ['chunks shared by the elements alone', () => true],
];

/** The CHANGELOG.md section of a version: from its `## <version>` heading to the next `## `. */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## ${version} `) || line === `## ${version}` || line.startsWith(`## [${version}]`));
  if (start < 0) throw new Error(`CHANGELOG.md has no section for ${version}: add one ("## ${version} …") before releasing.`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

export function releaseNotes(root = '.'): string {
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const changes = changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
  const dist = join(root, 'dist');
  const files = browserFiles(dist).map((file) => {
    const bytes = readFileSync(join(dist, file));
    return { file, size: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, integrity: sri(bytes) };
  });
  const entry = files.find((f) => f.file === 'checkout-elements.js');
  if (!entry) throw new Error(`${dist}/checkout-elements.js is missing: run \`npm run build\` first.`);
  const loadedByEntry = files.filter((f) => !f.file.startsWith('elements/') && f !== entry);

  const lines = [`# ${name} ${version}`, '', changes, '', '## Install', '', '```sh', `npm install ${name}@${version}`, '```', '', '## Published browser files', ''];
  lines.push('| file | size | gzip | integrity |', '|---|---|---|---|');
  const listed = new Set<string>();
  for (const [group, belongs] of GROUPS) {
    const members = files.filter((f) => !listed.has(f.file) && belongs(f.file));
    if (!members.length) continue;
    lines.push(`| **${group}** | | | |`);
    for (const f of members) {
      listed.add(f.file);
      lines.push(`| \`dist/${f.file}\` | ${kb(f.size)} | ${kb(f.gzip)} | \`${f.integrity}\` |`);
    }
  }
  lines.push(
    '',
    '## From a CDN, with Subresource Integrity',
    '',
    'The drop-in imports its chunks itself (POS mode, instalments, problems, outcome, other locales than English): the import map',
    'gives their hashes to browsers that check integrity in import maps. Put it before any module script.',
    '',
    '```html',
    '<script type="importmap">',
    JSON.stringify({ integrity: Object.fromEntries(loadedByEntry.map((f) => [cdnUrl(name, version, f.file), f.integrity])) }, null, 2),
    '</script>',
    `<script type="module" src="${cdnUrl(name, version, entry.file)}" integrity="${entry.integrity}" crossorigin="anonymous"></script>`,
    '```',
    '',
    `Each element alone: \`${cdnUrl(name, version, 'elements/<tag>.js')}\` with its hash above, its chunks`,
    '(`dist/elements/chunks/`) in the import map the same way.',
    '',
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(releaseNotes(process.argv[2] ?? '.'));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
