/**
 * The one configuration word of a primitive with a size (semaphore permits, latch count, barrier
 * parties): `size + 1`, so that all-zero memory means "not configured yet". The first user sets it
 * with a compare-exchange; later users check that they asked for the same size.
 *
 * @module
 */

import { describe } from "../_errors.ts";
import type { LockKind } from "../handle.ts";
import { newWords, type Words } from "./_words.ts";
import { wordsFromHandle } from "../_from_handle.ts";

/** `n` after checking it is an integer in `min..max`. */
export function checkSize(
  where: string,
  what: string,
  n: unknown,
  min: number,
  max: number,
): number {
  if (typeof n !== "number") {
    throw new TypeError(`${where}: ${what} must be a number, got ${describe(n)}`);
  }
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new RangeError(`${where}: ${what} must be an integer in ${min}..${max}, got ${n}`);
  }
  return n;
}

/** Sets word `i` to `size + 1` unless already set; throws if it was set to another size. */
export function configure(
  where: string,
  what: string,
  words: Words,
  i: number,
  size: number,
): void {
  const previous = words.compareExchange(i, 0, size + 1);
  if (previous !== 0 && previous !== size + 1) {
    throw new RangeError(
      `${where}: it exists already with ${what} ${previous - 1}, not ${size}`,
    );
  }
}

/** The configured size (word `i` − 1). */
export function sizeOf(words: Words, i: number): number {
  return words.load(i) - 1;
}

/**
 * The words of a new primitive with a size (or of `words`, when opening an existing one): checks
 * `size` is an integer in `min..max` and configures it in word `i`.
 */
export function sizedWords(
  where: string,
  what: string,
  kind: LockKind,
  size: number,
  limits: { i: number; min: number; max: number },
  words?: Words,
): Words {
  checkSize(where, what, size, limits.min, limits.max);
  const w = words ?? newWords(kind);
  configure(where, what, w, limits.i, size);
  return w;
}

/** The words a handle names and the size configured in their word `i` (at least `min`). */
export function sizedFrom(
  where: string,
  kind: LockKind,
  handle: unknown,
  limits: { i: number; min: number },
): { words: Words; size: number } {
  const words = wordsFromHandle(where, kind, handle);
  return { words, size: Math.max(limits.min, sizeOf(words, limits.i)) };
}
