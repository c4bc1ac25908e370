import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { changelogSection } from '../../scripts/release-notes.js';

/**
 * `npm run release:notes` reads a built dist/ and prints every published browser file with its
 * size and integrity hash, and the CDN snippet. Run here as a command against a built fixture
 * (the layout `rollup -c` and `npm run build:server` write), with hashes recomputed here.
 */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'release-notes-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const run = (root: string) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/release-notes.ts', root], { encoding: 'utf8', timeout: 30_000 });

const built = {
  'package.json': JSON.stringify({ name: 'checkout-elements', version: '9.8.7' }),
  'CHANGELOG.md': '# Changelog\n\n## 9.8.7 (2030-01-01)\n\n- What this version brings.\n\n## 9.8.6\n\n- An older change.\n',
  'dist/checkout-elements.js': `import("./pos-A1.js");import("./locales/fr-B2.js");export const v="${'x'.repeat(3000)}";`,
  'dist/checkout-elements.js.map': '{"version":3}',
  'dist/pos-A1.js': 'import{a}from"./checkout-elements.js";export const pos=a;',
  'dist/instalments-C3.js': 'export const instalments=1;',
  'dist/locales/fr-B2.js': 'export default {hello:"bonjour"};',
  'dist/elements/customer-lookup.js': 'import"./chunks/context-D4.js";',
  'dist/elements/chunks/context-D4.js': 'export const context=1;',
  'dist/server/proxy/index.js': 'export const proxy=1;',
  'dist/types/define.d.ts': 'export {};',
};

test('release notes list every published browser file with its size and the sha384 of its bytes, and the CDN snippet', () => {
  const root = fixture(built);
  const notes = run(root);
  assert.equal(notes.status, 0, notes.stderr);
  const out = notes.stdout;
  assert.match(out, /^# checkout-elements 9\.8\.7$/m);
  assert.match(out, /What this version brings\./, 'the version\'s CHANGELOG section');
  assert.doesNotMatch(out, /An older change/, 'only that section');
  assert.match(out, /npm install checkout-elements@9\.8\.7/);

  const hash = (path: string) => `sha384-${createHash('sha384').update(readFileSync(join(root, path))).digest('base64')}`;
  for (const file of ['checkout-elements.js', 'pos-A1.js', 'instalments-C3.js', 'locales/fr-B2.js', 'elements/customer-lookup.js', 'elements/chunks/context-D4.js']) {
    const size = `${(readFileSync(join(root, 'dist', file)).length / 1024).toFixed(2)} KB`;
    const row = out.split('\n').find((line) => line.startsWith(`| \`dist/${file}\` |`));
    assert.ok(row, `${file} is listed`);
    assert.ok(row.includes(`| ${size} |`), `${file}: ${size} in ${row}`);
    assert.ok(row.includes(`\`${hash(`dist/${file}`)}\``), `${file}: its hash in ${row}`);
  }
  for (const unpublished of ['server/proxy/index.js', 'types/define.d.ts', '.map']) assert.ok(!out.includes(unpublished), `${unpublished} is not a browser file`);

  const cdn = 'https://cdn.jsdelivr.net/npm/checkout-elements@9.8.7/dist';
  assert.ok(out.includes(`<script type="module" src="${cdn}/checkout-elements.js" integrity="${hash('dist/checkout-elements.js')}" crossorigin="anonymous"></script>`), 'the drop-in with its integrity');
  const importMap = JSON.parse(/<script type="importmap">\n([\s\S]*?)\n<\/script>/.exec(out)![1]!);
  assert.deepEqual(importMap.integrity, {
    [`${cdn}/instalments-C3.js`]: hash('dist/instalments-C3.js'),
    [`${cdn}/locales/fr-B2.js`]: hash('dist/locales/fr-B2.js'),
    [`${cdn}/pos-A1.js`]: hash('dist/pos-A1.js'),
  });
});

test('without a build, or without a CHANGELOG section for the version, it says what to do and fails', () => {
  const { 'dist/checkout-elements.js': _, ...noDropIn } = built;
  const unbuilt = run(fixture({ 'package.json': built['package.json'], 'CHANGELOG.md': built['CHANGELOG.md'] }));
  assert.notEqual(unbuilt.status, 0);
  assert.match(unbuilt.stderr, /npm run build/);
  const partial = run(fixture(noDropIn));
  assert.notEqual(partial.status, 0);
  assert.match(partial.stderr, /checkout-elements\.js is missing/);
  const undocumented = run(fixture({ ...built, 'package.json': JSON.stringify({ name: 'checkout-elements', version: '9.9.0' }) }));
  assert.notEqual(undocumented.status, 0);
  assert.match(undocumented.stderr, /CHANGELOG\.md has no section for 9\.9\.0/);
});

test("this repository's CHANGELOG has a section for the package's version", () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.ok(changelogSection(readFileSync('CHANGELOG.md', 'utf8'), version).length > 200);
});
