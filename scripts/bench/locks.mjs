#!/usr/bin/env node
// `npm run bench:locks`: lock figures as ratios against baselines run in the same process and the
// same run: uncontended lock+unlock against a hand-written Atomics CAS mutex; lockAsync against
// async-mutex; 2 Workers contending against a hand-written Atomics.wait/notify mutex; 2 processes
// on a region Mutex against proper-lockfile and against redis-semaphore's Mutex on a local
// redis-server (Debian's, installed when missing and started here on a free 127.0.0.1 port, stopped
// after). The results replace the section between `<!-- locks:start -->` and `<!-- locks:end -->`
// of BENCHMARKS.md.
//
//   node scripts/bench/locks.mjs [--help] [--skip-setup] [--no-write]
//
// Plain JavaScript: it starts on any Node, sets up, then runs itself again on the pinned Node 26
// with node:ffi (the measurements import the TypeScript sources).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Worker } from "node:worker_threads";
import { cli } from "../lib/cli.mjs";
import { startRedis } from "../lib/redis.mjs";
import { writeSection } from "../lib/report_section.mjs";
import { bin, buildNative, installDependencies, root } from "../lib/setup.mjs";

const options = cli("npm run bench:locks [-- options]: the locks section of BENCHMARKS.md", {
  "skip-setup": { type: "boolean", help: "do not install tools or build the library first" },
  "no-write": { type: "boolean", help: "print the section; leave BENCHMARKS.md alone" },
});
if (!options["skip-setup"]) {
  installDependencies();
  buildNative();
}
// The measurements import the TypeScript sources: they run on the pinned Node 26 with node:ffi.
if (!process.execArgv.includes("--experimental-ffi")) {
  const args = process.argv.slice(2).filter((a) => a !== "--skip-setup");
  const { status } = spawnSync(
    bin("node"),
    [
      "--experimental-ffi",
      "--no-warnings",
      fileURLToPath(import.meta.url),
      "--skip-setup",
      ...args,
    ],
    { stdio: "inherit" },
  );
  process.exit(status ?? 1);
}
const { Mutex: AsyncMutex } = await import("async-mutex");
const { default: lockfile } = await import("proper-lockfile");
const { Mutex, SharedMemory } = await import("../../mod.ts");

const rate = (n, ms) => (n / ms) * 1000;
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const modUrl = JSON.stringify(new URL("../../mod.ts", import.meta.url).href);
const dir = mkdtempSync(join(tmpdir(), "locks-bench-"));

/** Runs `fn(n)` three times and returns the best operations per second. */
async function best(n, fn) {
  let top = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await fn(n);
    top = Math.max(top, rate(n, performance.now() - t0));
  }
  return top;
}

/** Best of three rounds of each of `fns`, interleaved so that a noisy moment hits all alike. */
async function interleaved(n, fns) {
  const top = fns.map(() => 0);
  for (let round = 0; round < 3; round++) {
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn(n);
      top[i] = Math.max(top[i], rate(n, performance.now() - t0));
    }
  }
  return top;
}

// 1. Uncontended lock+unlock, against the hand-written CAS mutex on an Int32Array.
const m = new Mutex();
const hand = new Int32Array(new SharedArrayBuffer(4));
const N = 2_000_000;
const [mutexRate, handRate] = await interleaved(N, [
  (n) => {
    for (let i = 0; i < n; i++) m.lock().unlock();
  },
  (n) => {
    for (let i = 0; i < n; i++) {
      while (Atomics.compareExchange(hand, 0, 0, 1) !== 0);
      Atomics.store(hand, 0, 0);
    }
  },
]);
const uncontended = handRate / mutexRate;
console.log(
  `uncontended lock+unlock: Mutex ${fmt(mutexRate)}/s, hand CAS ${fmt(handRate)}/s: ` +
    `Mutex costs ${uncontended.toFixed(2)}× the hand-written pair`,
);

// 2. lockAsync against async-mutex (one thread).
const am = new AsyncMutex();
const NA = 200_000;
const [asyncRate, amRate] = await interleaved(NA, [
  async (n) => {
    for (let i = 0; i < n; i++) (await m.lockAsync()).unlock();
  },
  async (n) => {
    for (let i = 0; i < n; i++) (await am.acquire())();
  },
]);
console.log(
  `lockAsync ${fmt(asyncRate)}/s vs async-mutex ${fmt(amRate)}/s: ` +
    `${(asyncRate / amRate).toFixed(2)}×`,
);

