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
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Worker } from "node:worker_threads";
import { startRedis } from "../lib/redis.mjs";
import { publishSection, sectionBench } from "../lib/report_section.mjs";
import { onPinnedNodeWithFfi, runForJson } from "../lib/runtimes.mjs";
import { benchPackages, packageVersion } from "../lib/paths.mjs";

const options = sectionBench("locks");
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(", ");
// The measurements import the TypeScript sources: they run on the pinned Node 26 with node:ffi.
onPinnedNodeWithFfi(import.meta.url);
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

// 2b. Eight async tasks of one thread taking one lock in turn (scripts/bench/locks_tasks.ts, in a
// process of its own on Node 26 and on Deno): lockAsync against async-mutex, the Web Locks API
// (`navigator.locks.request`) and the floor (a bare in-thread FIFO of resolvers).
const tasksNode = await runForJson("node", "scripts/bench/locks_tasks.ts", [7]);
const tasksDeno = await runForJson("deno", "scripts/bench/locks_tasks.ts", [7]);
for (const [label, t] of [["node", tasksNode], ["deno", tasksDeno]]) {
  console.log(
    `8 tasks (${label}): lockAsync ${fmt(t.best.ours)}/s; vs navigator.locks ` +
      `${t.median.web.toFixed(1)}×; vs async-mutex ${t.median.asyncMutex.toFixed(2)}×; ` +
      `${t.median.floor.toFixed(2)}× the floor`,
  );
}

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
} else if (kind === "withLock") {
  const m = Mutex.from(handle);
  const bump = () => { data[1]++; };
  for (let i = 0; i < n; i++) m.withLock(bump);
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
    new Worker(workerFile, {
      workerData: { kind, handle: mutex.handle, buffer, n },
    })
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
/** Paired rounds of the 2-Worker figure (odd: the median is one round). */
const ROUNDS = 7;
const NW = 500_000;
// Paired rounds (Mutex, then the hand-written one): the median of the per-round ratios, since two
// Workers on a shared 2-core machine swing from round to round.
let wMutex = 0, wHand = 0, wWith = 0;
const pairs = [];
const withPairs = [];
for (let round = 0; round < ROUNDS; round++) {
  const mutexRound = await contended("mutex", NW);
  const handRound = await contended("hand", NW);
  const withRound = await contended("withLock", NW);
  wMutex = Math.max(wMutex, mutexRound);
  wHand = Math.max(wHand, handRound);
  wWith = Math.max(wWith, withRound);
  pairs.push(mutexRound / handRound);
  withPairs.push(withRound / handRound);
}
pairs.sort((p, q) => p - q);
withPairs.sort((p, q) => p - q);
const workersRatio = pairs[(ROUNDS - 1) / 2];
const withRatio = withPairs[(ROUNDS - 1) / 2];
const workersSpread = `${pairs[0].toFixed(2)}–${pairs[ROUNDS - 1].toFixed(2)}×`;
console.log(
  `2 Workers contending: Mutex ${fmt(wMutex)}/s, hand wait/notify ${fmt(wHand)}/s (best rounds); ` +
    `median ratio ${workersRatio.toFixed(2)}× (rounds ${workersSpread}); withLock ${
      fmt(wWith)
    }/s, ` +
    `median ratio ${withRatio.toFixed(2)}×`,
);

// 4. 2 processes taking one lock in turn, for each contender: both start at one instant (after
// loading), each takes the lock, increments a counter under it and releases it n times; the rate
// is all pairs over the wall time from the first start to the last end, and the count is checked.
const name = `locks-bench-${process.pid}`;
const region = SharedMemory.open(name, { only: "create" });
const lockTarget = join(dir, "target");
writeFileSync(lockTarget, "0");
const childSource = `
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(join(benchPackages, "package.json"))});
const [kind, at, n, port] = process.argv.slice(2);
let lock, unlock, bump, close = () => {};
if (kind === "region") {
  const { SharedMemory } = await import(${modUrl});
  const r = SharedMemory.open(${JSON.stringify(name)}, { only: "attach" });
  const m = r.mutex("m");
  const count = r.int("count");
  let g;
  lock = () => { g = m.lock(); };
  unlock = () => g.unlock();
  bump = () => count.store(count.load() + 1);
  close = () => r.close();
} else if (kind === "lockfile") {
  const lockfile = require("proper-lockfile");
  const file = ${JSON.stringify(lockTarget)};
  const retries = { retries: 1000, minTimeout: 1, maxTimeout: 10, factor: 1 };
  let release;
  lock = async () => { release = await lockfile.lock(file, { realpath: false, retries }); };
  unlock = () => release();
  bump = () => writeFileSync(file, String(Number(readFileSync(file, "utf8")) + 1));
} else {
  const Redis = require("ioredis");
  const { Mutex } = require("redis-semaphore");
  const client = new Redis({ host: "127.0.0.1", port: Number(port) });
  const m = new Mutex(client, "bench", { refreshInterval: 0, retryInterval: 1 });
  lock = () => m.acquire();
  unlock = () => m.release();
  bump = () => client.incr("count");
  close = () => client.disconnect();
}
while (Date.now() < Number(at)) await new Promise((resolve) => setTimeout(resolve, 1));
const startMs = Date.now();
for (let i = 0; i < Number(n); i++) { await lock(); await bump(); await unlock(); }
const endMs = Date.now();
close();
console.log(JSON.stringify({ startMs, endMs }));`;
const childFile = join(dir, "c.mjs");
writeFileSync(childFile, childSource);
function child(kind, at, n, port = 0) {
  return new Promise((resolve, reject) => {
    const args = [
      "--experimental-ffi",
      "--no-warnings",
      childFile,
      kind,
      at,
      n,
      port,
    ];
    const p = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.on(
      "close",
      (code) =>
        code === 0
          ? resolve(JSON.parse(out.trim()))
          : reject(new Error(`${kind} child exited ${code}`)),
    );
  });
}
/** Best rate of `rounds` runs of 2 processes doing `n` pairs each; `count()` reads the total. */
async function twoProcesses(kind, n, rounds, count, port) {
  let top = 0;
  for (let round = 0; round < rounds; round++) {
    const before = await count();
    const at = Date.now() + 1500;
    const runs = await Promise.all([
      child(kind, at, n, port),
      child(kind, at, n, port),
    ]);
    const after = await count();
    if (after - before !== 2 * n) {
      throw new Error(`${kind}: ${after - before} ≠ ${2 * n}`);
    }
    const ms = Math.max(...runs.map((r) => r.endMs)) -
      Math.min(...runs.map((r) => r.startMs));
    top = Math.max(top, rate(2 * n, ms));
  }
  return top;
}
const regionRate = await twoProcesses(
  "region",
  1_000_000,
  2,
  () => region.int("count").load(),
);
region.close();
SharedMemory.unlink(name);
console.log(`2 processes on a region Mutex: ${fmt(regionRate)}/s`);
const fileCount = () => Number(readFileSync(lockTarget, "utf8"));
const fileRate = await twoProcesses("lockfile", 300, 1, fileCount);
console.log(`2 processes on proper-lockfile: ${fmt(fileRate)}/s`);

// The baselines' best case, uncontended in one process: contention only adds retries.
const fileOneRate = await best(300, async (n) => {
  for (let i = 0; i < n; i++) {
    await (await lockfile.lock(lockTarget, { realpath: false }))();
  }
});
console.log(`proper-lockfile lock+unlock (1 process): ${fmt(fileOneRate)}/s`);

let redisRate = 0, redisOneRate = 0;
let redisVersion = "not installed";
const redis = await startRedis();
if (redis) {
  redisVersion = redis.version;
  const { default: Redis } = await import("ioredis");
  const { Mutex: RedisMutex } = await import("redis-semaphore");
  const client = new Redis({
    host: "127.0.0.1",
    port: redis.port,
    lazyConnect: true,
  });
  try {
    await client.connect();
    const redisCount = async () => Number(await client.get("count"));
    redisRate = await twoProcesses("redis", 2_000, 2, redisCount, redis.port);
    console.log(`2 processes on a redis-semaphore Mutex: ${fmt(redisRate)}/s`);
    const mutex = new RedisMutex(client, "bench", { refreshInterval: 0 });
    redisOneRate = await best(2_000, async (n) => {
      for (let i = 0; i < n; i++) {
        await mutex.acquire();
        await mutex.release();
      }
    });
    console.log(
      `redis-semaphore Mutex acquire+release (1 process): ${fmt(redisOneRate)}/s`,
    );
  } finally {
    client.disconnect();
    redis.stop();
  }
}
rmSync(dir, { recursive: true, force: true });

// The section.
const pkg = packageVersion;
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
    "8 async tasks of one thread taking one `Mutex` in turn (`lockAsync`) ≥ 1.0× `async-mutex` (Node)",
    `${fmt(tasksNode.best.ours)}/s vs ${fmt(tasksNode.best.asyncMutex)}/s (best rounds)`,
    `${tasksNode.median.asyncMutex.toFixed(2)}× (median)`,
    tasksNode.median.asyncMutex >= 1,
  ],
  ...[["Node", tasksNode], ["Deno", tasksDeno]].map(([label, t]) =>
    t.best.web === 0
      ? [
        `… ≥ 50× \`navigator.locks.request\` (${label})`,
        "no `navigator.locks`",
        "—",
        false,
      ]
      : [
        `… ≥ 50× \`navigator.locks.request\` (Web Locks, same 8 tasks; ${label})`,
        `${fmt(t.best.ours)}/s vs ${fmt(t.best.web)}/s (best rounds); per-round ${
          t.spread.web.map((r) => r.toFixed(0)).join("–")
        }×; the floor (a bare FIFO of resolvers) ${fmt(t.best.floor)}/s`,
        `${t.median.web.toFixed(1)}× (median)`,
        t.median.web >= 50,
      ]
  ),
  [
    "2 Workers contending on a `Mutex` ≥ 1.0× a hand-written `Atomics.wait`/`notify` mutex",
    `${fmt(wMutex)}/s vs ${fmt(wHand)}/s (best rounds); per-round ratios ${workersSpread}`,
    `${workersRatio.toFixed(2)}× (median)`,
    workersRatio >= 1,
  ],
  [
    "… guard-free: `mutex.withLock(fn)` ≥ 1.0× the hand-written mutex",
    `${fmt(wWith)}/s vs ${fmt(wHand)}/s (best rounds); per-round ratios ${
      withPairs[0].toFixed(2)
    }–${withPairs[ROUNDS - 1].toFixed(2)}×`,
    `${withRatio.toFixed(2)}× (median)`,
    withRatio >= 1,
  ],
  ...[
    ["`proper-lockfile`", fileRate, fileOneRate],
    [
      "`redis-semaphore`'s `Mutex` on a local redis-server",
      redisRate,
      redisOneRate,
    ],
  ].flatMap(([what, two, one]) =>
    two === 0 ? [[`2 processes vs ${what}`, "redis-server missing", "—", false]] : [
      [
        `2 processes on a region \`Mutex\` ≥ 1,000× ${what}, both taking it in turn`,
        `${fmt(regionRate)}/s vs ${fmt(two)}/s`,
        x(regionRate / two),
        regionRate >= 1000 * two,
      ],
      [
        `… and ≥ 1,000× ${what} at its best (1 process, uncontended)`,
        `${fmt(regionRate)}/s vs ${fmt(one)}/s`,
        x(regionRate / one),
        regionRate >= 1000 * one,
      ],
    ]
  ),
];
const date = new Date().toISOString().replace("T", " ").slice(0, 19);
const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "?";
const section = `## Locks

Measured ${date} UTC by \`npm run bench:locks\` (scripts/bench/locks.mjs) on ${cpu}, ${cpus().length}
cores (a machine shared with other work: figures are noisy, ratios from one run are what count);
load average ${loadBefore} at the start, ${
  loadavg().map((l) => l.toFixed(2)).join(", ")
} at the end.
Node ${process.version} (\`node:ffi\`), async-mutex ${pkg("async-mutex")}, proper-lockfile ${
  pkg("proper-lockfile")
}, redis-semaphore ${pkg("redis-semaphore")} with ioredis ${pkg("ioredis")}, ${redisVersion}.

Each figure is lock+unlock pairs per second, the best of three rounds, with its baseline measured
in the same run (2 Workers: seven paired rounds, and the target is judged on the median of the
per-round ratios; 2 processes: two rounds, one for \`proper-lockfile\`). Uncontended pairs run in one warm loop. The 2 Workers (and the 2
processes) start on one signal and each increment a plain counter under the lock \`n\` times; the
total is checked, the rate is all pairs over the wall time from start to the last finish. Between
processes every contender runs the same loop in 2 Node processes (lock, read-increment-write a
counter, unlock): the region \`Mutex\` over a region \`AtomicInt\`; \`proper-lockfile\` over a
counter file (its lock is a \`mkdir\`, checked with \`stat\`; a held lock is retried every 1–10
ms); \`redis-semaphore\` over a Redis \`INCR\` (a \`SET NX\` to take it, a Lua \`EVAL\` to
release it, retried every 1 ms while held, auto-refresh off) on Debian's \`redis-server\` on
127.0.0.1. The baselines also run uncontended in one process, their best case.

| target | measured | ratio | met |
| --- | --- | ---: | :---: |
${
  rows.map(([what, measured, ratio, ok]) => `| ${what} | ${measured} | ${ratio} | ${mark(ok)} |`)
    .join("\n")
}

- Eight async tasks of one thread (scripts/bench/locks_tasks.ts, 7 paired rounds in a process of
  its own on Node 26 and on Deno): each task awaits the lock, bumps a plain counter, releases and
  asks again, so every acquisition but the first of a round waits in the mutex's in-thread queue
  and is handed the lock by the task before it (the words stay taken while no other thread waits
  for them). The floor is a bare FIFO of promise resolvers with nothing else (no guard, no words,
  no timeout or abort handling): \`lockAsync\` runs at about a third of it, and the floor itself is
  only about 50–75× \`navigator.locks.request\` here, so the 50× target sits at the cost of one
  promise hand-over per acquisition.
- \`withLock(fn)\` is the guard-free blocking form (no guard object; the same words and wait loop).
- Uncontended, a \`Mutex\` pair is the hand-written pair plus a guard object (allocation, and the
  call through the guard's \`unlock\`); the guard is what makes \`using\` and idempotent unlock work.
- Contended, both sides sleep in \`Atomics.wait\` and wake with \`Atomics.notify\`, with the same
  three-state protocol; on 2 cores shared with other work the ratio moves with the scheduler from
  round to round (the spread above). The floor is the guard object: measured on 2026-12-04 in 9
  paired rounds of this benchmark, the \`Mutex\` protocol written inline (owner id, contended bit,
  the same waits) ran at 1.36× the hand-written mutex (median), and the same inline code allocating
  a guard object per \`lock()\` (a class with one private field, as \`MutexGuard\`) at 0.60×, like
  \`Mutex\` itself (0.63×); the lock word in the engine's memory instead of a plain
  \`SharedArrayBuffer\` measured 1.16×, and spinning before sleeping (64 or 2,000 loads) no better.
  With more work between \`unlock\` and the next \`lock\`, the unlocking Worker takes the lock again
  less often before the woken one does, and each hand-over costs a sleep and a wake. Reusing guards
  would make a stale guard's \`unlock()\` release a later hold.${
  pairs[ROUNDS - 1] < 1 ? " In this run every round was below 1.0×." : ""
}
- A region \`Mutex\` pair is two native calls (\`atomicx_mutex_enter\`: take word 0 and record the
  holder's thread id and thread start time, which owner-death recovery needs;
  \`atomicx_mutex_leave\`: clear them, release, wake a sleeper if any) plus, here, a region
  \`AtomicInt\` load and store; between 2 processes the lock's cache line also moves between cores.
  That is the floor of the 2-process figure.${
  redisOneRate > 0 && regionRate < 1000 * redisOneRate
    ? ` It stays below 1,000× \`redis-semaphore\`'s uncontended best case (${
      fmt(redisOneRate)
    }/s: one process with nobody to wait for, two loopback round trips per pair), while 2 processes taking \`redis-semaphore\`'s lock in turn manage ${
      fmt(redisRate)
    }/s.`
    : ""
}
`;
publishSection(options, "locks", section);
