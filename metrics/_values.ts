/**
 * The value elements of a series record, per metric type, and the one protocol that writes and
 * reads a histogram so that every scrape shows what whole observations produce.
 *
 * ```text
 * counter, gauge   [present, value]
 * histogram        [present, started, dead, half 0: count sum bucket 0 … bucket n (+Inf),
 *                                           half 1: count sum bucket 0 … bucket n]
 * ```
 *
 * `present` is 0 for a removed series, else its place in the order of series (prom-client lists a
 * series where it was first used): a series is shown while present or holding a value (another
 * process that still has it cached may add to it after a remove; it then shows again).
 *
 * A histogram is two halves, after the Go client (client_golang's `histogram.go`): `started` is
 * twice the observations begun plus the index of the hot half. An observation adds 2 to
 * `started`, which names the hot half, then adds 1 to that half's bucket, the value to its sum and
 * 1 to its count. Writers never wait. A reader, holding the region's metrics mutex, reads the cold
 * half (settled: the previous reader waited for it), flips the hot half (adds ±1 to `started`),
 * waits until the two halves' counts reach the observations begun before the flip (the writers
 * still in flight finish within a few calls), and reads the now cold half: the sum of the two
 * readings is exactly the state after those observations. A reader writes nothing but the flip, so
 * one killed mid-way loses nothing. An observation begun by a process that died before finishing
 * it is counted in `dead` once a reader has waited a second for it. A removal subtracts a reading.
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
const DEAD = 2;
const HALVES = 3;

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
 * How long a reader waits for observations in flight. One that has not finished by then was begun
 * by a process that died (or is stopped): the reader counts it as dead. Long enough that a writer
 * only descheduled on a loaded machine finishes first (250 ms was not, at a load average of 10
 * on 2 cores: that scrape then showed a `_sum` one observation short).
 */
const IN_FLIGHT_TIMEOUT_MS = 1000;
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

/** One half's count, sum and buckets, added into `into` (loads only). */
function readHalf(array: AtomicFloatArray, half: number, bounds: number, into: number[]) {
  into[0] += array.load(half);
  into[1] += array.load(half + 1);
  for (let b = 0; b <= bounds; b++) into[2 + b] += array.load(half + 2 + b);
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
  const halfAt = (i: number) => base + HALVES + i * length;
  const before = array.load(base + STARTED);
  const hot = before % 2;
  // The cold half is settled: read it, then make it the hot one.
  const total = new Array<number>(length).fill(0);
  readHalf(array, halfAt(1 - hot), bounds, total);
  const settled = total[0];
  const delta = hot === 0 ? 1 : -1;
  const after = array.add(base + STARTED, delta) + delta;
  const cold = halfAt(hot);
  const begun = Math.floor(after / 2) - array.load(base + DEAD);
  let finished = settled + array.load(cold);
  if (finished < begun) {
    const deadline = performance.now() + IN_FLIGHT_TIMEOUT_MS;
    while ((finished = settled + array.load(cold)) < begun && performance.now() < deadline) {
      Atomics.wait(sleeper, 0, 0, 0.05);
    }
  }
  // Begun by a process that died: counted as dead from now on (and given back if it finishes).
  if (finished !== begun) {
    array.add(base + DEAD, Math.max(begun - finished, -array.load(base + DEAD)));
  }
  readHalf(array, cold, bounds, total);
  const buckets = total.slice(2);
  const count = buckets.reduce((a, b) => a + b, 0);
  if (!keep) {
    // Subtract what was read from both halves (the hot one may be taking adds meanwhile: atomic
    // subtractions keep them) and from `started`, as if those observations were never begun.
    const settledHalf = new Array<number>(length).fill(0);
    readHalf(array, cold, bounds, settledHalf);
    subtract(array, cold, settledHalf);
    subtract(array, halfAt(1 - hot), total.map((v, i) => v - settledHalf[i]));
    array.sub(base + STARTED, 2 * total[0]);
  }
  // `_count` is the total of the buckets: the same as the counts read unless a writer counted as
  // dead finished after all; the `+Inf` bucket and `_count` then still agree.
  return { buckets, sum: total[1], count };
}

function subtract(array: AtomicFloatArray, half: number, values: number[]): void {
  values.forEach((v, i) => v !== 0 && array.sub(half + i, v));
}