// 3. 2 Workers contending for a counter, against the hand-written wait/notify mutex.
const workerSource = `
import { workerData, parentPort } from "node:worker_threads";
const { kind, handle, buffer, n } = workerData;
const data = new Int32Array(buffer);
const { Mutex } = await import(${modUrl});
parentPort.postMessage("ready");
Atomics.wait(data, 2, 0); // the start flag: timing begins when both Workers are loaded
if (kind === "mutex") {
  const m = Mutex.from(handle);
  for (let i = 0; i < n; i++) { const g = m.lock(); data[1]++; g.unlock(); }
} else {
  for (let i = 0; i < n; i++) {
    let c = Atomics.compareExchange(data, 0, 0, 1);
    if (c !== 0) {
      if (c !== 2) c = Atomics.exchange(data, 0, 2);
      while (c !== 0) { Atomics.wait(data, 0, 2); c = Atomics.exchange(data, 0, 2); }
    }
    data[1]++;
    if (Atomics.sub(data, 0, 1) !== 1) { Atomics.store(data, 0, 0); Atomics.notify(data, 0, 1); }
  }
}
parentPort.postMessage("done");`;
const workerFile = join(dir, "w.mjs");
writeFileSync(workerFile, workerSource);
async function contended(kind, n) {
  const buffer = new SharedArrayBuffer(12);
  const mutex = new Mutex();
  const workers = [0, 1].map(() =>
    new Worker(workerFile, { workerData: { kind, handle: mutex.handle, buffer, n } })
  );
  const message = (w) =>
    new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
  await Promise.all(workers.map(message));
  const done = Promise.all(workers.map(message));
  const t0 = performance.now();
  const data = new Int32Array(buffer);
  Atomics.store(data, 2, 1);
  Atomics.notify(data, 2);
  await done;
  const ms = performance.now() - t0;
  await Promise.all(workers.map((w) => w.terminate()));
  if (data[1] !== 2 * n) throw new Error(`${kind}: lost updates`);
  return rate(2 * n, ms);
}
const NW = 500_000;
let wMutex = 0, wHand = 0;
for (let round = 0; round < 3; round++) {
  wMutex = Math.max(wMutex, await contended("mutex", NW));
  wHand = Math.max(wHand, await contended("hand", NW));
}
const workersRatio = wMutex / wHand;
console.log(
  `2 Workers contending: Mutex ${fmt(wMutex)}/s, hand wait/notify ${fmt(wHand)}/s: ` +
    `${workersRatio.toFixed(2)}×`,
);

// 4. 2 processes taking a region Mutex in turn: both start at one instant (after loading), each
// locks and unlocks n times; the rate is all pairs over the wall time from first start to last end.
const name = `locks-bench-${process.pid}`;
const region = SharedMemory.open(name, { only: "create" });
const NP = 1_000_000;
const childSource = `
import { SharedMemory } from ${modUrl};
const [at, n] = process.argv.slice(2).map(Number);
const r = SharedMemory.open(${JSON.stringify(name)}, { only: "attach" });
const m = r.mutex("m");
const count = r.int("count");
while (Date.now() < at) await new Promise((resolve) => setTimeout(resolve, 1));
const startMs = Date.now();
for (let i = 0; i < n; i++) { const g = m.lock(); count.store(count.load() + 1); g.unlock(); }
const endMs = Date.now();
r.close();
console.log(JSON.stringify({ startMs, endMs }));`;
const childFile = join(dir, "c.ts");
writeFileSync(childFile, childSource);
function child(at, n) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--experimental-ffi", "--no-warnings", childFile, at, n], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.on(
      "close",
      (code) =>
        code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`child exited ${code}`)),
    );
  });
}
let regionRate = 0;
for (let round = 0; round < 2; round++) {
  region.int("count").store(0);
  const at = Date.now() + 1500;
  const runs = await Promise.all([child(at, NP), child(at, NP)]);
  if (region.int("count").load() !== 2 * NP) throw new Error("region Mutex: lost updates");
  const ms = Math.max(...runs.map((r) => r.endMs)) - Math.min(...runs.map((r) => r.startMs));
  regionRate = Math.max(regionRate, rate(2 * NP, ms));
}
region.close();
SharedMemory.unlink(name);
console.log(`2 processes on a region Mutex: ${fmt(regionRate)}/s`);

// 5. The baselines a script between processes reaches for, each uncontended in one process (their
// best case: contention only adds retries).
const lockTarget = join(dir, "target");
writeFileSync(lockTarget, "");
const fileRate = await best(300, async (n) => {
  for (let i = 0; i < n; i++) await (await lockfile.lock(lockTarget, { realpath: false }))();
});
console.log(`proper-lockfile lock+unlock (1 process): ${fmt(fileRate)}/s`);

