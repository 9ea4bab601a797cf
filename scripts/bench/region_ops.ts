/**
 * What a region operation costs on this runtime, as a ratio to the built-in `Atomics.add` on an
 * in-process `Int32Array` measured in the same process: `int.add`, `int.load`, `Counter.add`,
 * `bool.load`, a `Mutex` lock+unlock and a `Semaphore` acquire+release, on a `SharedMemory`
 * region. `ATOMICX_REGION_VIEW=1` or `0` compares the lock words on a view of the mapping with
 * one FFI call each (ffi/_load.ts). Prints a table and (with
 * --json) writes the figures.
 *
 *   deno run -A scripts/bench/region_ops.ts [--time-ms 150] [--rounds 3] [--json out.json]
 *
 * @module
 */

import { measure } from "mitata";
import { SharedMemory } from "../../mod.ts";
import { argument, runtimeInfo, writeResult } from "./common.ts";

const minCpuTimeNs = Number(argument("time-ms", "150")) * 1e6;
const rounds = Number(argument("rounds", "3"));
const name = `bench-region-ops-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const region = SharedMemory.open(name, { capacity: 64 });
try {
  const i32 = new Int32Array(new SharedArrayBuffer(16));
  const int = region.int("i"), counter = region.counter("c"), bool = region.bool("b");
  const mutex = region.mutex("m");
  const semaphore = region.semaphore("s", 4);
  const subjects: [string, () => unknown][] = [
    ["built-in Atomics.add", () => Atomics.add(i32, 0, 1)],
    ["int.add", () => int.add(1)],
    ["int.load", () => int.load()],
    ["Counter.add", () => counter.add(1)],
    ["bool.load", () => bool.load()],
    ["Mutex lock+unlock", () => mutex.lock().unlock()],
    ["Semaphore acquire+release", () => semaphore.acquire().release()],
  ];
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (const [label, fn] of subjects) {
      const { p50 } = await measure(fn, { min_cpu_time: minCpuTimeNs });
      best.set(label, Math.min(best.get(label) ?? Infinity, p50));
    }
  }
  const base = best.get("built-in Atomics.add")!;
  const info = runtimeInfo();
  const rows = subjects.map(([label]) => ({
    op: label,
    ns: best.get(label)!,
    ratio: best.get(label)! / base,
  }));
  for (const r of rows) {
    console.log(
      `${info.label.padEnd(28)} ${r.op.padEnd(22)} ${r.ns.toFixed(1).padStart(6)} ns ${
        r.ratio.toFixed(2).padStart(6)
      }×`,
    );
  }
  writeResult(argument("json", ""), { ...info, rows });
} finally {
  region.close();
  SharedMemory.unlink(name);
}
