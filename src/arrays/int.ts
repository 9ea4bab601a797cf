/**
 * `AtomicIntArray`: a fixed-length array of `AtomicInt` elements in one block of memory.
 *
 * Why the element methods here, in `bigint.ts`, `bool.ts` and `float.ts`, and in the scalar
 * classes repeat one shape (check the index, check the value, call the engine): each calls its own
 * engine function on its own private fields, so every call site sees one target and V8's and
 * JavaScriptCore's fast call holds; one generic method over the four kinds would not. Everything
 * off that hot path lives once in `_base.ts`. Values are checked inline with `Number.isSafeInteger`,
 * the same way `AtomicInt` checks them.
 *
 * @module
 */

import type { IntOps } from "../../engine/_ops.ts";
import { safeInteger } from "../_values.ts";
import { divisionByZero, intOverflow, notFunction, notSafeInteger } from "../_errors.ts";
import { construct } from "../_storage.ts";
import { AtomicInt } from "../int.ts";
import { adoptArray, type ArrayHandle, arrayOf, badIndex, WaitableArrayBase } from "./_base.ts";

/**
 * A fixed-length array of 64-bit atomic integers holding safe integers: every operation of
 * {@link AtomicInt} with the element's index first, each one atomic on that element. An index that
 * is not an integer in `[0, length)` throws `RangeError` (`TypeError` for a non-number) and changes
 * nothing.
 *
 * @example Per-shard counters shared with Workers
 * ```ts
 * import { AtomicIntArray } from "@atomicx/atomicx";
 *
 * const shards = new AtomicIntArray(4);
 * shards.add(1, 10);
 * shards.inc(3);
 * console.log(shards.toArray()); // [0, 10, 0, 1]
 * // worker.postMessage(shards.handle); and there: AtomicIntArray.from(event.data)
 * ```
 */
