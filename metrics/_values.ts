/**
 * The value elements of a series record, per metric type, and the one protocol that writes and
 * reads a histogram so that every scrape shows what whole observations produce.
 *
 * ```text
 * counter, gauge   [present, value]
 * histogram        [present, generation, started, finished, sum, bucket 0 … bucket n (+Inf)]
 * ```
 *
 * `present` is 1 once a process used the series and 0 after `remove()`/`reset()`: a series is
 * shown while it is present or holds a non-zero value (another process that still has it cached
 * may add to it after a remove; it then shows again).
 *
 * A histogram observation adds 1 to `started`, 1 to its bucket, the value to `sum`, then 1 to
 * `finished`. A reader loads `generation` and `finished`, then the buckets and the sum, then
 * `started` and `generation` again: if nothing was in flight (`started` equals `finished`, or
 * differs only by what processes that died inside an observation left behind) and no removal ran
 * (`generation` even and unchanged), what it read is exactly the state after `finished` whole
 * observations. Removals (under the region's metrics mutex) make `generation` odd while they
 * subtract a consistent reading from every element, so observations that land meanwhile survive.
 *
 * @module
 */

import type { AtomicFloatArray } from "../mod.ts";

/** Value elements of a counter or gauge series. */
export const SCALAR_VALUES = 2;
/** Offsets inside a series' values. */
export const PRESENT = 0;
export const VALUE = 1;
export const GENERATION = 1;
export const STARTED = 2;
export const FINISHED = 3;
export const SUM = 4;
export const BUCKETS = 5;

/** Value elements of a histogram series with `bounds` finite upper bounds. */
export const histogramValues = (bounds: number): number => BUCKETS + bounds + 1;

/** A histogram series read at one moment: per-bucket (not cumulative) counts, sum and count. */
export interface HistogramReading {
  readonly buckets: number[];
  readonly sum: number;
  readonly count: number;
}

/** How long a reader waits for observations in flight before it reads what is there. */
const READ_BUDGET_MS = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** What a reader remembers about one histogram series. */
export interface ReadMemory {
  /**
   * `started − finished` left by processes that died inside an observation (learned when the
   * read budget ran out), accepted as "nothing in flight" from then on.
   */
  deadGap: number;
}

/** Records one observation of `value` in bucket `bucket` (0-based, the last is +Inf). */
export function observeInto(
  array: AtomicFloatArray,
  base: number,
  bucket: number,
  value: number,
): void {
  array.add(base + STARTED, 1);
  array.add(base + BUCKETS + bucket, 1);
  array.add(base + SUM, value);
  array.add(base + FINISHED, 1);
}

/**
 * A consistent reading of a histogram series (see the module comment). Retries while an
 * observation or a removal is in flight, sleeping briefly so a descheduled writer can finish;
 * after {@link READ_BUDGET_MS} it takes the buckets as they are, with `count` their total (the
 * `+Inf` bucket and `_count` then still agree), and remembers the gap.
 */
export function readHistogram(
  array: AtomicFloatArray,
  base: number,
  bounds: number,
  memory: ReadMemory,
): HistogramReading {
  const buckets = new Array<number>(bounds + 1);
  let deadline = 0;
  for (let attempt = 0;; attempt++) {
    const before = array.load(base + GENERATION);
    const finished = array.load(base + FINISHED);
    let total = 0;
    for (let b = 0; b <= bounds; b++) total += buckets[b] = array.load(base + BUCKETS + b);
    const sum = array.load(base + SUM);
    const gap = array.load(base + STARTED) - finished;
    const after = array.load(base + GENERATION);
    const settled = before === after && before % 2 === 0;
    if (settled && gap === 0) return { buckets, sum, count: finished };
    // What the dead left behind: their bucket may be counted without their `finished`.
    if (settled && gap === memory.deadGap) return { buckets, sum, count: total };
    if (attempt < 8) continue;
    const now = performance.now();
    if (deadline === 0) deadline = now + READ_BUDGET_MS;
    else if (now >= deadline) {
      if (settled) memory.deadGap = gap;
      return { buckets, sum, count: total };
    }
    Atomics.wait(sleeper, 0, 0, 0.05);
  }
}
