#!/usr/bin/env node
// `npm run bench:shm`: cross-process increments per second on one named AtomicInt, against the
// same increments in one process and against what a user would otherwise reach for: Redis INCR
// over loopback (Debian's redis-server, started here on a free 127.0.0.1 port and stopped after)
// and a counter file behind a mkdir lock file. All measured in the same run; the results replace
// the section between `<!-- shm:start -->` and `<!-- shm:end -->` of BENCHMARKS.md.
//
//   node scripts/bench/shm.mjs [--help] [--skip-setup] [--no-write]
//
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runForJson } from "../lib/runtimes.mjs";
import { startRedis } from "../lib/redis.mjs";
import { publishSection, sectionBench } from "../lib/report_section.mjs";
import { root } from "../lib/setup.mjs";

const options = sectionBench("shm");

const child = join(root, "scripts", "bench", "shm_child.ts");
const N_LOCAL = 5_000_000;
const N_REGION = 20_000_000;
const N_REDIS = 20_000;
const N_FILE = 2_000;

/** Runs the child script on runtime `key`; resolves to its last JSON line. */
const runChild = (key, childArgs) => runForJson(key, child, childArgs);

/** Runs one child per runtime in `keys`, all starting at the same instant; aggregate ops/s. */
async function together(keys, mode, target, n) {
  const at = Date.now() + 2500; // time for the slowest runtime to start
  const results = await Promise.all(keys.map((k) => runChild(k, [mode, at, target, n])));
  const start = Math.min(...results.map((r) => r.startMs));
  const end = Math.max(...results.map((r) => r.endMs));
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  return { ops, ms: end - start, perSecond: (ops / (end - start)) * 1000 };
}

function version(command, flag = "--version") {
  return spawnSync(command, [flag]).stdout?.toString().trim().split("\n")[0] ?? "?";
}

const rows = [];
const fmt = (x) => Math.round(x).toLocaleString("en-US");

// 1. In one process (Node 26): atomicx on a SharedArrayBuffer — the baseline, measured with the
// same harness as the region runs — and, interleaved in one process, the built-in Atomics.add.
console.log("in-process baseline (node 26)…");
let localPerSecond = 0;
for (let round = 0; round < 3; round++) {
  const r = await together(["node"], "sab", "-", N_REGION);
  localPerSecond = Math.max(localPerSecond, r.perSecond);
}
rows.push(["1 process: `AtomicInt.inc` on a SharedArrayBuffer (Node 26)", localPerSecond]);
const local = await runChild("node", ["local", N_LOCAL]);
rows.push([
  "1 process: built-in `Atomics.add` on an Int32Array (Node 26)",
  (local.ops / local.atomicsMs) * 1000,
]);

// 2. A region: one process, then two processes contending, then two runtimes.
const name = `atomicx-bench-${process.pid}`;
/** Best of three runs of `keys` processes on the region's counter, each checked to be exact. */
async function regionRun(keys, label) {
  console.log(`${label}…`);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const r = await together(keys, "region", name, N_REGION);
    await regionLinkCheck(keys.length * N_REGION);
    best = Math.max(best, r.perSecond);
  }
  rows.push([label, best]);
}
/** Checks (through a child) that the region's counter is exactly `expectedTotal`, then zeroes it. */
async function regionLinkCheck(expectedTotal) {
  const { value } = await runChild("node", ["take", name]);
  if (value !== expectedTotal) throw new Error(`region counter ${value} ≠ ${expectedTotal}`);
}
await regionRun(["node"], "1 process: `AtomicInt.inc` in a region (Node 26)");
await regionRun(["node", "node"], "2 processes (Node 26 + Node 26): one region `AtomicInt`");
await regionRun(["deno", "bun"], "2 processes (Deno + Bun): one region `AtomicInt`");
await runChild("node", ["unlink", name]);

// 3. Redis INCR over loopback, 2 client processes awaiting each reply (scripts/lib/redis.mjs
// installs Debian's redis-server when missing, as a fresh machine lacks it).
let redisVersion = "not installed";
const redis = await startRedis();
if (redis) {
  redisVersion = redis.version;
  const port = redis.port;
  try {
    console.log("redis INCR…");
    const one = await together(["node"], "redis", port, N_REDIS);
    rows.push([
      "1 process (Node 26): Redis `INCR` over loopback, awaiting each reply",
      one.perSecond,
    ]);
    const r = await together(["node", "node"], "redis", port, N_REDIS);
    const value = Number(spawnSync("redis-cli", ["-p", String(port), "get", "counter"]).stdout);
    if (value !== 3 * N_REDIS) throw new Error(`redis counter ${value} ≠ ${3 * N_REDIS}`);
    rows.push([
      "2 processes (Node 26): Redis `INCR` over loopback, awaiting each reply",
      r.perSecond,
    ]);
  } finally {
    redis.stop();
  }
}

