/**
 * Memory per atomic: the resident memory that 200,000 retained `AtomicInt`s add (bytes each), and
 * how much making and dropping 2,000,000 atomics grows the process once garbage is collected.
 * Needs a collector it can call: `--expose-gc` on Node, `--v8-flags=--expose-gc` on Deno, Bun.gc.
 *
 *   node --expose-gc --import tsx scripts/bench/memory.ts [--json out.json]
 *
 * @module
 */

import process from "node:process";
import { AtomicInt, info } from "../../mod.ts";
import { argument, runtimeInfo, writeResult } from "./common.ts";

const gc = (globalThis as { gc?: () => void }).gc ??
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc.bind(null, true);
if (gc === undefined) throw new Error("run with a collector exposed (--expose-gc)");

/** Resident memory after collecting (twice, and a turn for finalizers in between). */
async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().rss;
}

new AtomicInt(0); // the engine and its memory exist before the baseline
const RETAINED = 200_000;
const before = await settledRss();
const kept: AtomicInt[] = new Array(RETAINED); // allocated up front: no growth garbage
for (let i = 0; i < RETAINED; i++) kept[i] = new AtomicInt(i);
const after = await settledRss();
// The array of references itself (8 bytes a slot) is not the atomics' cost.
const perAtomic = (after - before) / RETAINED - 8;
if (kept[RETAINED - 1].load() !== RETAINED - 1) throw new Error("lost a value");
kept.length = 0;

const CHURN = 2_000_000;
const beforeChurn = await settledRss();
for (let made = 0; made < CHURN; made += 100_000) {
  for (let i = 0; i < 100_000; i++) new AtomicInt(i).inc();
  await settledRss();
}
const churnGrowth = (await settledRss()) - beforeChurn;

const out = {
  ...runtimeInfo(),
  retained: RETAINED,
  bytesPerAtomic: perAtomic,
  churned: CHURN,
  churnGrowthBytes: churnGrowth,
  engineMemoryBytes: info().memoryBytes,
};
console.log(
  `${out.label}: ${perAtomic.toFixed(0)} bytes per retained AtomicInt; ` +
    `${(churnGrowth / 2 ** 20).toFixed(1)} MiB growth after making and dropping 2 M ` +
    `(engine memory ${(out.engineMemoryBytes / 2 ** 20).toFixed(1)} MiB)`,
);
writeResult(argument("json", ""), out);
