// One measurement of `npm run bench:cluster` (scripts/bench/cluster.mjs starts it on the pinned
// Node 26 with node:ffi): a cluster primary with WORKERS workers, printing its result as the last
// line of stdout, in JSON.
//
//   node --experimental-ffi scripts/bench/cluster_child.ts scrape WORKERS SERIES
//   node --experimental-ffi scripts/bench/cluster_child.ts ops
//   node --experimental-ffi scripts/bench/cluster_child.ts throughput SECONDS
//   node --experimental-ffi scripts/bench/cluster_child.ts ratelimit SECONDS [REDIS_PORT]
//
// - scrape: SERIES series (metrics of 10 series each, 9 counters to 1 histogram) in every one of
//   WORKERS workers, updated the same way twice: in prom-client's own metrics of each worker and
//   in a region through atomicx/metrics. Times, in a worker, `metrics.render()` and
//   `registry.metrics()` (prom-client's Registry over the region), and a `GET /render` over HTTP,
//   against `AggregatorRegistry.clusterMetrics()` called in the primary (IPC to every worker and
//   the merge; no HTTP on that side), and checks both report the same totals.
// - ops: the cost of one inc / observe of atomicx/metrics against prom-client's in-process metric
//   (paired loops, alternating, median), no cluster.
// - throughput: requests per second over keep-alive connections, rounds alternating counting off,
//   counting in the region (a counter and a histogram per request), and counting in prom-client's
//   per-worker metrics.
// - ratelimit: decisions per second over all workers: the region's GCRA limiter
//   (`region.rateLimiter`), against
//   rate-limiter-flexible's RateLimiterCluster (the primary as the store, over IPC), its
//   RateLimiterRedis over ioredis (when a Redis port is given), and its RateLimiterMemory (one
//   budget per worker: not a cluster-wide limit, shown for scale).
import cluster from "node:cluster";
import http from "node:http";
import process from "node:process";
import client from "prom-client";
import { Redis } from "ioredis";
import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRedis,
} from "rate-limiter-flexible";
import { SharedMemory } from "../../mod.ts";
import { RegionMetrics } from "../../metrics/mod.ts";

const [mode, ...rest] = process.argv.slice(2);
const WORKERS = mode === "scrape" ? Number(rest[0]) : 4;
/** Series per metric (label values r0…r9); a tenth of the metrics are histograms. */
const ROUTES = Array.from({ length: 10 }, (_, i) => `r${i}`);
const METRICS = mode === "scrape" ? Number(rest[1]) / ROUTES.length : 10;
const COUNTERS = Array.from(
  { length: METRICS - Math.max(1, METRICS / 10) },
  (_, i) => ({
    name: `app_counter_${i}_total`,
    help: `counter ${i}`,
    labelNames: ["route"],
  }),
);
const HISTOGRAMS = Array.from(
  { length: Math.max(1, METRICS / 10) },
  (_, i) => ({
    name: `app_latency_${i}_seconds`,
    help: `histogram ${i}`,
    labelNames: ["route"],
  }),
);
const KEYS = Array.from({ length: 100 }, (_, i) => `client-${i}`);
const IN_FLIGHT = 64;
const ROUNDS = 12; // throughput: rounds of one slice per way

interface Message {
  op: string;
  [key: string]: unknown;
}

