/**
 * `AtomicIntArray`: a fixed-length array of `AtomicInt` elements in one block of memory.
 *
 * @module
 */

import type { IntOps, WaitResult } from "../../engine/ops.ts";
import { notifyOn, waitAsyncOn, waitOn } from "../_atomic_base.ts";
import { divisionByZero, intOverflow, notFunction, notSafeInteger } from "../errors.ts";
import { cellInBlock, construct } from "../handle.ts";
import { AtomicInt } from "../int.ts";
import {
  arrayBlockFromHandle,
  type ArrayHandle,
  AtomicArrayBase,
  badIndex,
  checkBlock,
  checkLength,
  freshArrayBlock,
} from "./_base.ts";

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
export class AtomicIntArray extends AtomicArrayBase<number> {
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
    const fresh = block === undefined;
    if (fresh) block = freshArrayBlock(checkLength("new AtomicIntArray", length), 8);
    const b = checkBlock(block);
    super("intArray", length, b, fresh);
    this.#ops = b.space.int;
    this.#base = b.base;
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
    for (const v of values) {
      if (!Number.isSafeInteger(v)) throw notSafeInteger("AtomicIntArray.of", v);
    }
    const array = new AtomicIntArray(values.length);
    for (let i = 0; i < values.length; i++) array.store(i, values[i]);
    return array;
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
    const { block, length } = arrayBlockFromHandle(handle, "intArray", "AtomicIntArray");
    return Reflect.construct(AtomicIntArray, [length, block]) as AtomicIntArray;
  }

  /**
   * Where this array lives: plain data to `postMessage` to a Worker. (Once taken, the array's
   * memory stays reserved for the life of the process's shared memory.)
   */
  get handle(): ArrayHandle<"intArray"> {
    return this.arrayHandle() as ArrayHandle<"intArray">;
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
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.at", i, this.#length);
    }
    return construct(AtomicInt, cellInBlock("int", this.pinnedBlock(), i * 8));
  }

  /** Reads element `i`. */
  load(i: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.load", i, this.#length);
    }
    return this.#ops.load(this.#base + i * 8);
  }

  /** Stores `value`, a safe integer, in element `i`. */
  store(i: number, value: number): void {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.store", i, this.#length);
    }
    if (!Number.isSafeInteger(value)) throw notSafeInteger("AtomicIntArray.store", value);
    this.#ops.store(this.#base + i * 8, value);
  }

  /** Stores `value` in element `i`; returns the previous value. */
  swap(i: number, value: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.swap", i, this.#length);
    }
    if (!Number.isSafeInteger(value)) throw notSafeInteger("AtomicIntArray.swap", value);
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
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.add", i, this.#length);
    }
    if (!Number.isSafeInteger(delta)) throw notSafeInteger("AtomicIntArray.add", delta);
    const previous = this.#ops.add(this.#base + i * 8, delta);
    if (previous !== previous) throw intOverflow("AtomicIntArray.add", delta, this.load(i));
    return previous;
  }

  /** Subtracts `delta` from element `i`; returns the previous value. `RangeError` on overflow. */
  sub(i: number, delta: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.sub", i, this.#length);
    }
    if (!Number.isSafeInteger(delta)) throw notSafeInteger("AtomicIntArray.sub", delta);
    const previous = this.#ops.sub(this.#base + i * 8, delta);
    if (previous !== previous) throw intOverflow("AtomicIntArray.sub", delta, this.load(i));
    return previous;
  }

  /** Multiplies element `i` by `factor`; returns the previous value. `RangeError` on overflow. */
  mul(i: number, factor: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.mul", i, this.#length);
    }
    if (!Number.isSafeInteger(factor)) throw notSafeInteger("AtomicIntArray.mul", factor);
    const previous = this.#ops.mul(this.#base + i * 8, factor);
    if (previous !== previous) throw intOverflow("AtomicIntArray.mul", factor, this.load(i));
    return previous;
  }

  /**
   * Divides element `i` by `divisor`, truncating toward zero; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged)
   */
  div(i: number, divisor: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.div", i, this.#length);
    }
    if (!Number.isSafeInteger(divisor)) throw notSafeInteger("AtomicIntArray.div", divisor);
    if (divisor === 0) throw divisionByZero("AtomicIntArray.div");
    return this.#ops.div(this.#base + i * 8, divisor);
  }

  /** Adds 1 to element `i`; returns the previous value. `RangeError` at 2^53−1. */
  inc(i: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.inc", i, this.#length);
    }
    const previous = this.#ops.add(this.#base + i * 8, 1);
    if (previous !== previous) throw intOverflow("AtomicIntArray.inc", 1, this.load(i));
    return previous;
  }

  /** Subtracts 1 from element `i`; returns the previous value. `RangeError` at −(2^53−1). */
  dec(i: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.dec", i, this.#length);
    }
    const previous = this.#ops.sub(this.#base + i * 8, 1);
    if (previous !== previous) throw intOverflow("AtomicIntArray.dec", 1, this.load(i));
    return previous;
  }

  /** Stores the larger of element `i` and `other`; returns the previous value. */
  fetchMax(i: number, other: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.fetchMax", i, this.#length);
    }
    if (!Number.isSafeInteger(other)) throw notSafeInteger("AtomicIntArray.fetchMax", other);
    return this.#ops.max(this.#base + i * 8, other);
  }

  /** Stores the smaller of element `i` and `other`; returns the previous value. */
  fetchMin(i: number, other: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.fetchMin", i, this.#length);
    }
    if (!Number.isSafeInteger(other)) throw notSafeInteger("AtomicIntArray.fetchMin", other);
    return this.#ops.min(this.#base + i * 8, other);
  }

  /** Bitwise AND on element `i`; returns the previous value (−2^53 throws `RangeError`). */
  fetchAnd(i: number, bits: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.fetchAnd", i, this.#length);
    }
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicIntArray.fetchAnd", bits);
    const previous = this.#ops.and(this.#base + i * 8, bits);
    if (previous !== previous) throw intOverflow("AtomicIntArray.fetchAnd", bits, this.load(i));
    return previous;
  }

  /** Bitwise OR on element `i`; returns the previous value. */
  fetchOr(i: number, bits: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.fetchOr", i, this.#length);
    }
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicIntArray.fetchOr", bits);
    const previous = this.#ops.or(this.#base + i * 8, bits);
    if (previous !== previous) throw intOverflow("AtomicIntArray.fetchOr", bits, this.load(i));
    return previous;
  }

  /** Bitwise XOR on element `i`; returns the previous value. */
  fetchXor(i: number, bits: number): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.fetchXor", i, this.#length);
    }
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicIntArray.fetchXor", bits);
    const previous = this.#ops.xor(this.#base + i * 8, bits);
    if (previous !== previous) throw intOverflow("AtomicIntArray.fetchXor", bits, this.load(i));
    return previous;
  }

  /**
   * Blocks this thread while element `i` is `expected`, until a `notify` on it or `timeoutMs`
   * passes (as {@link AtomicInt.wait}).
   *
   * @returns `"ok"`, `"not-equal"` or `"timed-out"`
   */
  wait(i: number, expected: number, timeoutMs: number = Infinity): WaitResult {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.wait", i, this.#length);
    }
    if (!Number.isSafeInteger(expected)) throw notSafeInteger("AtomicIntArray.wait", expected);
    return waitOn("AtomicIntArray.wait", this.#ops, this.#base + i * 8, expected, timeoutMs);
  }

  /** Like {@link AtomicIntArray.wait}, without blocking: a Promise of the result. */
  waitAsync(i: number, expected: number, timeoutMs: number = Infinity): Promise<WaitResult> {
    const where = "AtomicIntArray.waitAsync";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (!Number.isSafeInteger(expected)) throw notSafeInteger(where, expected);
    return waitAsyncOn(where, this.#ops, this.#base + i * 8, expected, timeoutMs);
  }

  /** Wakes up to `count` threads waiting on element `i` (default: all); returns how many. */
  notify(i: number, count: number = Infinity): number {
    if (!((i >>> 0) === i && i < this.#length)) {
      throw badIndex("AtomicIntArray.notify", i, this.#length);
    }
    return notifyOn("AtomicIntArray.notify", this.#ops, this.#base + i * 8, count);
  }

  /** The values, for `JSON.stringify`. */
  toJSON(): number[] {
    return this.toArray();
  }

  /** `"AtomicIntArray"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "AtomicIntArray";
  }
}