// 4. A counter file behind a lock file.
{
  console.log("file-lock counter…");
  const dir = mkdtempSync(join(tmpdir(), "atomicx-bench-"));
  writeFileSync(join(dir, "counter"), "0");
  try {
    const one = await together(["node"], "filelock", dir, N_FILE);
    rows.push(["1 process (Node 26): counter file behind a mkdir lock", one.perSecond]);
    const r = await together(["node", "node"], "filelock", dir, N_FILE);
    const value = Number(readFileSync(join(dir, "counter"), "utf8"));
    if (value !== 3 * N_FILE) throw new Error(`file counter ${value} ≠ ${3 * N_FILE}`);
    rows.push(["2 processes (Node 26): counter file behind a mkdir lock", r.perSecond]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Report: each figure against one process on a SharedArrayBuffer, and how many times faster two
// processes on one region atomic are.
const crossProcess = rows.find(([label]) => label.startsWith("2 processes (Node 26 + Node 26)"))[1];
const ratio = (x) => (x >= 0.01 ? x.toFixed(3) : x.toPrecision(2));
const width = Math.max(...rows.map(([label]) => label.length));
console.log();
for (const [label, perSecond] of rows) {
  console.log(
    `${label.padEnd(width)}  ${fmt(perSecond).padStart(14)}/s  ${
      ratio(perSecond / localPerSecond)
    }×  ${fmt(crossProcess / perSecond)}×`,
  );
}

const date = new Date().toISOString().replace("T", " ").slice(0, 19);
const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "?";
const table = [
  "| configuration | increments / s | vs 1 process on a SharedArrayBuffer | 2 processes on a region are … × faster |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map(([label, perSecond]) =>
    `| ${label} | ${fmt(perSecond)} | ${ratio(perSecond / localPerSecond)}× | ${
      (crossProcess / perSecond).toLocaleString("en-US", { maximumSignificantDigits: 3 })
    }× |`
  ),
].join("\n");
const section = `<!-- shm:start -->

## Shared memory between processes

Measured ${date} UTC by \`npm run bench:shm\` (scripts/bench/shm.mjs) on ${cpu}, ${cpus().length}
cores (a machine shared with other work: figures are noisy, ratios from one run are what count).
Deno ${version(join(root, "node_modules/.bin/deno")).split(" ")[1]}, Bun ${
  version(join(root, "node_modules/.bin/bun"))
}, Node ${version(join(root, "node_modules/.bin/node"))}, ${redisVersion}.

Every configuration counts into one counter and checks the final value is exact. Processes of a
configuration start at the same instant; throughput is all increments over the wall time from the
first start to the last finish; atomicx figures are the best of three runs (the baseline, one
process on a \`SharedArrayBuffer\`, runs the same loop in the same harness). The built-in
\`Atomics.add\` figure is the best of three rounds of a warm loop in one process. Redis is Debian's \`redis-server\` on 127.0.0.1 (no persistence),
driven by a minimal RESP client that awaits each \`INCR\` (what \`await redis.incr()\` does); the
file-lock counter is what a script without a server would do: take a lock by \`mkdir\` (atomic; the
technique of \`proper-lockfile\`), read, write, remove the lock.

${table}

- Two processes on one atomic contend for one cache line: each increment is still one hardware
  atomic instruction, but the line moves between the two cores, so the total is below one
  uncontended process (the same holds for two Workers in one process).
- The region atomics are the ordinary classes over \`mmap\`ed memory, so one process on a region
  costs what it costs on a \`SharedArrayBuffer\`.
- V8 does not inline the built-in \`Atomics.add\`, and Node 26's \`node:ffi\` makes a fast call of
  \`AtomicInt.inc\`, so on Node the built-in can be the slower of the two (see the main tables).

<!-- shm:end -->`;

publishSection(options, "shm", section.replace(/^<!-- shm:start -->|<!-- shm:end -->$/g, ""));
