/**
 * Striped counters and arrays against single atomics, in this process:
 * - `Counter.add` with 2 Workers adding at once vs `AtomicInt.add` on one shared cell;
 * - uncontended `Counter.add` vs `AtomicInt.add` on the main thread;
 * - array element operations (`AtomicIntArray.add/load`, `AtomicFloatArray.add`) vs the same
 *   operation of the scalar class.
 * Every contended total is checked. A script, not a test: it prints ns per operation and ratios.
 *
 *   deno run -A scripts/bench/counters.ts [--iterations 2000000] [--rounds 3]
 *
 * @module
 */

import { AtomicFloat, AtomicFloatArray, AtomicInt, AtomicIntArray, Counter } from "../../mod.ts";
import { startWorkers } from "../demo/pool.ts";
import { argument, runtimeInfo, writeResult } from "./common.ts";
import type { CountersTask } from "./counters_worker.ts";

const WORKERS = 2;
const iterations = Number(argument("iterations", "2000000"));
const rounds = Number(argument("rounds", "3"));

/** Each contended run's overlap, printed with the figures. */
const overlaps: string[] = [];
const pool = await startWorkers(new URL("./counters_worker.ts", import.meta.url), WORKERS);

/** Both Workers add `n` times; returns million adds per second (after checking the total). */
async function contended(op: CountersTask["op"], n: number): Promise<number> {
  const start = new SharedArrayBuffer(4);
  const counter = new Counter();
  const atomic = new AtomicInt(0);
  const task: CountersTask = {
    op,
    iterations: n,
    start,
    counter: counter.handle,
    atomic: atomic.handle,
  };
  for (const w of pool) w.send(task);
  for (const w of pool) await w.next();
  const began = performance.now();
  Atomics.store(new Int32Array(start), 0, 1);
  Atomics.notify(new Int32Array(start), 0);
  const spans = (await Promise.all(pool.map((w) => w.next()))) as { start: number; end: number }[];
  const seconds = (performance.now() - began) / 1000;
  // How much of the run the loops overlapped (1 = fully; a busy machine may run them in turn).
  const first = Math.min(...spans.map((s) => s.start));
  const last = Math.max(...spans.map((s) => s.end));
  const shared = Math.min(...spans.map((s) => s.end)) - Math.max(...spans.map((s) => s.start));
  overlaps.push(`${op} ${(Math.max(0, shared) / (last - first)).toFixed(2)}`);
  const total = op === "counter" ? counter.sum() : atomic.load();
  if (total !== n * WORKERS) throw new Error(`${op}: total ${total}, expected ${n * WORKERS}`);
  return (n * WORKERS) / seconds / 1e6;
}

/**
 * ns per operation of `loop(n)`, which runs `n` operations in a loop of its own (so that each
 * measured call site sees one function): the best of `rounds`.
 */
function timed(n: number, loop: (n: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const began = performance.now();
    loop(n);
    best = Math.min(best, ((performance.now() - began) * 1e6) / n);
  }
  return best;
}

const info = runtimeInfo();
console.log(`${info.label} ${info.version}: ${iterations} iterations, best of ${rounds}`);

await contended("counter", iterations / 20);
await contended("atomic", iterations / 20);
let counterRate = 0;
let atomicRate = 0;
for (let r = 0; r < rounds; r++) {
  counterRate = Math.max(counterRate, await contended("counter", iterations));
  atomicRate = Math.max(atomicRate, await contended("atomic", iterations));
}
console.log(
  `2 Workers contending: Counter.add ${counterRate.toFixed(1)} M/s, AtomicInt.add ` +
    `${atomicRate.toFixed(1)} M/s: ${(counterRate / atomicRate).toFixed(2)}× (target ≥ 3×)`,
);
console.log(`overlap of the Workers' loops per run: ${overlaps.join(", ")}`);
for (const w of pool) w.terminate();

const counter = new Counter();
const atomic = new AtomicInt(0);
const ints = new AtomicIntArray(8);
const floats = new AtomicFloatArray(8);
const float = new AtomicFloat(0);
const rows: [string, number, number, string][] = [];
for (let r = 0; r < 2; r++) { // the first pass warms up every loop
  rows.length = 0;
  const a = timed(iterations, (n) => {
    for (let i = 0; i < n; i++) atomic.add(1);
  });
  rows.push([
    "Counter.add vs AtomicInt.add (uncontended)",
    timed(iterations, (n) => {
      for (let i = 0; i < n; i++) counter.add(1);
    }),
    a,
    "≤ 1.5×",
  ]);
  rows.push([
    "AtomicIntArray.add(i) vs AtomicInt.add",
    timed(iterations, (n) => {
      for (let i = 0; i < n; i++) ints.add(i & 7, 1);
    }),
    a,
    "≤ 1.1×",
  ]);
  rows.push([
    "AtomicIntArray.load(i) vs AtomicInt.load",
    timed(iterations, (n) => {
      for (let i = 0; i < n; i++) ints.load(i & 7);
    }),
    timed(iterations, (n) => {
      for (let i = 0; i < n; i++) atomic.load();
    }),
    "≤ 1.1×",
  ]);
  rows.push([
    "AtomicFloatArray.add(i) vs AtomicFloat.add",
    timed(iterations, (n) => {
      for (let i = 0; i < n; i++) floats.add(i & 7, 0.5);
    }),
    timed(iterations, (n) => {
      for (let i = 0; i < n; i++) float.add(0.5);
    }),
    "≤ 1.1×",
  ]);
}
for (const [name, x, y, target] of rows) {
  console.log(
    `${name}: ${x.toFixed(2)} ns vs ${y.toFixed(2)} ns: ${(x / y).toFixed(2)}× (target ${target})`,
  );
}
writeResult(argument("json", ""), {
  ...info,
  contended: { counter: counterRate, atomic: atomicRate, overlaps },
  rows: rows.map(([name, ns, baselineNs, target]) => ({ name, ns, baselineNs, target })),
});
