#!/usr/bin/env node
// `npm run bench:cluster`: metrics (atomicx/metrics) and rate limits (`region.rateLimiter`) across a
// Node cluster, kept in a SharedMemory region, against what users run
// today: prom-client's AggregatorRegistry (every scrape gathered from the workers over IPC), and
// rate-limiter-flexible with its cluster store (the primary, over IPC) and with Redis (Debian's
// redis-server, started here on a free 127.0.0.1 port and stopped after). Every figure is a ratio
// between runs of the same script in the same session; the results replace the section between
// `<!-- cluster:start -->` and `<!-- cluster:end -->` of BENCHMARKS.md.
//
//   node scripts/bench/cluster.mjs [--help] [--skip-setup] [--no-write]
//
// The measurements run in scripts/bench/cluster_child.ts on the pinned Node 26 (node:ffi).
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { runForJson } from "../lib/runtimes.mjs";
import { startRedis } from "../lib/redis.mjs";
import { publishSection, sectionBench } from "../lib/report_section.mjs";
import { root } from "../lib/setup.mjs";
import { packageVersion } from "../lib/paths.mjs";

const options = sectionBench("cluster");

const child = join(root, "scripts", "bench", "cluster_child.ts");
const THROUGHPUT_SECONDS = 0.5; // per slice; 12 rounds of one slice per way (cluster_child.ts)
const DECIDE_SECONDS = 2; // per rate limiter

/** Runs the child with `childArgs` on the pinned Node 26; resolves to its last JSON line. */
const runChild = (childArgs) => runForJson("node", child, childArgs);

const version = (command) =>
  spawnSync(command, ["--version"]).stdout?.toString().trim().split("\n")[0] ??
    "?";
const pkg = packageVersion;
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const times = (x) => `${x.toLocaleString("en-US", { maximumSignificantDigits: 3 })}×`;
const mark = (ok) => (ok ? "✅" : "❌");

const scrapes = [];
for (const [workers, series] of [[4, 100], [4, 1000], [8, 100], [8, 1000]]) {
  console.log(
    `scrape: ${workers} workers, ${series} series: region vs AggregatorRegistry…`,
  );
  scrapes.push(await runChild(["scrape", workers, series]));
  console.log(scrapes.at(-1));
}
console.log(
  "inc / observe: atomicx/metrics vs prom-client's in-process metrics…",
);
const ops = await runChild(["ops"]);
console.log(ops);
console.log("request throughput, counting off / region / prom-client…");
const throughput = await runChild(["throughput", THROUGHPUT_SECONDS]);
console.log(throughput);

let redisVersion = "not installed";
const redis = await startRedis();
let limits;
try {
  if (redis) redisVersion = redis.version;
  console.log("rate limiter decisions…");
  limits = await runChild(["ratelimit", DECIDE_SECONDS, redis?.port ?? 0]);
  console.log(limits);
} finally {
  redis?.stop();
}

const [target] = scrapes; // 4 workers, 100 series
const scrapeRatio = target.aggregatorMs / target.renderMs;
const worstOp = Math.max(
  ...Object.values(ops).map((o) => o.regionNs / o.localNs),
);
const labelledOp = ops["counter.inc(labels)"].regionNs /
  ops["counter.inc(labels)"].localNs;
const countingCost = 1 - throughput.regionRatio;
const limiterRows = [
  ["atomicx region, GCRA (`region.rateLimiter`)", limits.region],
  [
    "rate-limiter-flexible `RateLimiterCluster` (the primary as the store, IPC)",
    limits.cluster,
  ],
  ...(limits.redis === undefined ? [] : [[
    `rate-limiter-flexible \`RateLimiterRedis\` over ioredis (${redisVersion}, 127.0.0.1)`,
    limits.redis,
  ]]),
  [
    "rate-limiter-flexible `RateLimiterMemory` (one budget per worker: no cluster-wide limit)",
    limits.memory,
  ],
];

