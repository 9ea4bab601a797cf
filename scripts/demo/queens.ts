/**
 * The demo's workload: counting N-Queens solutions with bitmask backtracking, with the first row's
 * columns as the unit of work, and the ways of keeping the shared total that the demo compares.
 *
 * @module
 */

import type { AtomicInt, Mutex } from "../../mod.ts";

/** The number of solutions for n = 1..16 (OEIS A000170): every count the demo makes is checked. */
export const KNOWN_COUNTS: readonly number[] = [
  1,
  0,
  0,
  2,
  10,
  4,
  40,
  92,
  352,
  724,
  2680,
  14200,
  73712,
  365596,
  2279184,
  14772512,
];

/** The known count for `n` (1..16). */
export function knownCount(n: number): number {
  const count = KNOWN_COUNTS[n - 1];
  if (count === undefined) throw new RangeError(`n must be 1..${KNOWN_COUNTS.length}, got ${n}`);
  return count;
}

/** How the Workers keep the shared total. */
export type Variant =
  | "local-atomic"
  | "local-lock"
  | "lock"
  | "lock-hand"
  | "atomicx"
  | "atomics";

/** Every variant, in the order the tables show them, with the label the tables print. */
export const VARIANTS: readonly { id: Variant; label: string }[] = [
  { id: "local-atomic", label: "(a) local count, 1 AtomicInt.add per Worker" },
  { id: "local-lock", label: "(a') local count, Mutex once per Worker" },
  { id: "lock", label: "(b) Mutex per solution" },
  { id: "lock-hand", label: "(b') hand-written Atomics mutex per solution (floor)" },
  { id: "atomicx", label: "(c) AtomicInt.add per solution" },
  { id: "atomics", label: "(d) built-in Atomics.add per solution (floor)" },
];

/** The short name of each variant in the notes under the tables. */
export const SHORT: Readonly<Record<Variant, string>> = {
  "local-atomic": "(a)",
  "local-lock": "(a')",
  lock: "(b)",
  "lock-hand": "(b')",
  atomicx: "(c)",
  atomics: "(d)",
};

/**
 * Int32 slots of the control buffer every Worker of a run shares: the next first-row column to
 * claim, the start flag, the mutex word, and the two Int32 totals (lock-protected and `Atomics`).
 */
export const CLAIM = 0, START = 1, MUTEX = 2, LOCKED_TOTAL = 3, ATOMICS_TOTAL = 4;
/** Size of the control buffer, in Int32 slots. */
export const CONTROL_SLOTS = 8;

/**
 * A mutex built the way JavaScript code usually builds one: a word in a SharedArrayBuffer,
 * `Atomics.compareExchange` to take it, `Atomics.wait` to sleep while another Worker holds it and
 * `Atomics.notify` to wake one sleeper (Drepper's three-state futex mutex: 0 free, 1 held, 2 held
 * with sleepers).
 */
export function lock(words: Int32Array, at: number): void {
  let c = Atomics.compareExchange(words, at, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, at, 2);
  while (c !== 0) {
    Atomics.wait(words, at, 2);
    c = Atomics.exchange(words, at, 2);
  }
}

/** Releases the mutex {@link lock} took, waking one sleeper if there is one. */
export function unlock(words: Int32Array, at: number): void {
  if (Atomics.sub(words, at, 1) !== 1) {
    Atomics.store(words, at, 0);
    Atomics.notify(words, at, 1);
  }
}

// One solver per variant, written out rather than parameterised: each hot loop then has exactly
// one kind of update at its leaves, which the JIT compiles on its own, so no variant pays for
// another's call site. `all` has the low n bits set; `cols`, `ld` and `rd` are the columns and
// the two diagonals already attacked.

/** Counts the solutions below this partial board and returns the count (no shared state). */
export function countLocal(all: number, cols: number, ld: number, rd: number): number {
  if (cols === all) return 1;
  let found = 0;
  let free = all & ~(cols | ld | rd);
  while (free !== 0) {
    const bit = free & -free;
    free ^= bit;
    found += countLocal(all, cols | bit, ((ld | bit) << 1) & all, (rd | bit) >> 1);
  }
  return found;
}

/** Adds 1 to a plain shared Int32 under an atomicx `Mutex` for every solution. */
export function countMutex(
  all: number,
  cols: number,
  ld: number,
  rd: number,
  mutex: Mutex,
  words: Int32Array,
): void {
  if (cols === all) {
    const guard = mutex.lock();
    words[LOCKED_TOTAL]++; // a plain read and write: the mutex makes it safe
    guard.unlock();
    return;
  }
  let free = all & ~(cols | ld | rd);
  while (free !== 0) {
    const bit = free & -free;
    free ^= bit;
    countMutex(all, cols | bit, ((ld | bit) << 1) & all, (rd | bit) >> 1, mutex, words);
  }
}

/** Adds 1 to a plain shared Int32 under the hand-written mutex for every solution. */
export function countLocked(
  all: number,
  cols: number,
  ld: number,
  rd: number,
  words: Int32Array,
): void {
  if (cols === all) {
    lock(words, MUTEX);
    words[LOCKED_TOTAL]++; // a plain read and write: the mutex makes it safe
    unlock(words, MUTEX);
    return;
  }
  let free = all & ~(cols | ld | rd);
  while (free !== 0) {
    const bit = free & -free;
    free ^= bit;
    countLocked(all, cols | bit, ((ld | bit) << 1) & all, (rd | bit) >> 1, words);
  }
}

/** `AtomicInt.add(1)` for every solution. */
export function countAtomicx(
  all: number,
  cols: number,
  ld: number,
  rd: number,
  total: AtomicInt,
): void {
  if (cols === all) {
    total.add(1);
    return;
  }
  let free = all & ~(cols | ld | rd);
  while (free !== 0) {
    const bit = free & -free;
    free ^= bit;
    countAtomicx(all, cols | bit, ((ld | bit) << 1) & all, (rd | bit) >> 1, total);
  }
}

/** Built-in `Atomics.add(words, ATOMICS_TOTAL, 1)` for every solution. */
export function countAtomics(
  all: number,
  cols: number,
  ld: number,
  rd: number,
  words: Int32Array,
): void {
  if (cols === all) {
    Atomics.add(words, ATOMICS_TOTAL, 1);
    return;
  }
  let free = all & ~(cols | ld | rd);
  while (free !== 0) {
    const bit = free & -free;
    free ^= bit;
    countAtomics(all, cols | bit, ((ld | bit) << 1) & all, (rd | bit) >> 1, words);
  }
}
