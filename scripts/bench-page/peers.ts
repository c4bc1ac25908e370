/**
 * The peers a merchant would pick instead, installed on demand from the npm registry into
 * `.bench/peers/` (git-ignored; never a dependency of the package, never in the drop-in) and
 * bundled with esbuild, minified, as a merchant's build would (`.bench/build/<peer>/`). Versions
 * are pinned so figures compare over time; bump them here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const PEER_PACKAGES: Record<string, string> = { '@adyen/adyen-web': '6.45.2', '@primer-io/primer-js': '1.9.2' };

export interface Peer {
  /** Page and bundle name. */
  id: string;
  label: string;
  /** What cannot work offline, said in the output. */
  offline: string;
}

export const PEERS: Peer[] = [
  { id: 'adyen-card', label: 'Adyen Web core + Card', offline: 'card fields are iframes from checkoutshopper-test.adyen.com; analytics to checkoutanalytics' },
  { id: 'adyen-dropin', label: 'Adyen Web Drop-in (auto)', offline: 'as core + Card, plus the PayPal and Klarna scripts' },
  { id: 'primer', label: 'Primer Checkout', offline: 'client configuration from api.sandbox.primer.io and the SDK core from sdk.primer.io' },
];

const installed = (root: string, name: string) => {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
};

/** Installs the pinned peers if missing, bundles each peer's page script; returns `name@version`s. */
export async function preparePeers(benchDir: string, sources: string): Promise<string[]> {
  const root = resolve(benchDir, 'peers');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ private: true, description: 'Peers for npm run bench:page (not part of the package)', dependencies: PEER_PACKAGES }, null, 2)}\n`);
  if (Object.entries(PEER_PACKAGES).some(([name, version]) => installed(root, name) !== version)) {
    console.log(`installing ${Object.entries(PEER_PACKAGES).map(([n, v]) => `${n}@${v}`).join(', ')} into ${root} …`);
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], { cwd: root, stdio: 'inherit' });
    if (npm.status !== 0) throw new Error('npm install of the peers failed');
  }
  const out = resolve(benchDir, 'build');
  rmSync(out, { recursive: true, force: true });
  for (const peer of PEERS) {
    await build({
      entryPoints: { [peer.id]: join(sources, `${peer.id}.js`) },
      nodePaths: [join(root, 'node_modules')],
      bundle: true,
      splitting: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      legalComments: 'none',
      outdir: join(out, peer.id),
      chunkNames: 'chunks/[name]-[hash]',
      logLevel: 'error',
    });
  }
  return Object.keys(PEER_PACKAGES).map((name) => `${name}@${installed(root, name)}`);
}
