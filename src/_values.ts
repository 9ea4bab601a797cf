/**
 * The checks of the values the atomic classes and their arrays accept, one per kind: each returns
 * the value in the engine's encoding or throws the `TypeError`/`RangeError` of `src/_errors.ts`.
 * Shared by the scalar class and the array of each kind, so both reject the same inputs in the
 * same words.
 *
 * @module
 */

import { notInt64, notSafeInteger, wrongType } from "./_errors.ts";

/**
 * `value` after checking that it is a safe integer (what `AtomicInt` holds).
 *
 * @example
 * ```ts
 * import { safeInteger } from "./_values.ts";
 *
 * safeInteger("AtomicInt.add", 5); // 5
 * // safeInteger("AtomicInt.add", 0.5) throws RangeError
 * ```
 */
export function safeInteger(where: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw notSafeInteger(where, value);
  return value;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * `value` after checking that it is a bigint within the signed 64-bit range.
 *
 * @example
 * ```ts
 * import { int64 } from "./_values.ts";
 *
 * int64("AtomicBigInt.add", -1n); // -1n
 * // int64("AtomicBigInt.add", 2n ** 63n) throws RangeError
 * ```
 */
export function int64(where: string, value: bigint): bigint {
  if (typeof value !== "bigint" || value < MIN_INT64 || value > MAX_INT64) {
    throw notInt64(where, value);
  }
  return value;
}

/**
 * `value` as the word 0 or 1, after checking that it is a boolean.
 *
 * @example
 * ```ts
 * import { boolWord } from "./_values.ts";
 *
 * boolWord("AtomicBool.store", true); // 1
 * ```
 */
export function boolWord(where: string, value: boolean): number {
  if (typeof value !== "boolean") throw wrongType(where, "boolean", value);
  return value ? 1 : 0;
}

/**
 * `value` after checking that it is a number.
 *
 * @example
 * ```ts
 * import { float64 } from "./_values.ts";
 *
 * float64("AtomicFloat.add", 0.5); // 0.5
 * ```
 */
export function float64(where: string, value: number): number {
  if (typeof value !== "number") throw wrongType(where, "number", value);
  return value;
}
