/**
 * `AtomicBigIntArray`: a fixed-length array of `AtomicBigInt` elements in one block of memory.
 * (Why its element methods repeat the shape of the other arrays' and the scalar classes': see
 * the top of `int.ts`.)
 *
 * @module
 */

import type { BigIntOps } from "../../engine/_ops.ts";
import { int64 } from "../_values.ts";
import { divisionByZero, notFunction } from "../_errors.ts";
import { construct } from "../_storage.ts";
import { AtomicBigInt } from "../bigint.ts";
import { adoptArray, type ArrayHandle, arrayOf, AtomicArrayBase, badIndex } from "./_base.ts";

/**
 * A fixed-length array of 64-bit signed atomic integers in `bigint`s with wrapping arithmetic:
 * every operation of {@link AtomicBigInt} with the element's index first. An index that is not an
 * integer in `[0, length)` throws `RangeError` (`TypeError` for a non-number) and changes nothing.
 *
 * @example Byte totals per route
 * ```ts
 * import { AtomicBigIntArray } from "@atomicx/atomicx";
 *
 * const bytes = new AtomicBigIntArray(3);
 * bytes.add(0, 2n ** 40n);
 * console.log(bytes.load(0)); // 1099511627776n
 * ```
 */
export class AtomicBigIntArray extends AtomicArrayBase<bigint, "bigintArray"> {
  readonly #ops: BigIntOps;
  readonly #base: number;
  readonly #length: number;

  /**
   * A new array of `length` zeros in this process's shared memory.
   *
   * @throws {TypeError} if `length` is not a number
   * @throws {RangeError} if `length` is not an integer in [0, 2^27]
   */
  constructor(length: number);
  constructor(length: number, block?: unknown) {
    super("bigintArray", length, block);
    this.#ops = this.block.space.bigint;
    this.#base = this.block.base;
    this.#length = length;
  }

  /**
   * A new array holding `values`.
   *
   * @example From values
   * ```ts
   * import { AtomicBigIntArray } from "@atomicx/atomicx";
   *
   * console.log(AtomicBigIntArray.of(1n, -2n).toArray()); // [1n, -2n]
   * ```
   * @throws {TypeError} / {RangeError} if a value is not a 64-bit signed bigint
   */
  static of(...values: bigint[]): AtomicBigIntArray {
    return arrayOf(AtomicBigIntArray, "bigintArray", values, int64);
  }

  /**
   * The array a handle describes, e.g. one received from another Worker.
   *
   * @example Same array, two objects
   * ```ts
   * import { AtomicBigIntArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicBigIntArray(1);
   * AtomicBigIntArray.from(a.handle).inc(0);
   * console.log(a.load(0)); // 1n
   * ```
   * @throws {TypeError} if `handle` is not a `bigintArray` handle
   * @throws {RangeError} if its offset is misaligned or its elements lie outside its memory
   */
  static from(handle: ArrayHandle<"bigintArray">): AtomicBigIntArray {
    return adoptArray(AtomicBigIntArray, handle, "bigintArray");
  }

  /** Element `i` as an `AtomicBigInt` on the same memory (which then stays reserved). */
  at(i: number): AtomicBigInt {
    return construct(AtomicBigInt, [undefined], this.cellAt(i));
  }

  /** Reads element `i`. */
  load(i: number): bigint {
    const where = "AtomicBigIntArray.load";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.load(this.#base + i * 8);
  }

  /** Stores `value` in element `i`. */
  store(i: number, value: bigint): void {
    const where = "AtomicBigIntArray.store";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    this.#ops.store(this.#base + i * 8, int64(where, value));
  }

  /** Stores `value` in element `i`; returns the previous value. */
  swap(i: number, value: bigint): bigint {
    const where = "AtomicBigIntArray.swap";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.swap(this.#base + i * 8, int64(where, value));
  }

  /**
   * Stores `replacement` in element `i` if it is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(i: number, expected: bigint, replacement: bigint): [boolean, bigint] {
    const where = "AtomicBigIntArray.compareExchange";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    int64(where, expected);
    int64(where, replacement);
    const previous = this.#ops.compareExchange(this.#base + i * 8, expected, replacement);
    return [previous === expected, previous];
  }

  /** Replaces element `i` with `fn(value)` atomically; returns the new value (`fn` may rerun). */
  update(i: number, fn: (value: bigint) => bigint): bigint {
    const where = "AtomicBigIntArray.update";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (typeof fn !== "function") throw notFunction(where, fn);
    const loc = this.#base + i * 8;
    for (;;) {
      const current = this.#ops.load(loc);
      const next = int64(`${where} callback`, fn(current));
      if (this.#ops.compareExchange(loc, current, next) === current) return next;
    }
  }

  /** Adds `delta` to element `i` (wrapping); returns the previous value. */
  add(i: number, delta: bigint): bigint {
    const where = "AtomicBigIntArray.add";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.add(this.#base + i * 8, int64(where, delta));
  }

  /** Subtracts `delta` from element `i` (wrapping); returns the previous value. */
  sub(i: number, delta: bigint): bigint {
    const where = "AtomicBigIntArray.sub";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.sub(this.#base + i * 8, int64(where, delta));
  }

  /** Multiplies element `i` by `factor` (wrapping); returns the previous value. */
  mul(i: number, factor: bigint): bigint {
    const where = "AtomicBigIntArray.mul";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.mul(this.#base + i * 8, int64(where, factor));
  }

  /**
   * Divides element `i` by `divisor`, truncating; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged)
   */
  div(i: number, divisor: bigint): bigint {
    const where = "AtomicBigIntArray.div";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (int64(where, divisor) === 0n) throw divisionByZero(where);
    return this.#ops.div(this.#base + i * 8, divisor);
  }

  /** Adds 1 to element `i` (wrapping); returns the previous value. */
  inc(i: number): bigint {
    const where = "AtomicBigIntArray.inc";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.add(this.#base + i * 8, 1n);
  }

  /** Subtracts 1 from element `i` (wrapping); returns the previous value. */
  dec(i: number): bigint {
    const where = "AtomicBigIntArray.dec";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.sub(this.#base + i * 8, 1n);
  }

  /** Stores the larger of element `i` and `other`; returns the previous value. */
  fetchMax(i: number, other: bigint): bigint {
    const where = "AtomicBigIntArray.fetchMax";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.max(this.#base + i * 8, int64(where, other));
  }

  /** Stores the smaller of element `i` and `other`; returns the previous value. */
  fetchMin(i: number, other: bigint): bigint {
    const where = "AtomicBigIntArray.fetchMin";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.min(this.#base + i * 8, int64(where, other));
  }

  /** Bitwise AND on element `i`; returns the previous value. */
  fetchAnd(i: number, bits: bigint): bigint {
    const where = "AtomicBigIntArray.fetchAnd";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.and(this.#base + i * 8, int64(where, bits));
  }

  /** Bitwise OR on element `i`; returns the previous value. */
  fetchOr(i: number, bits: bigint): bigint {
    const where = "AtomicBigIntArray.fetchOr";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.or(this.#base + i * 8, int64(where, bits));
  }

  /** Bitwise XOR on element `i`; returns the previous value. */
  fetchXor(i: number, bits: bigint): bigint {
    const where = "AtomicBigIntArray.fetchXor";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.xor(this.#base + i * 8, int64(where, bits));
  }
}