export class AtomicIntArray extends WaitableArrayBase<number, "intArray"> {
  readonly #ops: IntOps;
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
    super("intArray", length, block);
    this.#ops = this.block.space.int;
    this.#base = this.block.base;
    this.#length = length;
  }

  /**
   * A new array holding `values`.
   *
   * @example From values
   * ```ts
   * import { AtomicIntArray } from "@atomicx/atomicx";
   *
   * const a = AtomicIntArray.of(1, 2, 3);
   * console.log(a.length, a.load(2)); // 3 3
   * ```
   * @throws {TypeError} / {RangeError} if a value is not a safe integer
   */
  static of(...values: number[]): AtomicIntArray {
    return arrayOf(AtomicIntArray, "intArray", values, safeInteger);
  }

  /**
   * The array a handle describes, e.g. one received from another Worker.
   *
   * @example Same array, two objects
   * ```ts
   * import { AtomicIntArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicIntArray(2);
   * AtomicIntArray.from(a.handle).inc(0); // in a Worker: AtomicIntArray.from(event.data)
   * console.log(a.load(0)); // 1
   * ```
   * @throws {TypeError} if `handle` is not an `intArray` handle
   * @throws {RangeError} if its offset is misaligned or its elements lie outside its memory
   */
  static from(handle: ArrayHandle<"intArray">): AtomicIntArray {
    return adoptArray(AtomicIntArray, handle, "intArray");
  }

  /**
   * Element `i` as an `AtomicInt` on the same memory. (The array's memory then stays reserved for
   * the life of the process's shared memory, as when its handle is taken: the element's handle may
   * reach another thread.)
   *
   * @example An element as an atomic
   * ```ts
   * import { AtomicIntArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicIntArray(3);
   * a.at(1).add(7);
   * console.log(a.load(1)); // 7
   * ```
   */
  at(i: number): AtomicInt {
    return construct(AtomicInt, [undefined], this.cellAt(i));
  }

  /** `expected` of `wait`/`waitAsync`, checked. */
  protected encode(where: string, value: number): number {
    return safeInteger(where, value);
  }

  /** Reads element `i`. */
  load(i: number): number {
    const where = "AtomicIntArray.load";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.load(this.#base + i * 8);
  }

  /** Stores `value`, a safe integer, in element `i`. */
  store(i: number, value: number): void {
    const where = "AtomicIntArray.store";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(value)) throw notSafeInteger(where, value);
    this.#ops.store(this.#base + i * 8, value);
  }

  /** Stores `value` in element `i`; returns the previous value. */
  swap(i: number, value: number): number {
    const where = "AtomicIntArray.swap";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(value)) throw notSafeInteger(where, value);
    return this.#ops.swap(this.#base + i * 8, value);
  }

  /**
   * Stores `replacement` in element `i` if it is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(i: number, expected: number, replacement: number): [boolean, number] {
    const where = "AtomicIntArray.compareExchange";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(expected)) throw notSafeInteger(where, expected);
    if (!Number.isSafeInteger(replacement)) throw notSafeInteger(where, replacement);
    const previous = this.#ops.compareExchange(this.#base + i * 8, expected, replacement);
    return [previous === expected, previous];
  }

  /**
   * Replaces element `i` with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once, so it should be pure; if it throws, or returns something other than a safe
   * integer, nothing is stored.
   */
  update(i: number, fn: (value: number) => number): number {
    const where = "AtomicIntArray.update";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (typeof fn !== "function") throw notFunction(where, fn);
    const loc = this.#base + i * 8;
    for (;;) {
      const current = this.#ops.load(loc);
      const next = fn(current);
      if (!Number.isSafeInteger(next)) throw notSafeInteger(`${where} callback`, next);
      if (this.#ops.compareExchange(loc, current, next) === current) return next;
    }
  }

  /** Adds `delta` to element `i`; returns the previous value. `RangeError` on overflow. */
  add(i: number, delta: number): number {
    const where = "AtomicIntArray.add";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(delta)) throw notSafeInteger(where, delta);
    const previous = this.#ops.add(this.#base + i * 8, delta);
    if (previous !== previous) throw intOverflow(where, delta, this.load(i));
    return previous;
  }

  /** Subtracts `delta` from element `i`; returns the previous value. `RangeError` on overflow. */
  sub(i: number, delta: number): number {
    const where = "AtomicIntArray.sub";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(delta)) throw notSafeInteger(where, delta);
    const previous = this.#ops.sub(this.#base + i * 8, delta);
    if (previous !== previous) throw intOverflow(where, delta, this.load(i));
    return previous;
  }

  /** Multiplies element `i` by `factor`; returns the previous value. `RangeError` on overflow. */
  mul(i: number, factor: number): number {
    const where = "AtomicIntArray.mul";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(factor)) throw notSafeInteger(where, factor);
    const previous = this.#ops.mul(this.#base + i * 8, factor);
    if (previous !== previous) throw intOverflow(where, factor, this.load(i));
    return previous;
  }

  /**
   * Divides element `i` by `divisor`, truncating toward zero; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged)
   */
  div(i: number, divisor: number): number {
    const where = "AtomicIntArray.div";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(divisor)) throw notSafeInteger(where, divisor);
    if (divisor === 0) throw divisionByZero(where);
    return this.#ops.div(this.#base + i * 8, divisor);
  }

  /** Adds 1 to element `i`; returns the previous value. `RangeError` at 2^53−1. */
  inc(i: number): number {
    const where = "AtomicIntArray.inc";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    const previous = this.#ops.add(this.#base + i * 8, 1);
    if (previous !== previous) throw intOverflow(where, 1, this.load(i));
    return previous;
  }

  /** Subtracts 1 from element `i`; returns the previous value. `RangeError` at −(2^53−1). */
  dec(i: number): number {
    const where = "AtomicIntArray.dec";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    const previous = this.#ops.sub(this.#base + i * 8, 1);
    if (previous !== previous) throw intOverflow(where, 1, this.load(i));
    return previous;
  }

  /** Stores the larger of element `i` and `other`; returns the previous value. */
  fetchMax(i: number, other: number): number {
    const where = "AtomicIntArray.fetchMax";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(other)) throw notSafeInteger(where, other);
    return this.#ops.max(this.#base + i * 8, other);
  }

  /** Stores the smaller of element `i` and `other`; returns the previous value. */
  fetchMin(i: number, other: number): number {
    const where = "AtomicIntArray.fetchMin";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(other)) throw notSafeInteger(where, other);
    return this.#ops.min(this.#base + i * 8, other);
  }

  /** Bitwise AND on element `i`; returns the previous value (−2^53 throws `RangeError`). */
  fetchAnd(i: number, bits: number): number {
    const where = "AtomicIntArray.fetchAnd";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(bits)) throw notSafeInteger(where, bits);
    const previous = this.#ops.and(this.#base + i * 8, bits);
    if (previous !== previous) throw intOverflow(where, bits, this.load(i));
    return previous;
  }

  /** Bitwise OR on element `i`; returns the previous value. */
  fetchOr(i: number, bits: number): number {
    const where = "AtomicIntArray.fetchOr";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(bits)) throw notSafeInteger(where, bits);
    const previous = this.#ops.or(this.#base + i * 8, bits);
    if (previous !== previous) throw intOverflow(where, bits, this.load(i));
    return previous;
  }

  /** Bitwise XOR on element `i`; returns the previous value. */
  fetchXor(i: number, bits: number): number {
    const where = "AtomicIntArray.fetchXor";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(bits)) throw notSafeInteger(where, bits);
    const previous = this.#ops.xor(this.#base + i * 8, bits);
    if (previous !== previous) throw intOverflow(where, bits, this.load(i));
    return previous;
  }
}