if (cluster.isPrimary) {
  const regionName = `bench-cluster-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  SharedMemory.open(regionName, {
    capacity: 8192,
    only: "create",
  }).close();
  try {
    const result = mode === "scrape"
      ? await scrapePrimary(regionName)
      : mode === "ops"
      ? opsCost(regionName)
      : mode === "throughput"
      ? await throughputPrimary(regionName, Number(rest[0]))
      : await rateLimitPrimary(
        regionName,
        Number(rest[0]),
        Number(rest[1] ?? 0),
      );
    console.log(JSON.stringify(result));
  } finally {
    await Promise.all(
      Object.values(cluster.workers ?? {}).map((w) =>
        new Promise((done) => {
          w!.once("exit", done);
          w!.kill();
        })
      ),
    );
    SharedMemory.unlink(regionName);
  }
} else {
  workerMain(process.env.BENCH_REGION!, process.env.BENCH_MODE!);
}

/** Forks the workers; resolves to the port they listen on once all listen. */
async function startWorkers(regionName: string): Promise<number> {
  const ports: Promise<number>[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const w = cluster.fork({ BENCH_REGION: regionName, BENCH_MODE: mode });
    ports.push(
      new Promise((resolve) => w.once("listening", (a) => resolve(a.port))),
    );
  }
  return (await Promise.all(ports))[0];
}

/** Sends `message` to every worker (or the first `count`); resolves to their replies. */
function ask<T>(message: Message, count = WORKERS): Promise<T[]> {
  return Promise.all(
    Object.values(cluster.workers ?? {}).slice(0, count).map((w) =>
      new Promise<T>((resolve) => {
        const onMessage = (reply: { op?: string }) => {
          if (reply?.op !== `${message.op}:done`) return;
          w!.off("message", onMessage);
          resolve(reply as T);
        };
        w!.on("message", onMessage);
        w!.send(message);
      })
    ),
  );
}

/** A GET; resolves to the body. */
function get(port: number, path: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

/** Mean milliseconds of `fn` over `n` sequential calls, after `n / 10` warm-up calls. */
async function meanMs(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < n / 10; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - start) / n;
}

/** The total of every sample line of a metric family (`app_counter_7_total{...} 12`). */
function familyTotal(text: string, family: string): number {
  return text.split("\n").filter((l) => l.startsWith(`${family}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

async function scrapePrimary(regionName: string) {
  const aggregator = new client.AggregatorRegistry();
  const port = await startWorkers(regionName);
  await ask({ op: "fill" });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rendered = await get(port, "/render", agent);
  const aggregated = await aggregator.clusterMetrics();
  const families = [
    COUNTERS[0].name,
    COUNTERS.at(-1)!.name,
    `${HISTOGRAMS.at(-1)!.name}_count`,
  ];
  for (const family of families) {
    if (familyTotal(rendered, family) !== familyTotal(aggregated, family)) {
      throw new Error(
        `${family}: region ${familyTotal(rendered, family)}, aggregated ${
          familyTotal(aggregated, family)
        }`,
      );
    }
  }
  // Rounds alternating the two ways; the median of each way's round means.
  const calls = METRICS * ROUTES.length >= 1000 ? 10 : 40;
  const httpRounds: number[] = [];
  const aggregatorRounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    httpRounds.push(await meanMs(calls, () => get(port, "/render", agent)));
    aggregatorRounds.push(
      await meanMs(calls, () => aggregator.clusterMetrics()),
    );
  }
  const [inWorker] = await ask<{ renderMs: number; registryMs: number }>({
    op: "render",
  }, 1);
  agent.destroy();
  return {
    workers: WORKERS,
    series: METRICS * ROUTES.length,
    renderMs: inWorker.renderMs,
    registryMs: inWorker.registryMs,
    httpMs: median(httpRounds),
    aggregatorMs: median(aggregatorRounds),
    bytes: rendered.length,
    lines: rendered.split("\n").length,
  };
}

/** The median of `xs`. */
function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1];
}

/**
 * ns per call of `fn` for atomicx/metrics and for prom-client, paired: 15 rounds alternating the
 * two, the median of each.
 */
function paired(
  region: () => void,
  local: () => void,
): { regionNs: number; localNs: number } {
  const n = 200_000;
  const time = (fn: () => void) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return ((performance.now() - t) / n) * 1e6;
  };
  time(region), time(local); // warm-up
  const r: number[] = [];
  const l: number[] = [];
  for (let round = 0; round < 15; round++) {
    r.push(time(region)), l.push(time(local));
  }
  return { regionNs: median(r), localNs: median(l) };
}

/** The cost of each operation, atomicx/metrics against prom-client's in-process metric. */
function opsCost(regionName: string) {
  const region = SharedMemory.open(regionName, { only: "attach" });
  const metrics = new RegionMetrics(region);
  const registry = new client.Registry();
  const labelled = {
    name: "ops_total",
    help: "ops",
    labelNames: ["route", "code"],
  };
  const histogram = { name: "ops_seconds", help: "ops", labelNames: ["route"] };
  const ours = {
    plain: metrics.counter({ name: "plain_total", help: "plain" }),
    counter: metrics.counter(labelled),
    histogram: metrics.histogram(histogram),
    gauge: metrics.gauge({ name: "g", help: "g" }),
  };
  const theirs = {
    plain: new client.Counter({
      name: "plain_total",
      help: "plain",
      registers: [registry],
    }),
    counter: new client.Counter({ ...labelled, registers: [registry] }),
    histogram: new client.Histogram({ ...histogram, registers: [registry] }),
    gauge: new client.Gauge({ name: "g", help: "g", registers: [registry] }),
  };
  const labels = { route: "/items", code: "200" };
  const route = { route: "/items" };
  const oursChild = ours.counter.labels("/items", "200");
  const theirsChild = theirs.counter.labels("/items", "200");
  const result = {
    "counter.inc()": paired(() => ours.plain.inc(), () => theirs.plain.inc()),
    "counter.inc(labels)": paired(
      () => ours.counter.inc(labels),
      () => theirs.counter.inc(labels),
    ),
    "counter.labels(...).inc() (child kept)": paired(
      () => oursChild.inc(),
      () => theirsChild.inc(),
    ),
    "gauge.inc()": paired(() => ours.gauge.inc(), () => theirs.gauge.inc()),
    "histogram.observe(labels, v)": paired(
      () => ours.histogram.observe(route, 0.07),
      () => theirs.histogram.observe(route, 0.07),
    ),
  };
  region.close();
  return result;
}

