/**
 * `AtomicFloatArray`: a fixed-length array of `AtomicFloat` elements in one block of memory.
 * (Why its element methods repeat the shape of the other arrays' and the scalar classes': see
 * the top of `int.ts`.)
 *
 * @module
 */

import type { FloatOps } from "../../engine/_ops.ts";
import { float64 } from "../_values.ts";
import { divisionByZero, notFunction } from "../_errors.ts";
import { construct } from "../_storage.ts";
import { AtomicFloat } from "../float.ts";
import { adoptArray, type ArrayHandle, arrayOf, AtomicArrayBase, badIndex } from "./_base.ts";

/**
 * A fixed-length array of atomic 64-bit floats: every operation of {@link AtomicFloat} with the
 * element's index first. An index that is not an integer in `[0, length)` throws `RangeError`
 * (`TypeError` for a non-number) and changes nothing.
 *
 * @example A latency sum per route
 * ```ts
 * import { AtomicFloatArray } from "@atomicx/atomicx";
 *
 * const seconds = new AtomicFloatArray(2);
 * seconds.add(1, 0.25);
 * seconds.add(1, 0.5);
 * console.log(seconds.load(1)); // 0.75
 * ```
 */
export class AtomicFloatArray extends AtomicArrayBase<number, "floatArray"> {
  readonly #ops: FloatOps;
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
    super("floatArray", length, block);
    this.#ops = this.block.space.float;
    this.#base = this.block.base;
    this.#length = length;
  }

  /**
   * A new array holding `values`.
   *
   * @example From values
   * ```ts
   * import { AtomicFloatArray } from "@atomicx/atomicx";
   *
   * console.log(AtomicFloatArray.of(0.5, -1).toArray()); // [0.5, -1]
   * ```
   * @throws {TypeError} if a value is not a number
   */
  static of(...values: number[]): AtomicFloatArray {
    return arrayOf(AtomicFloatArray, "floatArray", values, float64);
  }

  /**
   * The array a handle describes, e.g. one received from another Worker.
   *
   * @example Same array, two objects
   * ```ts
   * import { AtomicFloatArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicFloatArray(1);
   * AtomicFloatArray.from(a.handle).add(0, 1.5);
   * console.log(a.load(0)); // 1.5
   * ```
   * @throws {TypeError} if `handle` is not a `floatArray` handle
   * @throws {RangeError} if its offset is misaligned or its elements lie outside its memory
   */
  static from(handle: ArrayHandle<"floatArray">): AtomicFloatArray {
    return adoptArray(AtomicFloatArray, handle, "floatArray");
  }

  /** Element `i` as an `AtomicFloat` on the same memory (which then stays reserved). */
  at(i: number): AtomicFloat {
    return construct(AtomicFloat, [undefined], this.cellAt(i));
  }

  /** Reads element `i`. */
  load(i: number): number {
    const where = "AtomicFloatArray.load";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.load(this.#base + i * 8);
  }

  /** Stores `value` in element `i`. */
  store(i: number, value: number): void {
    const where = "AtomicFloatArray.store";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    this.#ops.store(this.#base + i * 8, float64(where, value));
  }

  /** Stores `value` in element `i`; returns the previous value. */
  swap(i: number, value: number): number {
    const where = "AtomicFloatArray.swap";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.swap(this.#base + i * 8, float64(where, value));
  }

  /**
   * Stores `replacement` in element `i` if its bit pattern is `expected`'s (a NaN matches a NaN).
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(i: number, expected: number, replacement: number): [boolean, number] {
    const where = "AtomicFloatArray.compareExchange";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    float64(where, expected);
    float64(where, replacement);
    const previous = this.#ops.compareExchange(this.#base + i * 8, expected, replacement);
    return [Object.is(previous, expected), previous];
  }

  /** Replaces element `i` with `fn(value)` atomically; returns the new value (`fn` may rerun). */
  update(i: number, fn: (value: number) => number): number {
    const where = "AtomicFloatArray.update";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (typeof fn !== "function") throw notFunction(where, fn);
    const loc = this.#base + i * 8;
    for (;;) {
      const current = this.#ops.load(loc);
      const next = float64(`${where} callback`, fn(current));
      if (Object.is(this.#ops.compareExchange(loc, current, next), current)) return next;
    }
  }

  /** Adds `x` to element `i`; returns the previous value. */
  add(i: number, x: number): number {
    const where = "AtomicFloatArray.add";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.add(this.#base + i * 8, float64(where, x));
  }

  /** Subtracts `x` from element `i`; returns the previous value. */
  sub(i: number, x: number): number {
    const where = "AtomicFloatArray.sub";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.sub(this.#base + i * 8, float64(where, x));
  }

  /** Multiplies element `i` by `x`; returns the previous value. */
  mul(i: number, x: number): number {
    const where = "AtomicFloatArray.mul";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.mul(this.#base + i * 8, float64(where, x));
  }

  /**
   * Divides element `i` by `x`; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged), as `AtomicFloat.div`
   */
  div(i: number, x: number): number {
    const where = "AtomicFloatArray.div";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (float64(where, x) === 0) throw divisionByZero(where);
    return this.#ops.div(this.#base + i * 8, x);
  }

  /** Stores the larger of element `i` and `x` (a NaN `x` is ignored); returns the previous value. */
  fetchMax(i: number, x: number): number {
    const where = "AtomicFloatArray.fetchMax";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.max(this.#base + i * 8, float64(where, x));
  }

  /** Stores the smaller of element `i` and `x` (a NaN `x` is ignored); returns the previous value. */
  fetchMin(i: number, x: number): number {
    const where = "AtomicFloatArray.fetchMin";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.min(this.#base + i * 8, float64(where, x));
  }
}
