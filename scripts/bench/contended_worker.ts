// A Worker of the contended benchmark: waits for the start signal, then hammers one shared counter
// with the operation it is told, and reports when it is done.
import { AtomicInt } from "../../mod.ts";
import type { AtomicHandle } from "../../mod.ts";
import { serve } from "../demo/pool.ts";
import { lock, unlock } from "../demo/queens.ts";

/** One run. `words`: [start flag, lock word, lock-protected counter, Int32 counter]. */
export interface ContendedTask {
  op: "atomicx" | "atomicx-own" | "atomics-i32" | "atomics-i64" | "lock";
  iterations: number;
  words: SharedArrayBuffer;
  wide: SharedArrayBuffer;
  total: AtomicHandle<"int">;
}

await serve((message, reply) => {
  const { op, iterations: n, words: buffer, wide, total } = message as ContendedTask;
  const words = new Int32Array(buffer);
  const i64 = new BigInt64Array(wide);
  // "atomicx-own": the same loop on an atomic of this Worker's own (no sharing), for scale.
  const atomic = op === "atomicx-own" ? new AtomicInt(0) : AtomicInt.from(total);
  reply("armed");
  Atomics.wait(words, 0, 0);
  const start = performance.timeOrigin + performance.now();
  switch (op) {
    case "atomicx":
    case "atomicx-own":
      for (let i = 0; i < n; i++) atomic.add(1);
      break;
    case "atomics-i32":
      for (let i = 0; i < n; i++) Atomics.add(words, 3, 1);
      break;
    case "atomics-i64":
      for (let i = 0; i < n; i++) Atomics.add(i64, 0, 1n);
      break;
    case "lock":
      for (let i = 0; i < n; i++) {
        lock(words, 1);
        words[2]++;
        unlock(words, 1);
      }
      break;
  }
  if (op === "atomicx-own" && atomic.load() !== n) throw new Error("lost updates");
  reply({ start, end: performance.timeOrigin + performance.now() });
});