async function throughputPrimary(regionName: string, seconds: number) {
  const port = await startWorkers(regionName);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  await requestsPerSecond(port, 1, agent); // warm-up, not counted
  // Short slices, the order of the three ways rotated every round: the machine's load drifts,
  // and each way sees the same drift. Each way's figure is its requests over its time, in all.
  const modes = ["off", "region", "local"];
  const done: Record<string, number> = { off: 0, region: 0, local: 0 };
  const slices: Record<string, number[]> = { off: [], region: [], local: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < modes.length; k++) {
      const counting = modes[(round + k) % modes.length];
      await ask({ op: "counting", counting });
      const perSecond = await requestsPerSecond(port, seconds, agent);
      slices[counting].push(Math.round(perSecond));
      done[counting] += perSecond;
    }
  }
  agent.destroy();
  // What counting costs a worker, measured alone: a region counter add and a histogram
  // observation, and the same in prom-client's per-worker metrics.
  const [cost] = await ask<{ regionNs: number; localNs: number }>({
    op: "cost",
  }, 1);
  return {
    off: done.off / ROUNDS,
    region: done.region / ROUNDS,
    local: done.local / ROUNDS,
    regionRatio: done.region / done.off,
    localRatio: done.local / done.off,
    regionNs: cost.regionNs,
    localNs: cost.localNs,
    slices,
  };
}

/** Requests per second over 32 keep-alive connections of `agent` for `seconds`. */
async function requestsPerSecond(
  port: number,
  seconds: number,
  agent: http.Agent,
): Promise<number> {
  const paths = ["/", "/items", "/", "/nope"];
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: 32 }, async (_, i) => {
    while (performance.now() < end) {
      await get(port, paths[(i + done) % paths.length], agent);
      done++;
    }
  }));
  return done / ((performance.now() - start) / 1000);
}

async function rateLimitPrimary(
  regionName: string,
  seconds: number,
  redisPort: number,
) {
  new RateLimiterClusterMaster();
  await startWorkers(regionName);
  const variants = [
    "region",
    "cluster",
    ...(redisPort ? ["redis"] : []),
    "memory",
  ];
  const result: Record<string, number> = {};
  for (const variant of variants) {
    const at = Date.now() + 300;
    const counts = await ask<{ decisions: number }>({
      op: "decide",
      variant,
      at,
      ms: seconds * 1000,
      redisPort,
    });
    result[variant] = counts.reduce((n, c) => n + c.decisions, 0) / seconds;
  }
  return result;
}