const date = new Date().toISOString().replace("T", " ").slice(0, 19);
const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "?";
const body = `## Metrics and rate limits across a Node cluster

Measured ${date} UTC by \`npm run bench:cluster\` (scripts/bench/cluster.mjs) on ${cpu},
${cpus().length} cores (shared with other work: figures are noisy; the ratios, taken within one
run, are what count). Node ${version(join(root, "node_modules/.bin/node"))} (node:ffi), 4 cluster
workers (and 8 for the scrapes), prom-client ${pkg("prom-client")}, rate-limiter-flexible ${
  pkg("rate-limiter-flexible")
}, ioredis ${pkg("ioredis")}, ${redisVersion}.

**Scrape** of 100 and of 1,000 series (metrics of 10 series each, 9 counters to 1 histogram with the
default 11 buckets), every worker updating the same values both in prom-client's own metrics and in a
region through \`atomicx/metrics\`. \`render()\` and \`registry.metrics()\` are timed inside a
worker, \`clusterMetrics()\` in the primary (IPC to every worker, merge, render), neither with HTTP;
\`GET /render\` adds a keep-alive HTTP request to a worker. Medians of 5 rounds, alternating.

| workers | series | lines | \`render()\` ms | \`registry.metrics()\` ms | \`GET /render\` ms | \`clusterMetrics()\` ms | render() is … × faster |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${
  scrapes.map((r) =>
    `| ${r.workers} | ${fmt(r.series)} | ${fmt(r.lines)} | ${r.renderMs.toFixed(3)} | ${
      r.registryMs.toFixed(2)
    } | ${r.httpMs.toFixed(2)} | ${r.aggregatorMs.toFixed(2)} | ${
      times(r.aggregatorMs / r.renderMs)
    } |`
  ).join("\n")
}

- \`render()\` at 4 workers and 100 series is **${times(scrapeRatio)}** faster than
  \`clusterMetrics()\` — target ≥ 10×: ${mark(scrapeRatio >= 10)}. It does not depend on the number
  of workers (nothing is asked of them); \`clusterMetrics()\` grows with them.
  \`registry.metrics()\` over the region pays prom-client's formatting, as the aggregated scrape does.

**Cost of one operation**, ns, \`atomicx/metrics\` against prom-client's in-process metric (paired
loops of 200,000 calls, 15 rounds alternating, medians; Node 26, node:ffi):

| operation | atomicx/metrics ns | prom-client ns | ratio |
| --- | ---: | ---: | ---: |
${
  Object.entries(ops).map(([op, r]) =>
    `| \`${op}\` | ${r.regionNs.toFixed(1)} | ${r.localNs.toFixed(1)} | ${
      times(r.regionNs / r.localNs)
    } |`
  ).join("\n")
}

- A labelled \`inc\` is ${times(labelledOp)} prom-client's — target within 2×: ${
  mark(labelledOp <= 2)
}. The worst ratio, ${times(worstOp)}, is an \`inc()\` without labels: prom-client adds to a
  property of a JavaScript object (a few ns), atomicx makes one FFI call into the region (~15–30 ns
  on node:ffi, ~45 on koffi), the floor for a value every process shares. Keeping the child of
  \`labels(...)\` makes the labelled case one such call.

**Request throughput** over 32 keep-alive connections from the primary: 12 rounds of one ${THROUGHPUT_SECONDS} s
slice per way, the order rotated every round; each way's figure is its requests over its time.

| counting per request | requests / s | vs off | counting alone, per request |
| --- | ---: | ---: | ---: |
| off | ${fmt(throughput.off)} | 1× | |
| a counter and a histogram in the region | ${fmt(throughput.region)} | ${
  throughput.regionRatio.toFixed(3)
}× | ${fmt(throughput.regionNs)} ns |
| a counter and a histogram in prom-client's per-worker metrics | ${fmt(throughput.local)} | ${
  throughput.localRatio.toFixed(3)
}× | ${fmt(throughput.localNs)} ns |

- Counting in the region changed the throughput by ${
  (-countingCost * 100).toLocaleString("en-US", {
    signDisplay: "always",
    maximumFractionDigits: 1,
  })
} % in this run — target at most 5 % slower: ${mark(countingCost <= 0.05)}. Measured alone, it
  costs ${fmt(throughput.regionNs)} ns per request, while at ${
  fmt(throughput.off)
} requests/s on ${cpus().length} cores a request takes about ${
  fmt((cpus().length / throughput.off) * 1e6)
} µs of CPU (server and client): an expected cost of ${
  ((throughput.regionNs / 1000 / ((cpus().length / throughput.off) * 1e6)) *
    100).toFixed(2)
} %, below this machine's slice-to-slice noise (the slices are in the output of the run).

**Rate limiter decisions** per second over all 4 workers for ${DECIDE_SECONDS} s, keys spread over
100 clients (budgets never exhausted, so every decision does its full work). The region's limiter
decides synchronously in each worker; the others are awaited, 64 in flight per worker.

| limiter | decisions / s | region is … × faster |
| --- | ---: | ---: |
${
  limiterRows.map(([label, perSecond]) =>
    `| ${label} | ${fmt(perSecond)} | ${times(limits.region / perSecond)} |`
  ).join("\n")
}
`;
console.log(`\n${body}`);
publishSection(options, "cluster", body);
