/**
 * A/B of the hot operations between two trees of atomicx in one process (each a copy of the
 * library): scalar `add`/`load`, array `add`/`load`, `Counter.add` and an uncontended
 * `Mutex` lock + unlock. Rounds alternate between the trees so that both see the same machine
 * load; each figure is the median of the rounds' mitata medians, and the ratio is after / before.
 *
 *   node --experimental-ffi --no-warnings scripts/bench/memory_ab.ts --before /tmp/ab-main [--after .] [--rounds 5] [--time-ms 150] [--only before|after]
 *
 * Both trees in one process see each other's code in the same JIT; `--only` measures one tree per
 * process, for a driver that alternates processes (the figures in BENCHMARKS.md use both ways).
 *
 * @module
 */

import { do_not_optimize, measure } from "mitata";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { argument, runtimeInfo } from "./common.ts";

type Lib = typeof import("../../mod.ts");
/** `--only before|after`: load and measure one tree (a process per tree, for a driver to alternate). */
const only = argument("only", "");
const load = async (which: "before" | "after", fallback: string) =>
  only === "" || only === which
    ? await import(pathToFileURL(resolve(argument(which, fallback), "mod.ts")).href) as Lib
    : undefined;
const before = await load("before", "/tmp/ab-main");
const after = await load("after", ".");
const rounds = Number(argument("rounds", "5"));
const minCpuTimeNs = Number(argument("time-ms", "150")) * 1e6;

/** The operations, built on one copy of the library. */
function operations(lib: Lib): Record<string, () => unknown> {
  const int = new lib.AtomicInt(0);
  const array = new lib.AtomicIntArray(64);
  const counter = new lib.Counter();
  const mutex = new lib.Mutex();
  return {
    "AtomicInt.add": () => int.add(1),
    "AtomicInt.load": () => int.load(),
    "AtomicIntArray.add": () => array.add(7, 1),
    "AtomicIntArray.load": () => array.load(7),
    "Counter.add": () => counter.add(1),
    "Mutex lock+unlock": () => mutex.lock().unlock(),
  };
}

const ops = {
  before: before === undefined ? undefined : operations(before),
  after: after === undefined ? undefined : operations(after),
};
const names = Object.keys(ops.before ?? ops.after!);
const samples: Record<string, { before: number[]; after: number[] }> = {};
for (let round = 0; round < rounds; round++) {
  for (const name of names) {
    samples[name] ??= { before: [], after: [] };
    // Alternate which tree goes first, round by round.
    const order = round % 2 === 0 ? ["before", "after"] as const : ["after", "before"] as const;
    for (const which of order) {
      const fn = ops[which]?.[name];
      if (fn === undefined) continue;
      const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: minCpuTimeNs });
      samples[name][which].push(stats.p50);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const info = runtimeInfo();
console.log(`${info.label} ${info.version}, ${rounds} rounds`);
console.log(
  "operation".padEnd(22),
  "before ns".padStart(10),
  "after ns".padStart(10),
  "after/before".padStart(13),
);
for (const [name, { before, after }] of Object.entries(samples)) {
  const b = before.length > 0 ? median(before) : NaN, a = after.length > 0 ? median(after) : NaN;
  console.log(
    name.padEnd(22),
    b.toFixed(2).padStart(10),
    a.toFixed(2).padStart(10),
    (a / b).toFixed(3).padStart(13),
  );
}
