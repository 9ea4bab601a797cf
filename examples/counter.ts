// A counter shared by four Workers: each adds 100 000, and the total is exact.
//
//   deno run --allow-ffi --allow-read examples/counter.ts
//   bun examples/counter.ts
//   node --experimental-ffi examples/counter.ts      (Node 26+: the built-in node:ffi)
//
// Node 20 to 24 cannot start a TypeScript Worker (tsx does not reach Workers there): on those,
// write the program as JavaScript importing "atomicx", as the npm package's users do.
//
// In your own project import from "atomicx" (npm) or "jsr:@atomicx/atomicx" instead of "../mod.ts".
import process from "node:process";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { AtomicInt } from "../mod.ts";

const WORKERS = 4;
const ROUNDS = 100_000;

if (isMainThread) {
  const hits = new AtomicInt(0);
  // The handle is plain data: hand it to each Worker, which rebuilds the same atomic.
  const workers = Array.from(
    { length: WORKERS },
    () => new Worker(new URL(import.meta.url), { workerData: hits.handle }),
  );
  await Promise.all(workers.map((w) => new Promise((done) => w.once("exit", done))));
  console.log(`${WORKERS} Workers × ${ROUNDS} increments: ${hits}`); // AtomicInt 400000
  if (hits.load() !== WORKERS * ROUNDS) {
    console.error(`expected ${WORKERS * ROUNDS}`);
    process.exit(1);
  }
} else {
  const hits = AtomicInt.from(workerData);
  for (let i = 0; i < ROUNDS; i++) hits.inc();
}