/** A worker of any mode. */
function workerMain(regionName: string, mode: string): void {
  const region = SharedMemory.open(regionName, { only: "attach" });
  if (mode === "ratelimit") {
    process.on("message", async (m: Message) => {
      if (m.op !== "decide") return;
      const decisions = await decide(
        region,
        m.variant as string,
        m.at as number,
        m.ms as number,
        m.redisPort as number,
      );
      process.send!({ op: "decide:done", decisions });
    });
    http.createServer((_, res) => res.end()).listen(0, "127.0.0.1");
    return;
  }
  // prom-client's own metrics in the global registry (what AggregatorRegistry collects: creating
  // one in a worker makes it answer the primary) and the same metrics in the region.
  new client.AggregatorRegistry();
  const local = {
    counters: COUNTERS.map((c) => new client.Counter(c)),
    histograms: HISTOGRAMS.map((h) => new client.Histogram(h)),
  };
  const registry = new client.Registry();
  const metrics = new RegionMetrics(region, { registers: [registry] });
  const shared = {
    counters: COUNTERS.map((c) => metrics.counter(c)),
    histograms: HISTOGRAMS.map((h) => metrics.histogram(h)),
  };
  let counting = "off";
  process.on("message", async (m: Message) => {
    if (m.op === "fill") {
      for (let n = 0; n < 25; n++) {
        for (let j = 0; j < ROUTES.length; j++) {
          const seconds = ((n * 7 + j) % 40) / 100;
          const labels = { route: ROUTES[j] };
          for (const c of local.counters) c.inc(labels);
          for (const h of local.histograms) h.observe(labels, seconds);
          for (const c of shared.counters) c.inc(labels);
          for (const h of shared.histograms) h.observe(labels, seconds);
        }
      }
      process.send!({ op: "fill:done" });
    } else if (m.op === "render") {
      const calls = METRICS * ROUTES.length >= 1000 ? 50 : 200;
      const rounds = [];
      const registryRounds = [];
      for (let round = 0; round < 5; round++) {
        rounds.push(
          await meanMs(calls, () => Promise.resolve(metrics.render())),
        );
        registryRounds.push(await meanMs(calls, () => registry.metrics()));
      }
      process.send!({
        op: "render:done",
        renderMs: median(rounds),
        registryMs: median(registryRounds),
      });
    } else if (m.op === "cost") {
      const n = 200_000;
      const oursCounter = shared.counters[1];
      const oursHistogram = shared.histograms[0];
      let t = performance.now();
      for (let i = 0; i < n; i++) {
        const labels = { route: ROUTES[i & 3] };
        oursCounter.inc(labels);
        oursHistogram.observe(labels, 0.0002);
      }
      const regionNs = ((performance.now() - t) / n) * 1e6;
      t = performance.now();
      for (let i = 0; i < n; i++) {
        const labels = { route: ROUTES[i & 3] };
        local.counters[1].inc(labels);
        local.histograms[0].observe(labels, 0.0002);
      }
      const localNs = ((performance.now() - t) / n) * 1e6;
      process.send!({ op: "cost:done", regionNs, localNs });
    } else if (m.op === "counting") {
      counting = m.counting as string;
      process.send!({ op: "counting:done" });
    }
  });
  http.createServer((req, res) => {
    if (req.url === "/render") {
      res.end(metrics.render());
      return;
    }
    if (req.url === "/metrics") {
      registry.metrics().then((text) => res.end(text));
      return;
    }
    const start = performance.now();
    const route = req.url === "/" ? 0 : req.url === "/items" ? 1 : 2;
    res.statusCode = route === 2 ? 404 : 200;
    const body = route === 1 ? JSON.stringify([{ id: 1 }, { id: 2 }]) : "hello\n";
    const labels = { route: ROUTES[route] };
    if (counting === "region") {
      shared.counters[0].inc(labels);
      shared.histograms[0].observe(labels, (performance.now() - start) / 1000);
    } else if (counting === "local") {
      local.counters[0].inc(labels);
      local.histograms[0].observe(labels, (performance.now() - start) / 1000);
    }
    res.end(body);
  }).listen(0, "127.0.0.1");
}
/** Decisions made by this worker from `at` for `ms` milliseconds with limiter `variant`. */
async function decide(
  region: SharedMemory,
  variant: string,
  at: number,
  ms: number,
  redisPort: number,
): Promise<number> {
  // Never exhausted in a run (about 10^4 decisions per key per second): every decision does its
  // full work. (The region limiter takes up to 2^53 / (windowMs · 1000) tokens.)
  const points = 1e6;
  const duration = 1000;
  const end = at + ms;
  if (variant === "region") {
    const limiter = region.rateLimiter("bench", {
      limit: points,
      windowMs: duration * 1000,
    });
    while (Date.now() < at);
    let n = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 1000; i++) limiter.take(KEYS[(n + i) % KEYS.length]);
      n += 1000;
    }
    return n;
  }
  let redis: Redis | undefined;
  const limiter = variant === "cluster"
    ? new RateLimiterCluster({
      keyPrefix: "bench",
      points,
      duration,
      timeoutMs: 5000,
    })
    : variant === "redis"
    ? new RateLimiterRedis({
      storeClient: redis = new Redis({ port: redisPort, host: "127.0.0.1" }),
      keyPrefix: "bench",
      points,
      duration,
    })
    : new RateLimiterMemory({ keyPrefix: "bench", points, duration });
  await limiter.consume(KEYS[0]); // connected / warmed up
  while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
  let n = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, lane) => {
    while (Date.now() < end) {
      await limiter.consume(KEYS[(lane + n) % KEYS.length]);
      n++;
    }
  }));
  redis?.disconnect();
  return n;
}
