/**
 * The proxy's overhead, measured against an upstream that costs less than the proxy itself.
 *
 * The upstream is a canned ru-loyalty API (`--against canned`, the default): a plain
 * `node:http` server that answers `POST /integration/general/recalc` with one fixed, valid
 * reply (and `…/client` with one fixed client, used only while the checkouts are set up). It
 * does no work of its own, so what the proxy adds is not hidden behind a slow upstream.
 * `--against simulator` uses this project's ru-loyalty simulator instead.
 *
 * - direct:  load generator → upstream, `POST /integration/general/recalc` (what the adapter sends);
 * - through: load generator → proxy → upstream, `PUT /v1/checkouts/:id/spend {amount: 0}` with the
 *   checkout's client secret: the page's re-quote, one recalc upstream (checked by counting the
 *   upstream's calls), under the checkout's lock, with authentication, validation, the checkout
 *   store and the reply's masking.
 *
 * The checkouts are made as the shop's server makes them (`POST /v1/server/checkouts` with the
 * secret key, a pushed cart and a vouched customer), one per connection so that connections
 * rarely wait on one another's checkout lock. The proxy runs as `createProxyFromConfig` makes it,
 * memory stores, request logging on at level `silent` (its middleware runs, no line is written).
 *
 * Each of `--rounds` rounds has two phases, the sides' order alternating between rounds:
 * 1. saturation, `--duration` s per side, `--connections` connections (autocannon): the most
 *    each side serves → the throughput ratio through/direct (goal ≥ 0.5×). Latencies here are
 *    mostly queueing, so they are not reported.
 * 2. equal load, `--duration`/2 s per side, both sent the same open-loop stream (evenly spaced,
 *    `--rate` req/s, default `--load` × the slower side's phase-1 throughput of that round, over a
 *    pool of `--connections`; each latency counted from when its request was due, so a stalled
 *    server is not hidden) → p50/p99 of each side, and what the proxy adds per upstream call
 *    (through − direct: p50, p99 (goal ≤ 2 ms) and mean).
 * Each figure is printed as min / median / max over the rounds; the goals are judged on the
 * medians. Exit code 1 when a goal is missed or any request failed (non-2xx or error).
 *
 *     npm run bench:proxy -- [--rounds 3] [--duration 10] [--connections 50] [--load 0.25] [--rate N]
 *                            [--warmup 3] [--against canned|simulator] [--profile]
 *
 * `--profile` records the proxy's CPU profile while it serves (V8's profiler, started once it listens)
 * and prints its top self-time functions (scripts/cpu-profile-top.ts).
 * The load generator, the proxy and the upstream are three processes (sharing the machine's cores).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    upstream: { type: 'string' },
    against: { type: 'string', default: 'canned' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    load: { type: 'string', default: '0.25' },
    rate: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
  },
});

/** The shop's secret key of the bench's proxy (a bench value, never a real one). */
const SECRET_KEY = 'sk_bench_checkout_elements_0123456789';
const API_KEY = 'bench-ru-apikey';
const POINT = '62a0c1d2e3f4a5b6c7d8f4f4';
/** Ivan, the simulator's first demo client (phone and id), whom the canned upstream always finds too. */
const CUSTOMER = { phone: '+7 920 123-45-67', id: '62a000000000000000000001' };
/** 2 × 499.90 ₽: the cart's total, as the adapter sends it to recalc (roubles). */
const CART = { currency: 'RUB', lines: [{ sku: 'cake', name: 'Cake', quantity: 2, unitPrice: 49990 }] };
const RECALC_BODY = JSON.stringify({ client: CUSTOMER.id, point: POINT, amount: 999.8 });

if (args.serve === 'canned') serveCanned();
else if (args.serve) await serve(args.serve, args.upstream);
else await bench();

// ------------------------------------------------------------------------ child processes

/**
 * The canned ru-loyalty API: fixed replies in the shapes of shared/providers/ru-loyalty-basic-rest-api.txt,
 * checked by the adapter's zod schemas (src/proxy/providers/ru-loyalty/adapter.ts, `ClientReply`, `RecalcReply`).
 * `GET /__calls` tells how many calls it answered.
 */
