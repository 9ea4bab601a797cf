#!/usr/bin/env node
// `node --experimental-ffi scripts/bench/locks.mjs`: lock figures as ratios against baselines run
// in the same process: uncontended lock+unlock vs a hand-written Atomics CAS mutex; lockAsync vs
// async-mutex; 2 Workers contending vs a hand-written Atomics.wait/notify mutex; 2 processes on a
// region Mutex vs proper-lockfile. Prints the figures; writes nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Worker } from "node:worker_threads";
import { Mutex as AsyncMutex } from "async-mutex";
import lockfile from "proper-lockfile";
import { Mutex, SharedMemory } from "../../mod.ts";

const rate = (n, ms) => (n / ms) * 1000;
const fmt = (x) => x.toExponential(2);

/** Runs `fn(n)` and returns operations per second (best of 3). */
async function measure(n, fn) {
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await fn(n);
    best = Math.max(best, rate(n, performance.now() - t0));
  }
  return best;
}

// 1. Uncontended.
const m = new Mutex();
const hand = new Int32Array(new SharedArrayBuffer(4));
const N = 2_000_000;
const mutexRate = await measure(N, (n) => {
  for (let i = 0; i < n; i++) m.lock().unlock();
});
const handRate = await measure(N, (n) => {
  for (let i = 0; i < n; i++) {
    while (Atomics.compareExchange(hand, 0, 0, 1) !== 0);
    Atomics.store(hand, 0, 0);
  }
});
console.log(
  `uncontended lock+unlock: Mutex ${fmt(mutexRate)}/s, hand CAS ${fmt(handRate)}/s, ` +
    `cost ratio ${(handRate / mutexRate).toFixed(2)}×`,
);

// 2. lockAsync vs async-mutex.
const am = new AsyncMutex();
const NA = 200_000;
const asyncRate = await measure(NA, async (n) => {
  for (let i = 0; i < n; i++) (await m.lockAsync()).unlock();
});
const amRate = await measure(NA, async (n) => {
  for (let i = 0; i < n; i++) (await am.acquire())();
});
console.log(
  `lockAsync ${fmt(asyncRate)}/s vs async-mutex ${fmt(amRate)}/s: ` +
    `${(asyncRate / amRate).toFixed(2)}×`,
);

// 3. 2 Workers contending.
const workerSource = `
import { workerData, parentPort } from "node:worker_threads";
const { kind, handle, buffer, n } = workerData;
const data = new Int32Array(buffer);
const { Mutex } = await import(${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)});
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
const dir = mkdtempSync(join(tmpdir(), "locks-bench-"));
const workerFile = join(dir, "w.mjs");
writeFileSync(workerFile, workerSource);
async function contended(kind, n) {
  const buffer = new SharedArrayBuffer(12);
  const data = new Int32Array(buffer);
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
  Atomics.store(data, 2, 1);
  Atomics.notify(data, 2);
  await done;
  const ms = performance.now() - t0;
  await Promise.all(workers.map((w) => w.terminate()));
  if (new Int32Array(buffer)[1] !== 2 * n) throw new Error(`${kind}: lost updates`);
  return rate(2 * n, ms);
}
const NW = 500_000;
const wMutex = await contended("mutex", NW);
const wHand = await contended("hand", NW);
console.log(
  `2 Workers contending: Mutex ${fmt(wMutex)}/s, hand wait/notify ${fmt(wHand)}/s: ` +
    `${(wMutex / wHand).toFixed(2)}×`,
);

// 4. 2 processes: region Mutex (this process and one child take it in turn) vs proper-lockfile.
const name = `locks-bench-${process.pid}`;
const region = SharedMemory.open(name, { only: "create" });
const rm = region.mutex("m");
const NP = 200_000;
const childSource = `
import { SharedMemory } from ${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)};
const r = SharedMemory.open(${JSON.stringify(name)}, { only: "attach" });
const m = r.mutex("m");
for (let i = 0; i < ${NP}; i++) m.lock().unlock();
r.close();`;
const childFile = join(dir, "c.ts");
writeFileSync(childFile, childSource);
const t0 = performance.now();
const child = spawn(process.execPath, ["--experimental-ffi", "--no-warnings", childFile], {
  stdio: "inherit",
});
for (let i = 0; i < NP; i++) rm.lock().unlock();
await new Promise((resolve) => child.on("close", resolve));
const regionRate = rate(2 * NP, performance.now() - t0);
region.close();
SharedMemory.unlink(name);
const lockTarget = join(dir, "target");
writeFileSync(lockTarget, "");
const NL = 200;
const fileRate = await measure(NL, async (n) => {
  for (let i = 0; i < n; i++) await (await lockfile.lock(lockTarget, { realpath: false }))();
});
console.log(
  `2 processes on a region Mutex ${fmt(regionRate)}/s vs proper-lockfile (1 process) ` +
    `${fmt(fileRate)}/s: ${(regionRate / fileRate).toFixed(0)}×`,
);
rmSync(dir, { recursive: true, force: true });
