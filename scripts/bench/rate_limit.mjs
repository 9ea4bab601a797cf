#!/usr/bin/env node
// `node scripts/bench/rate_limit.mjs`: decisions per second of the region rate limiter
// (`region.rateLimiter`) across a 4-worker Node cluster, against rate-limiter-flexible's
// `RateLimiterCluster` (the primary as the store, over IPC) and `RateLimiterMemory` (one budget per
// worker: no cluster-wide limit, shown for scale). ROUNDS paired rounds, each one run of
// scripts/bench/cluster_child.ts (mode `ratelimit`: every limiter in turn in the same cluster, 100
// client keys, never exhausted); the ratios are taken within each round, and the medians shown.
// Replaces the section between `<!-- ratelimit:start -->` and `<!-- ratelimit:end -->` of
// BENCHMARKS.md.
//
//   node scripts/bench/rate_limit.mjs [--help] [--skip-setup] [--no-write]
//
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { runForJson } from "../lib/runtimes.mjs";
import { publishSection, sectionBench } from "../lib/report_section.mjs";
import { root } from "../lib/setup.mjs";
import { packageVersion } from "../lib/paths.mjs";

const options = sectionBench("ratelimit");
const child = join(root, "scripts", "bench", "cluster_child.ts");
const ROUNDS = 5;
const SECONDS = 1; // per limiter per round

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const times = (x) => `${x.toLocaleString("en-US", { maximumSignificantDigits: 3 })}×`;

const loadBefore = loadavg().map((x) => x.toFixed(2)).join(", ");
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const result = await runForJson("node", child, ["ratelimit", SECONDS, 0]);
  console.log(`round ${r + 1}:`, result);
  rounds.push(result);
}
const loadAfter = loadavg().map((x) => x.toFixed(2)).join(", ");
const rows = [
  ["atomicx `region.rateLimiter` (GCRA in one region word per key)", "region"],
  [
    "rate-limiter-flexible `RateLimiterCluster` (the primary as the store, IPC)",
    "cluster",
  ],
  [
    "rate-limiter-flexible `RateLimiterMemory` (one budget per worker: no cluster-wide limit)",
    "memory",
  ],
];
const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "?";
const body = `## Rate limiter decisions across a Node cluster

Measured ${new Date().toISOString().replace("T", " ").slice(0, 19)} UTC by
\`node scripts/bench/rate_limit.mjs\` on ${cpu}, ${cpus().length} cores, load average
${loadBefore} before and ${loadAfter} after (1, 5, 15 min; the machine is shared: the ratios, taken
within each round, are what count). Node 26 (node:ffi), 4 cluster workers deciding as fast as they
can for ${SECONDS} s per limiter, 100 client keys, rate-limiter-flexible
${packageVersion("rate-limiter-flexible")}. Medians of ${ROUNDS} rounds.

| limiter | decisions / s (median) | region is … × faster (median of the rounds' ratios) |
| --- | ---: | ---: |
${
  rows.map(([label, key]) =>
    `| ${label} | ${fmt(median(rounds.map((r) => r[key])))} | ${
      key === "region" ? "—" : times(median(rounds.map((r) => r.region / r[key])))
    } |`
  ).join("\n")
}
`;
publishSection(options, "ratelimit", body);