function serveCanned(): void {
  // ru-loyalty-basic-rest-api.txt:11-30, "Успешный ответ на запрос" of POST /integration/general/client.
  const client = Buffer.from(
    JSON.stringify({
      success: true,
      client: {
        id: CUSTOMER.id,
        name: 'ИВАН',
        level: { id: '621000000000000000000f23', title: 'Бонусы', percent: 10, type: 'cashback', maxSpendPercent: 100 },
        phone: 79201234567,
        balance: 878,
      },
    }),
  );
  // ru-loyalty-basic-rest-api.txt:39-49, "Успешный ответ на запрос" of POST /integration/general/recalc.
  const recalc = Buffer.from(JSON.stringify({ success: true, recalc: { amount: 999.8, percent: 10, type: 'cashback', spend: 878, earn: 99.98 } }));
  const replies: Record<string, Buffer> = { '/integration/general/client': client, '/integration/general/recalc': recalc };
  let calls = 0;
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/__calls') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ calls }));
      return;
    }
    // Read the whole body before answering, as a real API would (and keep-alive needs).
    request.resume();
    request.on('end', () => {
      const reply = request.method === 'POST' && request.headers.apikey === API_KEY ? replies[request.url ?? ''] : undefined;
      if (!reply) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      calls++;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length }).end(reply);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(JSON.stringify({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` }));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
}

/** Child mode: serve the simulator or the proxy on 127.0.0.1 and print `{"url": …}`. */
async function serve(role: string, upstream?: string): Promise<void> {
  // With --profile-dir: the CPU profile of the serving only (not of the start, tsx's compilation included).
  const stopProfile = args['profile-dir'] ? await startProfile(args['profile-dir']) : async () => {};
  // Exit cleanly when the parent stops us.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopProfile().finally(() => process.exit(0)));
  const { listen } = await import('../src/node/listen.js');
  if (role === 'simulator') {
    const { createRuLoyaltySimulator, ruDemoClients } = await import('../src/simulators/ru-loyalty/simulator.js');
    // The bench's API key and point are the demo's (see the constants above).
    const simulator = createRuLoyaltySimulator({ clients: ruDemoClients() });
    // The journal would grow by one entry per request for the whole run.
    simulator.journal.entries.push = () => 0;
    const server = await listen(simulator.app);
    console.log(JSON.stringify({ url: server.url }));
    return;
  }
  const { parseConfig } = await import('../src/proxy/config.js');
  const { createProxyFromConfig } = await import('../src/proxy/create.js');
  // As configured in production, but silent: the request middleware runs, no line is written.
  const proxy = createProxyFromConfig(
    parseConfig(
      {
        secretKeys: [SECRET_KEY],
        logLevel: 'silent',
        loyalty: { provider: 'ru-loyalty', baseUrl: upstream, apiKey: apiKey(), pointId: POINT },
        // One load generator is one client IP: the page's rate limits would measure themselves.
        pageRateLimit: { perClient: 1_000_000_000, perCheckout: 1_000_000_000, windowMs: 60_000 },
      },
      {},
    ),
  );
  const server = await listen(proxy.app);
  console.log(JSON.stringify({ url: server.url }));
}

/** Starts V8's CPU profiler in this process; the function returned writes the profile into `dir`. */
async function startProfile(dir: string): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `proxy-${process.pid}.cpuprofile`), JSON.stringify(profile));
  };
}

/** The simulator knows its demo key only; the canned upstream knows the bench's. */
function apiKey(): string {
  return args.against === 'simulator' ? 'demo-ru-apikey' : API_KEY;
}

// ------------------------------------------------------------------------ the load generator

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  non2xx: number;
  errors: number;
}

interface Round {
  directRps: number;
  throughRps: number;
  rate: number;
  direct: Sample;
  through: Sample;
  upstreamCallsPerRequest: number;
}

async function bench(): Promise<void> {
  const rounds = Number(args.rounds);
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const load = Number(args.load);
  const warmup = Number(args.warmup);
  const against = args.against === 'simulator' ? 'simulator' : 'canned';
  const startLoad = loadavg();
  const children: ChildProcess[] = [];
  const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'bench-proxy-prof-')) : undefined;
  let failures = 0;
  const results: Round[] = [];
  try {
    const upstream = await start(children, ['--serve', against === 'simulator' ? 'simulator' : 'canned', '--against', against]);
    const proxy = await start(children, ['--serve', 'proxy', '--upstream', upstream, '--against', against, ...(profileDir ? ['--profile-dir', profileDir] : [])]);

    // As the shop's server does: one checkout per connection, cart pushed, the customer vouched for.
    const base = `${proxy}/checkout-api/v1`;
    const checkouts: Array<{ path: string; authorization: string }> = [];
    for (let i = 0; i < connections; i++) {
      const created = await fetch(`${base}/server/checkouts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cart: CART, customer: { query: CUSTOMER.phone } }),
      });
      if (created.status !== 201) throw new Error(`setup: creating a checkout answered ${created.status} ${await created.text()}`);
      const { checkout, clientSecret } = (await created.json()) as { checkout: { id: string }; clientSecret: string };
      checkouts.push({ path: `/checkout-api/v1/checkouts/${checkout.id}/spend`, authorization: `Bearer ${clientSecret}` });
    }
    // The bench's request must succeed before it is measured (the customer is there, spend 0 is allowed).
    const probe = await fetch(`${proxy}${checkouts[0]!.path}`, { method: 'PUT', headers: { authorization: checkouts[0]!.authorization, 'content-type': 'application/json' }, body: '{"amount":0}' });
    if (probe.status !== 200) throw new Error(`setup: PUT spend answered ${probe.status} ${await probe.text()}`);

    let next = 0;
    const direct: Side = {
      origin: upstream,
      make: () => ({ path: '/integration/general/recalc', method: 'POST', headers: { apikey: apiKey(), 'content-type': 'application/json' }, body: RECALC_BODY }),
    };
    const through: Side = {
      origin: proxy,
      make: () => {
        const checkout = checkouts[next++ % checkouts.length]!;
        return { path: checkout.path, method: 'PUT', headers: { authorization: checkout.authorization, 'content-type': 'application/json' }, body: '{"amount":0}' };
      },
    };
    const upstreamCalls = async () => ((await (await fetch(`${upstream}/__calls`)).json()) as { calls: number }).calls;

    if (warmup > 0) {
      process.stderr.write(`warm-up, ${warmup} s each…\n`);
      await saturate(direct, warmup, connections);
      await saturate(through, warmup, connections);
    }
    for (let round = 1; round <= rounds; round++) {
      // Alternating which side goes first, so a drift of the machine's load favours neither.
      const order = round % 2 === 1 ? (['direct', 'through'] as const) : (['through', 'direct'] as const);
      const sides = { direct, through };
      const saturated: Record<string, Sample> = {};
      let proxied = 0;
      let calls = 0;
      for (const name of order) {
        process.stderr.write(`round ${round}/${rounds}: saturation, ${name}…\n`);
        const before = against === 'canned' && name === 'through' ? await upstreamCalls() : 0;
        saturated[name] = await saturate(sides[name], duration, connections);
        if (against === 'canned' && name === 'through') {
          calls = (await upstreamCalls()) - before;
          proxied = saturated[name]!.requests;
        }
      }
      const directRps = saturated.direct!.rps;
      const throughRps = saturated.through!.rps;
      const rate = args.rate ? Number(args.rate) : Math.max(1, Math.floor(Math.min(directRps, throughRps) * load));
      const loadDuration = Math.max(1, duration / 2);
      const atRate: Record<string, Sample> = {};
      for (const name of order) {
        process.stderr.write(`round ${round}/${rounds}: equal load ${rate} req/s, ${name}…\n`);
        atRate[name] = await openLoop(sides[name], rate, loadDuration, connections);
      }
      for (const sample of [...Object.values(saturated), ...Object.values(atRate)]) failures += sample.non2xx + sample.errors;
      results.push({ directRps, throughRps, rate, direct: atRate.direct!, through: atRate.through!, upstreamCallsPerRequest: proxied ? calls / proxied : NaN });
    }
  } finally {
    await Promise.all(children.map((child) => stop(child)));
  }

  const endLoad = loadavg();
  const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const la = (l: number[]) => l.map((n) => n.toFixed(2)).join(' ');
  console.log(`\nNode ${process.version}, ${availableParallelism()} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}) shared by the load generator, the proxy and the upstream`);
  console.log(`upstream: ${against === 'canned' ? 'canned ru-loyalty API (node:http, fixed replies)' : 'ru-loyalty simulator (Hono)'}; ${connections} connections, 127.0.0.1`);
  console.log(`load average (1, 5, 15 min): ${la(startLoad)} at start, ${la(endLoad)} at end`);
  console.log(`${rounds} round(s); saturation ${duration} s per side; equal load ${Math.max(1, duration / 2)} s per side; figures are min / median / max over the rounds\n`);
  const rows: Array<[string, number[], number?]> = [
    ['1. direct, saturated (req/s)', results.map((r) => r.directRps), 0],
    ['1. through the proxy, saturated (req/s)', results.map((r) => r.throughRps), 0],
    ['1. throughput through / direct (×)', results.map((r) => r.throughRps / r.directRps)],
    ['   upstream calls per proxied request', results.map((r) => r.upstreamCallsPerRequest)],
    ['2. equal load (req/s)', results.map((r) => r.rate), 0],
    ['2. direct p50 (ms)', results.map((r) => r.direct.p50)],
    ['2. direct p99 (ms)', results.map((r) => r.direct.p99)],
    ['2. through p50 (ms)', results.map((r) => r.through.p50)],
    ['2. through p99 (ms)', results.map((r) => r.through.p99)],
    ['2. added per upstream call, p50 (ms)', results.map((r) => r.through.p50 - r.direct.p50)],
    ['2. added per upstream call, p99 (ms)', results.map((r) => r.through.p99 - r.direct.p99)],
    ['2. added per upstream call, mean (ms)', results.map((r) => r.through.mean - r.direct.mean)],
  ];
  console.log(`${'figure'.padEnd(42)}${'min'.padStart(10)}${'median'.padStart(10)}${'max'.padStart(10)}`);
  for (const [label, values, digits] of rows) {
    const s = spread(values);
    console.log(`${label.padEnd(42)}${f(s.min, digits).padStart(10)}${f(s.median, digits).padStart(10)}${f(s.max, digits).padStart(10)}`);
  }
  const ratio = spread(results.map((r) => r.throughRps / r.directRps)).median;
  const added = spread(results.map((r) => r.through.p99 - r.direct.p99)).median;
  const ratioMet = ratio >= 0.5;
  const addedMet = added <= 2;
  console.log(`\nthroughput through the proxy / direct: ${f(ratio)}× (goal ≥ 0.5×) ${ratioMet ? 'met' : 'NOT met'}`);
  console.log(`p99 added by the proxy at equal load: ${f(added)} ms (goal ≤ 2 ms) ${addedMet ? 'met' : 'NOT met'}`);
  console.log(`failed requests (non-2xx or errors): ${failures}`);
  if (profileDir) {
    const { topSelfTime } = await import('./cpu-profile-top.js');
    console.log(`\nthe proxy's CPU profile (${profileDir}), top self time:`);
    console.log(topSelfTime(profileDir, 20));
  }
  if (!ratioMet || !addedMet || failures > 0) process.exitCode = 1;
}

