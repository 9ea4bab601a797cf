// A Worker of the counters benchmark: waits for the start signal, then adds to the shared
// `Counter` or `AtomicInt` it is told, and reports when it is done.
import { AtomicInt, Counter } from "../../mod.ts";
import type { AtomicHandle, CounterHandle } from "../../mod.ts";
import { serve } from "../demo/pool.ts";

/** One run: `start` is a 4-byte start flag. */
export interface CountersTask {
  op: "counter" | "atomic";
  iterations: number;
  start: SharedArrayBuffer;
  counter: CounterHandle<"counter">;
  atomic: AtomicHandle<"int">;
}

await serve((message, reply) => {
  const { op, iterations: n, start, counter, atomic } = message as CountersTask;
  const c = Counter.from(counter);
  const a = AtomicInt.from(atomic);
  reply("armed");
  Atomics.wait(new Int32Array(start), 0, 0);
  const began = performance.timeOrigin + performance.now();
  if (op === "counter") { for (let i = 0; i < n; i++) c.add(1); }
  else for (let i = 0; i < n; i++) a.add(1);
  reply({ start: began, end: performance.timeOrigin + performance.now() });
});
