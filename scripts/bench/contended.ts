/**
 * Contended throughput: 2 Workers hammer one counter at the same time, with `AtomicInt.add`, the
 * built-in `Atomics.add` (Int32Array and BigInt64Array) and a lock-protected counter, all in this
 * process. Every total is checked. Prints a table and (with --json) writes the figures.
 *
 *   deno run -A scripts/bench/contended.ts [--iterations 5000000] [--rounds 3] [--json out.json]
 *
 * @module
 */

import process from "node:process";
import { AtomicInt } from "../../mod.ts";
import { startWorkers } from "../demo/pool.ts";
import { argument, runtimeInfo, writeResult } from "./common.ts";
import type { ContendedTask } from "./contended_worker.ts";

const WORKERS = 2;
const iterations = Number(argument("iterations", "5000000"));
const rounds = Number(argument("rounds", "3"));
const info = runtimeInfo();
const ops: { op: ContendedTask["op"]; label: string; share: number }[] = [
  { op: "atomicx", label: "AtomicInt.add", share: 1 },
  { op: "atomicx-own", label: "AtomicInt.add, 1 atomic per Worker", share: 1 },
  { op: "atomics-i32", label: "Atomics.add (Int32Array)", share: 1 },
  { op: "atomics-i64", label: "Atomics.add (BigInt64Array)", share: 1 },
  // A contended futex lock is far slower per operation; fewer iterations keep the run short.
  { op: "lock", label: "lock-protected counter", share: 0.2 },
];

const pool = await startWorkers(new URL("./contended_worker.ts", import.meta.url), WORKERS);

/**
 * One run: both Workers do `n` operations. Returns operations per second (after checking the
 * total) and how much of the run the Workers' loops overlapped in time (1 = fully: if the machine
 * is busy, the OS may run them one after the other, and then nothing was contended).
 */
async function runOnce(
  op: ContendedTask["op"],
  n: number,
): Promise<{ rate: number; overlap: number }> {
  const words = new SharedArrayBuffer(16), wide = new SharedArrayBuffer(8);
  const total = new AtomicInt(0);
  const task: ContendedTask = { op, iterations: n, words, wide, total: total.handle };
  for (const w of pool) w.send(task);
  for (const w of pool) await w.next();
  const flags = new Int32Array(words);
  const started = performance.now();
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  const spans = (await Promise.all(pool.map((w) => w.next()))) as { start: number; end: number }[];
  const seconds = (performance.now() - started) / 1000;
  const end = op === "atomicx-own"
    ? n * WORKERS
    : op === "atomicx"
    ? total.load()
    : op === "atomics-i32"
    ? Atomics.load(flags, 3)
    : op === "atomics-i64"
    ? Number(Atomics.load(new BigInt64Array(wide), 0))
    : Atomics.load(flags, 2);
  if (end !== n * WORKERS) throw new Error(`${op}: total ${end}, expected ${n * WORKERS}`);
  const first = Math.min(...spans.map((s) => s.start)), last = Math.max(...spans.map((s) => s.end));
  const shared = Math.min(...spans.map((s) => s.end)) - Math.max(...spans.map((s) => s.start));
  return { rate: (n * WORKERS) / seconds, overlap: Math.max(0, shared) / (last - first) };
}

// A short warm-up run of each, then the rounds interleaved; the figure is the best round.
for (const { op } of ops) await runOnce(op, Math.ceil(iterations / 20));
// Only runs whose loops overlapped for most of their time count; the best such run is the figure.
const best = new Map<string, number>();
const overlapOf = new Map<string, number>();
for (let round = 1; round <= rounds; round++) {
  for (const { op, share } of ops) {
    const { rate, overlap } = await runOnce(op, Math.ceil(iterations * share));
    if (overlap < 0.8 && round < rounds) continue;
    if (rate > (best.get(op) ?? 0)) {
      best.set(op, rate);
      overlapOf.set(op, overlap);
    }
  }
  console.log(`  ${info.label}: contended round ${round}/${rounds} done`);
}
await Promise.all(pool.map((w) => w.terminate()));

const builtin = best.get("atomics-i32")!;
const rows = ops.map(({ op, label }) => ({
  op,
  label,
  opsPerSecond: best.get(op)!,
  nsPerOp: 1e9 / best.get(op)!,
  vsAtomicsI32: best.get(op)! / builtin,
  vsAtomicsI64: best.get(op)! / best.get("atomics-i64")!,
  vsLock: best.get(op)! / best.get("lock")!,
  overlap: overlapOf.get(op)!,
}));
for (const r of rows) {
  console.log(
    `${r.label.padEnd(28)} ${(r.opsPerSecond / 1e6).toFixed(1).padStart(6)} M ops/s  ` +
      `${r.vsAtomicsI32.toFixed(2)}× Atomics.add Int32  (loops overlapped ${
        (r.overlap * 100).toFixed(0)
      }%)`,
  );
}
writeResult(argument("json", ""), { ...info, workers: WORKERS, iterations, rows });
process.exit(0);
