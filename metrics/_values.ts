/**
 * The value elements of a series record, per metric type, and the one protocol that writes and
 * reads a histogram so that every scrape shows what whole observations produce.
 *
 * ```text
 * counter, gauge   [present, value]
 * histogram        [present, started, half 0: count sum bucket 0 … bucket n (+Inf),
 *                                     half 1: count sum bucket 0 … bucket n]
 * ```
 *
 * `present` is 0 for a removed series, else its place in the order of series (prom-client lists a
 * series where it was first used): a series is shown while present or holding a value (another
 * process that still has it cached may add to it after a remove; it then shows again).
 *
 * A histogram is two halves, as in the Go client (client_golang's `histogram.go`): `started` is
 * twice the observations begun plus the index of the hot half. An observation adds 2 to
 * `started`, which names the hot half, then adds 1 to that half's bucket, the value to its sum and
 * 1 to its count. A reader, holding the region's metrics mutex, flips the hot half (adds ±1 to
 * `started`), waits until the now cold half's count reaches the observations begun before the
 * flip (writers that began there finish within a few calls), reads it — exactly the state after
 * those observations — then adds it into the hot half and zeroes it. A removal is the same
 * without the adding back. Writers never wait; readers wait only for observations in flight.
 *
 * @module
 */

import type { AtomicFloatArray } from "../mod.ts";

/** Value elements of a counter or gauge series. */
export const SCALAR_VALUES = 2;
/** Offsets inside a series' values. */
export const PRESENT = 0;
export const VALUE = 1;
const STARTED = 1;
const HALVES = 2;

/** Elements of one histogram half with `bounds` finite upper bounds: count, sum, buckets. */
const halfLength = (bounds: number): number => 2 + bounds + 1;

/** Value elements of a histogram series with `bounds` finite upper bounds. */
export const histogramValues = (bounds: number): number => HALVES + 2 * halfLength(bounds);

/** A histogram series read at one moment: per-bucket (not cumulative) counts, sum and count. */
export interface HistogramReading {
  readonly buckets: number[];
  readonly sum: number;
  readonly count: number;
}

/**
 * How long a reader waits for observations in flight in the cold half. One that has not finished
 * by then was begun by a process that died (or is stopped): the reader counts it as finished.
 */
const IN_FLIGHT_TIMEOUT_MS = 250;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Records one observation of `value` in bucket `bucket` (0-based, the last is +Inf). */
export function observeInto(
  array: AtomicFloatArray,
  base: number,
  bounds: number,
  bucket: number,
  value: number,
): void {
  const half = base + HALVES + (array.add(base + STARTED, 2) % 2) * halfLength(bounds);
  array.add(half + 2 + bucket, 1);
  array.add(half + 1, value);
  array.add(half, 1);
}

/** Whether the series holds any observation. */
export function observed(array: AtomicFloatArray, base: number): boolean {
  return array.load(base + STARTED) >= 2;
}

/**
 * The observations of a histogram series so far, read whole (see the module comment); with
 * `keep` false they are removed. The caller holds the region's metrics mutex.
 */
export function collectHistogram(
  array: AtomicFloatArray,
  base: number,
  bounds: number,
  keep: boolean,
): HistogramReading {
  const length = halfLength(bounds);
  const before = array.load(base + STARTED);
  const after = array.add(base + STARTED, before % 2 === 0 ? 1 : -1) + (before % 2 === 0 ? 1 : -1);
  const begun = Math.floor(after / 2);
  const cold = base + HALVES + (1 - (after % 2)) * length;
  const hot = base + HALVES + (after % 2) * length;
  // The cold half holds every observation begun so far (the last reader added it all there).
  let finished = array.load(cold);
  if (finished < begun) {
    const deadline = performance.now() + IN_FLIGHT_TIMEOUT_MS;
    while ((finished = array.load(cold)) < begun && performance.now() < deadline) {
      Atomics.wait(sleeper, 0, 0, 0.05);
    }
    // Begun by a process that died: counted as finished from now on.
    if (finished < begun) array.add(cold, begun - finished);
  }
  const sum = array.swap(cold + 1, 0);
  const counted = array.swap(cold, 0);
  const buckets = new Array<number>(bounds + 1);
  let count = 0;
  for (let b = 0; b <= bounds; b++) count += buckets[b] = array.swap(cold + 2 + b, 0);
  if (keep) {
    array.add(hot, counted);
    array.add(hot + 1, sum);
    for (let b = 0; b <= bounds; b++) if (buckets[b] !== 0) array.add(hot + 2 + b, buckets[b]);
  } else {
    array.sub(base + STARTED, 2 * begun); // as if never begun; observations since then stay
  }
  // `_count` is the total of the buckets: equal to `counted` unless a writer counted as dead
  // finished after all, and then still the same number as the `+Inf` bucket.
  return { buckets, sum, count };
}
