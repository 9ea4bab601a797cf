// A running total and a running maximum of floating-point samples, fed by three Workers at once:
// `AtomicFloat.add` and `fetchMax` are single atomic operations, so no update is ever lost.
// (`Atomics` has no floating-point operations at all.)
//
//   deno run --allow-ffi --allow-read examples/float_accumulator.ts
//   bun examples/float_accumulator.ts
//   node --experimental-ffi examples/float_accumulator.ts      (Node 26+: the built-in node:ffi)
//
// Node 20 to 24 cannot start a TypeScript Worker (tsx does not reach Workers there): on those,
// write the program as JavaScript importing "atomicx", as the npm package's users do.
import process from "node:process";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { AtomicFloat, type AtomicHandle, AtomicInt } from "../mod.ts";

const WORKERS = 3;
const SAMPLES = 20_000;

/** Worker `w`'s `i`-th sample: multiples of 1/8 add up exactly in binary64. */
const sample = (w: number, i: number) => ((w * SAMPLES + i) % 1000) / 8;

interface Task {
  worker: number;
  total: AtomicHandle<"float">;
  peak: AtomicHandle<"float">;
  count: AtomicHandle<"int">;
}

if (isMainThread) {
  const total = new AtomicFloat(0);
  const peak = new AtomicFloat(-Infinity);
  const count = new AtomicInt(0);
  const workers = Array.from(
    { length: WORKERS },
    (_, worker) =>
      new Worker(new URL(import.meta.url), {
        workerData: { worker, total: total.handle, peak: peak.handle, count: count.handle },
      }),
  );
  await Promise.all(workers.map((w) => new Promise((done) => w.once("exit", done))));

  let expectedTotal = 0;
  let expectedPeak = -Infinity;
  for (let w = 0; w < WORKERS; w++) {
    for (let i = 0; i < SAMPLES; i++) {
      expectedTotal += sample(w, i);
      expectedPeak = Math.max(expectedPeak, sample(w, i));
    }
  }
  console.log(`samples ${count}, total ${total}, peak ${peak}, mean ${+total / +count}`);
  if (
    count.load() !== WORKERS * SAMPLES || total.load() !== expectedTotal ||
    peak.load() !== expectedPeak
  ) {
    console.error(
      `expected ${WORKERS * SAMPLES} samples, total ${expectedTotal}, peak ${expectedPeak}`,
    );
    process.exit(1);
  }
} else {
  const task = workerData as Task;
  const total = AtomicFloat.from(task.total);
  const peak = AtomicFloat.from(task.peak);
  const count = AtomicInt.from(task.count);
  for (let i = 0; i < SAMPLES; i++) {
    const value = sample(task.worker, i);
    total.add(value);
    peak.fetchMax(value);
    count.inc();
  }
}