interface Side {
  origin: string;
  make: () => { path: string; method: 'POST' | 'PUT'; headers: Record<string, string>; body: string };
}

function spread(values: number[]): { min: number; median: number; max: number } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return { min: NaN, median: NaN, max: NaN };
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)! };
}

/** Closed loop at full speed (autocannon): how much a side serves. */
async function saturate(side: Side, seconds: number, connections: number): Promise<Sample & { requests: number }> {
  // autocannon ships no types; scripts are outside the type-checked sources.
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url: side.origin,
    duration: seconds,
    connections,
    requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, ...side.make() }) }],
  });
  return {
    rps: result.requests.total / seconds,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Sends `rate` requests a second, evenly spaced, for `seconds`, whatever the answers' pace,
 * over a pool of `connections`; each latency runs from when its request was due (or was sent,
 * when a coarse timer sent it a little early).
 * (autocannon's own rate limit sends each second's quota in one burst: queueing again.)
 */
async function openLoop(side: Side, rate: number, seconds: number, connections: number): Promise<Sample> {
  const { Pool } = await import('undici');
  const pool = new Pool(side.origin, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // From when it was due, or from when it was sent if that was a little early (timers are coarse).
    const from = Math.min(due, performance.now());
    pending.push(
      pool.request(side.make()).then(
        async (response) => {
          await response.body.dump();
          if (response.statusCode < 200 || response.statusCode >= 300) non2xx++;
          latencies.push(performance.now() - from);
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
  const mean = latencies.reduce((sum, l) => sum + l, 0) / latencies.length;
  return { rps: latencies.length / elapsed, p50: percentile(50), p99: percentile(99), mean, non2xx, errors };
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

/** Stops a child and waits for it to exit (after writing its CPU profile, if it records one). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