let redisRate = 0;
let redisVersion = "not installed";
const redis = await startRedis();
if (redis) {
  redisVersion = redis.version;
  const { default: Redis } = await import("ioredis");
  const { Mutex: RedisMutex } = await import("redis-semaphore");
  const client = new Redis({ host: "127.0.0.1", port: redis.port, lazyConnect: true });
  try {
    await client.connect();
    const mutex = new RedisMutex(client, "bench", { refreshInterval: 0 });
    redisRate = await best(2_000, async (n) => {
      for (let i = 0; i < n; i++) {
        await mutex.acquire();
        await mutex.release();
      }
    });
    console.log(`redis-semaphore Mutex acquire+release (1 process): ${fmt(redisRate)}/s`);
  } finally {
    client.disconnect();
    redis.stop();
  }
}
rmSync(dir, { recursive: true, force: true });

// The section.
const pkg = (p) =>
  JSON.parse(readFileSync(join(root, "node_modules", p, "package.json"), "utf8")).version;
const mark = (ok) => (ok ? "✅" : "❌");
const x = (r) => `${r.toLocaleString("en-US", { maximumSignificantDigits: 3 })}×`;
const rows = [
  [
    "Uncontended `lock()`+`unlock()` costs ≤ 1.25× a hand-written `Atomics.compareExchange`/`Atomics.store` mutex",
    `${fmt(mutexRate)}/s vs ${fmt(handRate)}/s`,
    `${uncontended.toFixed(2)}×`,
    uncontended <= 1.25,
  ],
  [
    "`lockAsync()` uncontended ≥ 1.0× `async-mutex` `acquire()`+`release()`",
    `${fmt(asyncRate)}/s vs ${fmt(amRate)}/s`,
    `${(asyncRate / amRate).toFixed(2)}×`,
    asyncRate >= amRate,
  ],
  [
    "2 Workers contending on a `Mutex` ≥ 1.0× a hand-written `Atomics.wait`/`notify` mutex",
    `${fmt(wMutex)}/s vs ${fmt(wHand)}/s`,
    `${workersRatio.toFixed(2)}×`,
    workersRatio >= 1,
  ],
  [
    "2 processes on a region `Mutex` ≥ 1,000× `proper-lockfile` lock+unlock",
    `${fmt(regionRate)}/s vs ${fmt(fileRate)}/s`,
    x(regionRate / fileRate),
    regionRate >= 1000 * fileRate,
  ],
  redis
    ? [
      "2 processes on a region `Mutex` ≥ 1,000× `redis-semaphore` `Mutex` on a local redis-server",
      `${fmt(regionRate)}/s vs ${fmt(redisRate)}/s`,
      x(regionRate / redisRate),
      regionRate >= 1000 * redisRate,
    ]
    : ["2 processes vs `redis-semaphore`", "redis-server missing", "—", false],
];
const date = new Date().toISOString().replace("T", " ").slice(0, 19);
const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "?";
const section = `## Locks

Measured ${date} UTC by \`npm run bench:locks\` (scripts/bench/locks.mjs) on ${cpu}, ${cpus().length}
cores (a machine shared with other work: figures are noisy, ratios from one run are what count).
Node ${process.version} (\`node:ffi\`), async-mutex ${pkg("async-mutex")}, proper-lockfile ${
  pkg("proper-lockfile")
}, redis-semaphore ${pkg("redis-semaphore")} with ioredis ${pkg("ioredis")}, ${redisVersion}.

Each figure is lock+unlock pairs per second, the best of three rounds (two for processes), with its
baseline measured in the same run. Uncontended pairs run in one warm loop. The 2 Workers (and the 2
processes) start on one signal and each increment a plain counter under the lock \`n\` times; the
total is checked, the rate is all pairs over the wall time from start to the last finish. The
process baselines run uncontended in one process, their best case: \`proper-lockfile\` takes its
lock by \`mkdir\` and checks it with \`stat\`; \`redis-semaphore\` is one \`SET NX\` and one Lua
\`EVAL\` round trip to Debian's \`redis-server\` on 127.0.0.1 (auto-refresh off).

| target | measured | ratio | met |
| --- | --- | ---: | :---: |
${
  rows.map(([what, measured, ratio, ok]) => `| ${what} | ${measured} | ${ratio} | ${mark(ok)} |`)
    .join("\n")
}

- Uncontended, a \`Mutex\` pair is the hand-written pair plus a guard object (allocation, and the
  call through the guard's \`unlock\`); the guard is what makes \`using\` and idempotent unlock work.
- Contended, both sides sleep in \`Atomics.wait\` and wake with \`Atomics.notify\`; on 2 cores
  shared with other work the ratio moves with the scheduler from run to run.
`;
if (options["no-write"]) console.log(section);
else writeSection("locks", section);
