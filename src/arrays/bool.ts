/**
 * `AtomicBoolArray`: a fixed-length array of `AtomicBool` elements (32-bit words) in one block.
 * (Why its element methods repeat the shape of the other arrays' and the scalar classes': see
 * the top of `int.ts`.)
 *
 * @module
 */

import type { BoolOps } from "../../engine/_ops.ts";
import { boolWord } from "../_values.ts";
import { notFunction } from "../_errors.ts";
import { construct } from "../_storage.ts";
import { AtomicBool } from "../bool.ts";
import { adoptArray, type ArrayHandle, arrayOf, badIndex, WaitableArrayBase } from "./_base.ts";

/**
 * A fixed-length array of atomic booleans, one 32-bit word each: every operation of
 * {@link AtomicBool} with the element's index first. An index that is not an integer in
 * `[0, length)` throws `RangeError` (`TypeError` for a non-number) and changes nothing.
 *
 * @example A done flag per job
 * ```ts
 * import { AtomicBoolArray } from "@atomicx/atomicx";
 *
 * const done = new AtomicBoolArray(3);
 * done.store(2, true);
 * console.log(done.toArray()); // [false, false, true]
 * ```
 */
export class AtomicBoolArray extends WaitableArrayBase<boolean, "boolArray"> {
  readonly #ops: BoolOps;
  readonly #base: number;
  readonly #length: number;

  /**
   * A new array of `length` falses in this process's shared memory.
   *
   * @throws {TypeError} if `length` is not a number
   * @throws {RangeError} if `length` is not an integer in [0, 2^27]
   */
  constructor(length: number);
  constructor(length: number, block?: unknown) {
    super("boolArray", length, block);
    this.#ops = this.block.space.bool;
    this.#base = this.block.base;
    this.#length = length;
  }

  /**
   * A new array holding `values`.
   *
   * @example From values
   * ```ts
   * import { AtomicBoolArray } from "@atomicx/atomicx";
   *
   * console.log(AtomicBoolArray.of(true, false).toArray()); // [true, false]
   * ```
   * @throws {TypeError} if a value is not a boolean
   */
  static of(...values: boolean[]): AtomicBoolArray {
    return arrayOf(AtomicBoolArray, "boolArray", values, boolWord);
  }

  /**
   * The array a handle describes, e.g. one received from another Worker.
   *
   * @example Same array, two objects
   * ```ts
   * import { AtomicBoolArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicBoolArray(1);
   * AtomicBoolArray.from(a.handle).flip(0);
   * console.log(a.load(0)); // true
   * ```
   * @throws {TypeError} if `handle` is not a `boolArray` handle
   * @throws {RangeError} if its offset is misaligned or its elements lie outside its memory
   */
  static from(handle: ArrayHandle<"boolArray">): AtomicBoolArray {
    return adoptArray(AtomicBoolArray, handle, "boolArray");
  }

  /** Element `i` as an `AtomicBool` on the same memory (which then stays reserved). */
  at(i: number): AtomicBool {
    return construct(AtomicBool, [undefined], this.cellAt(i));
  }

  /** `expected` of `wait`/`waitAsync`, as the word 0 or 1. */
  protected encode(where: string, value: boolean): number {
    return boolWord(where, value);
  }

  /** Reads element `i`. */
  load(i: number): boolean {
    const where = "AtomicBoolArray.load";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.load(this.#base + i * 4) === 1;
  }

  /** Stores `value` in element `i`. */
  store(i: number, value: boolean): void {
    const where = "AtomicBoolArray.store";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    this.#ops.store(this.#base + i * 4, boolWord(where, value));
  }

  /** Stores `value` in element `i`; returns the previous value. */
  swap(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.swap";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.swap(this.#base + i * 4, boolWord(where, value)) === 1;
  }

  /**
   * Stores `replacement` in element `i` if it is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(i: number, expected: boolean, replacement: boolean): [boolean, boolean] {
    const where = "AtomicBoolArray.compareExchange";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    const want = boolWord(where, expected);
    const next = boolWord(where, replacement);
    const previous = this.#ops.compareExchange(this.#base + i * 4, want, next);
    return [previous === want, previous === 1];
  }

  /** Replaces element `i` with `fn(value)` atomically; returns the new value (`fn` may rerun). */
  update(i: number, fn: (value: boolean) => boolean): boolean {
    const where = "AtomicBoolArray.update";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (typeof fn !== "function") throw notFunction(where, fn);
    const loc = this.#base + i * 4;
    for (;;) {
      const current = this.#ops.load(loc);
      const next = boolWord(`${where} callback`, fn(current === 1));
      if (this.#ops.compareExchange(loc, current, next) === current) return next === 1;
    }
  }

  /** Negates element `i`; returns the previous value. */
  flip(i: number): boolean {
    const where = "AtomicBoolArray.flip";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.xor(this.#base + i * 4, 1) === 1;
  }

  /** Logical AND of element `i` with `value`; returns the previous value. */
  fetchAnd(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.fetchAnd";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.and(this.#base + i * 4, boolWord(where, value)) === 1;
  }

  /** Logical OR of element `i` with `value`; returns the previous value. */
  fetchOr(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.fetchOr";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.or(this.#base + i * 4, boolWord(where, value)) === 1;
  }

  /** Logical XOR of element `i` with `value`; returns the previous value. */
  fetchXor(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.fetchXor";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.xor(this.#base + i * 4, boolWord(where, value)) === 1;
  }
}
