/**
 * The proxy's overhead, measured: the same upstream call made (a) directly to the ru-loyalty
 * simulator (`POST /integration/general/recalc`) and (b) through the proxy (`PUT
 * …/checkouts/:id/spend {amount: 0}`, which re-quotes: one recalc upstream, under the
 * checkout's lock, with validation, the checkout store and the reply's masking), with 50
 * connections, on 127.0.0.1 only, in two phases:
 * 1. saturation, `--duration` s per side: the most each can serve → the throughput ratio
 *    (goal ≥ 0.3×). Latencies here are mostly queueing (50 connections / throughput).
 * 2. equal load, `--duration`/2 s per side, both sent the same open-loop stream of requests
 *    (evenly spaced, `--load` × the proxy's phase-1 throughput, default 0.25, over a pool of
 *    the same number of connections; latency counted from when each request was due, so a
 *    stalled server is not hidden): the latency the proxy adds (goal: p99 ≤ 2 ms).
 *    autocannon's own rate limit sends each second's quota in one burst, which measures
 *    queueing again, hence this small generator.
 *
 *     node --import tsx scripts/bench-proxy.ts [--duration 10] [--connections 50] [--load 0.25] [--with-read]
 *
 * `--with-read` adds `GET …/checkouts/:id` (the proxy alone, no upstream call) to phase 1.
 * The simulator and the proxy run in child processes of their own, so the load generator,
 * the proxy and the simulator do not share one event loop (they do share the machine's cores).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
// autocannon ships no types; the script is outside the type-checked sources.
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    upstream: { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    load: { type: 'string', default: '0.25' },
    'with-read': { type: 'boolean', default: false },
  },
});

if (args.serve) await serve(args.serve, args.upstream);
else await bench(Number(args.duration), Number(args.connections), Number(args.load), args['with-read'] ?? false);

/** Child mode: serve the simulator or the proxy on 127.0.0.1 and print `{"url": …}`. */
async function serve(role: string, upstream?: string): Promise<void> {
  // Exit cleanly when the parent stops us (a profile given with --cpu-prof is then written).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
  const { listen } = await import('../src/node/listen.js');
  if (role === 'simulator') {
    const { createRuLoyaltySimulator } = await import('../src/simulators/ru-loyalty/simulator.js');
    const simulator = createRuLoyaltySimulator();
    // The journal would grow by one entry per request for the whole run.
    simulator.journal.entries.push = () => 0;
    const server = await listen(simulator.app);
    console.log(JSON.stringify({ url: server.url }));
    return;
  }
  const { parseConfig } = await import('../src/proxy/config.js');
  const { createProxyFromConfig } = await import('../src/proxy/create.js');
  const { RU_DEMO_API_KEY, RU_DEMO_POINT } = await import('../src/simulators/ru-loyalty/simulator.js');
  const proxy = createProxyFromConfig(
    parseConfig(
      {
        loyalty: { provider: 'ru-loyalty', baseUrl: upstream, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
        carts: { bench: { currency: 'RUB', lines: [{ sku: 'cake', name: 'Cake', quantity: 2, unitPrice: 49990 }] } },
        lookupRateLimit: { perClient: 1_000_000, perCheckout: 1_000_000, windowMs: 60_000 },
      },
      {},
    ),
    { log: () => {} },
  );
  const server = await listen(proxy.app);
  console.log(JSON.stringify({ url: server.url }));
}

async function bench(duration: number, connections: number, load: number, withRead: boolean): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const simulator = await start(children, ['--serve', 'simulator']);
    const proxy = await start(children, ['--serve', 'proxy', '--upstream', simulator]);
    const { RU_DEMO_API_KEY, RU_DEMO_POINT } = await import('../src/simulators/ru-loyalty/simulator.js');

    // One checkout per connection, each with Ivan identified, so that connections rarely wait
    // on one another's checkout lock.
    const base = `${proxy}/checkout-api/v1`;
    const ids: string[] = [];
    for (let i = 0; i < connections; i++) {
      const created = (await (await post(`${base}/checkouts`, { cartId: 'bench' })).json()) as { id: string };
      const identified = await post(`${base}/checkouts/${created.id}/customer`, { query: '2000000000018' });
      if (identified.status !== 200) throw new Error(`setup: lookup answered ${identified.status}`);
      ids.push(created.id);
    }
    let next = 0;
    const directCall = {
      url: `${simulator}/integration/general/recalc`,
      method: 'POST',
      headers: { apikey: RU_DEMO_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ client: '62a000000000000000000001', point: RU_DEMO_POINT, amount: 999.8 }),
      connections,
    };
    const proxyCall = {
      url: proxy,
      connections,
      requests: [
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: 0 }),
          setupRequest: (request: { path: string }) => ({ ...request, path: `/checkout-api/v1/checkouts/${ids[next++ % ids.length]}/spend` }),
        },
      ],
    };
    const direct = await run('direct: simulator POST recalc', { ...directCall, duration });
    const through = await run('proxy: PUT spend → 1 recalc', { ...proxyCall, duration });
    const rows = [direct, through];
    if (withRead) {
      rows.push(
        await run('proxy: GET checkout (no upstream)', {
          url: proxy,
          duration,
          connections,
          requests: [{ method: 'GET', setupRequest: (request: { path: string }) => ({ ...request, path: `/checkout-api/v1/checkouts/${ids[next++ % ids.length]}` }) }],
        }),
      );
    }

    const rate = Math.max(1, Math.floor(Math.min(direct.rps, through.rps) * load));
    const loadDuration = Math.max(1, Math.round(duration / 2));
    const directAtRate = await openLoop(`direct at ${rate} req/s`, simulator, rate, loadDuration, connections, () => ({
      path: '/integration/general/recalc',
      method: 'POST',
      headers: directCall.headers,
      body: directCall.body,
    }));
    const proxyAtRate = await openLoop(`proxy at ${rate} req/s`, proxy, rate, loadDuration, connections, () => ({
      path: `/checkout-api/v1/checkouts/${ids[next++ % ids.length]}/spend`,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 0 }),
    }));

    const table = (title: string, list: Row[]) => {
      console.log(`\n${title}`);
      console.log(`${'run'.padEnd(38)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}`);
      for (const r of list) {
        console.log(`${r.label.padEnd(38)}${r.rps.toFixed(0).padStart(10)}${r.p50.toFixed(2).padStart(9)}${r.p99.toFixed(2).padStart(9)}${String(r.non2xx).padStart(9)}${String(r.errors).padStart(8)}`);
      }
    };
    console.log(`\n${connections} connections, 127.0.0.1, Node ${process.version}, ${availableParallelism()} CPU(s) shared by the load generator, the proxy and the simulator`);
    table(`1. saturation, ${duration} s each`, rows);
    table(`2. equal load, ${rate} req/s, ${loadDuration} s each`, [directAtRate, proxyAtRate]);
    const ratio = through.rps / direct.rps;
    const added = proxyAtRate.p99 - directAtRate.p99;
    console.log(`\nthroughput through the proxy / direct (1): ${ratio.toFixed(2)}× (goal ≥ 0.3×) ${ratio >= 0.3 ? 'met' : 'NOT met'}`);
    console.log(`p99 added by the proxy at equal load (2): ${added.toFixed(2)} ms (goal ≤ 2 ms) ${added <= 2 ? 'met' : 'NOT met'}`);
    console.log(`p50 added by the proxy at equal load (2): ${(proxyAtRate.p50 - directAtRate.p50).toFixed(2)} ms`);
    if ([...rows, directAtRate, proxyAtRate].some((r) => r.non2xx > 0 || r.errors > 0)) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

interface Row {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function run(label: string, options: Record<string, unknown>): Promise<Row> {
  process.stderr.write(`${label}…\n`);
  const result = await autocannon(options);
  return {
    label,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Sends `rate` requests a second, evenly spaced, for `seconds`, whatever the answers' pace,
 * over a pool of `connections`; each latency runs from when its request was due.
 */
async function openLoop(
  label: string,
  origin: string,
  rate: number,
  seconds: number,
  connections: number,
  make: () => { path: string; method: 'POST' | 'PUT'; headers: Record<string, string>; body: string },
): Promise<Row> {
  process.stderr.write(`${label}…\n`);
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      pool.request(make()).then(
        async (response) => {
          await response.body.dump();
          if (response.statusCode < 200 || response.statusCode >= 300) non2xx++;
          latencies.push(performance.now() - due);
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  return { label, rps: latencies.length / elapsed, p50: percentile(50), p99: percentile(99), non2xx, errors };
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Starts this script in a child process in `--serve` mode and resolves with the URL it prints. */
function start(children: ChildProcess[], serveArgs: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...serveArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${serveArgs.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
}
