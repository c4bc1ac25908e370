/**
 * The functions with the most self time in V8 CPU profiles (`node --cpu-prof`), summed over
 * every `.cpuprofile` in a folder (or one file), grouped by function, file and line, with the
 * package a `node_modules` file belongs to. `npm run bench:proxy -- --profile` prints it for the
 * proxy; by hand:
 *
 *     node --import tsx scripts/cpu-profile-top.ts <dir-or-file> [count]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A table of the `count` functions with the most self time, as text. */
export function topSelfTime(path: string, count = 20): string {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith('.cpuprofile'))
        .map((name) => join(path, name))
    : [path];
  const self = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, i) => {
      const micros = profile.timeDeltas[i] ?? 0;
      const frame = byId.get(id)?.callFrame;
      if (!frame) return;
      const key = `${frame.functionName || '(anonymous)'}  ${where(frame.url, frame.lineNumber)}`;
      self.set(key, (self.get(key) ?? 0) + micros);
      if (frame.functionName !== '(idle)') byModule.set(moduleOf(frame.url, frame.functionName), (byModule.get(moduleOf(frame.url, frame.functionName)) ?? 0) + micros);
      total += micros;
    });
  }
  // Idle time is the event loop waiting: not work.
  const idle = self.get('(idle)  ') ?? 0;
  const busy = total - idle;
  const rows = [...self].filter(([key]) => key !== '(idle)  ').sort((a, b) => b[1] - a[1]).slice(0, count);
  const lines = [`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled; self time as a share of busy time`];
  const line = ([key, micros]: [string, number]) => `${((micros / busy) * 100).toFixed(1).padStart(6)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`;
  lines.push(...rows.map(line), '', 'by package (node_modules), our folder (src/…) or Node/V8:');
  lines.push(...[...byModule].sort((a, b) => b[1] - a[1]).slice(0, 12).map(line));
  return lines.join('\n');
}

/** The package a file belongs to, our source folder, `node:` internals, or V8's own entries (GC, native). */
function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 'node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : scope ?? url;
  }
  if (url.startsWith('node:')) return 'node: internals';
  const source = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url);
  return source ? `${source[1]}/` : url;
}

/** `node_modules/<package>/…:line`, `src/…:line`, `node:…`, or nothing for V8's own entries. */
function where(url: string, line: number): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  const short = modules >= 0 ? url.slice(modules + 'node_modules/'.length) : url.replace(/^file:\/\/.*?\/(src|scripts)\//, '$1/');
  return `${short}:${line + 1}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path, count] = process.argv.slice(2);
  if (!path) {
    console.error('usage: cpu-profile-top.ts <dir-or-file> [count]');
    process.exit(2);
  }
  console.log(topSelfTime(path, Number(count ?? 20)));
}
