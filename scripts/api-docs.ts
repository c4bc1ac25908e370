/**
 * `npm run docs:api`: writes docs/api.md from custom-elements.json (itself generated from the
 * elements' JSDoc by `npm run analyze`), so the reference never drifts from the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Item { name: string; description?: string; type?: { text?: string }; default?: string; fieldName?: string; privacy?: string; static?: boolean; kind?: string }
interface Declaration { tagName?: string; name: string; summary?: string; description?: string; attributes?: Item[]; members?: Item[]; events?: Item[]; cssParts?: Item[]; cssProperties?: Item[]; slots?: Item[] }

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as { modules: Array<{ path: string; declarations?: Declaration[] }> };
const cell = (text = '') => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
const table = (title: string, head: string[], rows: string[][]) =>
  rows.length ? [`#### ${title}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`), ''] : [];

const out = ['# API reference', '', 'Generated from `custom-elements.json` by `npm run docs:api`. Do not edit by hand.', ''];
for (const module of manifest.modules) {
  for (const d of module.declarations ?? []) {
    if (!d.tagName) continue;
    out.push(`## \`<${d.tagName}>\``, '', d.summary ?? '', '', cell(d.description), '', `Source: \`${module.path}\``, '');
    out.push(...table('Attributes', ['attribute', 'property', 'type', 'default', 'description'], (d.attributes ?? []).map((a) => [`\`${a.name}\``, a.fieldName ?? '', a.type?.text ?? '', a.default ?? '', a.description ?? ''])));
    const methods = (d.members ?? []).filter((m) => m.kind === 'method' && !m.privacy && !m.static && !m.name.startsWith('#'));
    out.push(...table('Methods', ['method', 'description'], methods.map((m) => [`\`${m.name}()\``, m.description ?? ''])));
    out.push(...table('Events', ['event', 'description'], (d.events ?? []).map((e) => [`\`${e.name}\``, e.description ?? ''])));
    out.push(...table('CSS parts', ['part', 'description'], (d.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description ?? ''])));
    out.push(...table('CSS custom properties', ['property', 'description'], (d.cssProperties ?? []).map((p) => [`\`${p.name}\``, p.description ?? ''])));
    out.push(...table('Slots', ['slot', 'description'], (d.slots ?? []).map((s) => [s.name ? `\`${s.name}\`` : '(default)', s.description ?? ''])));
  }
}
writeFileSync('docs/api.md', out.join('\n'));
console.log(`docs/api.md written (${out.length} lines)`);
