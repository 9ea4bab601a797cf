/**
 * `AtomicBigInt`: a 64-bit signed atomic with wrapping arithmetic, in `bigint`s.
 *
 * (Why its methods repeat the shape of the other classes': see the top of `int.ts`.)
 *
 * @module
 */

import type { BigIntOps } from "../engine/_ops.ts";
import { AtomicBase } from "./_atomic_base.ts";
import { int64 } from "./_values.ts";
import { divisionByZero, notFunction } from "./_errors.ts";
import type { AtomicHandle } from "./handle.ts";
import { Cell, construct, handleOf, newCell } from "./_storage.ts";
import { cellFromHandle } from "./_from_handle.ts";

/**
 * A 64-bit signed atomic integer in `bigint`s, covering the whole range with wrapping
 * (two's-complement) arithmetic like Rust's wrapping operations and Java's `AtomicLong`.
 *
 * `valueOf()` and `toString()` read the current value (so `+atomic` and template strings work),
 * and `console.log` shows `AtomicBigInt(42n)` on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { AtomicBigInt } from "@atomicx/atomicx";
 *
 * const total = new AtomicBigInt(2n ** 62n);
 * total.add(2n ** 62n); // wraps: the value is now -(2n ** 63n)
 * console.log(total.load()); // -9223372036854775808n
 * ```
 */
export class AtomicBigInt extends AtomicBase<bigint> {
  /** The engine functions for the memory holding the value. */
  readonly #ops: BigIntOps;
  /** The value's location in that memory. */
  readonly #loc: number;

  /**
   * A new atomic in this process's shared memory; hand it to Workers with {@link AtomicBigInt.handle}.
   *
   * @param initial a bigint within the signed 64-bit range (default 0n)
   * @throws {TypeError} if `initial` is not a bigint
   * @throws {RangeError} if it is outside the signed 64-bit range
   */
  constructor(initial?: bigint);
  constructor(initial: bigint = 0n, cell?: Cell) {
    super();
    if (cell === undefined) {
      const value = int64("new AtomicBigInt", initial);
      cell = newCell("bigint");
      cell.space.bigint.store(cell.loc, value);
      cell.adoptedBy(this);
    } else {
      cell = Cell.check(cell, "bigint");
      cell.adoptedBy(this);
    }
    this.#ops = cell.space.bigint;
    this.#loc = cell.loc;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @throws {TypeError} if `handle` is not a `bigint` handle
   * @throws {RangeError} if its offset is misaligned or outside its memory
   */
  static from(handle: AtomicHandle<"bigint">): AtomicBigInt {
    return construct(AtomicBigInt, [undefined], cellFromHandle(handle, "bigint", "AtomicBigInt"));
  }

  /**
   * Where this atomic lives: plain data to `postMessage` to a Worker. (Once taken, the atomic's
   * bytes stay reserved for the life of the process's shared memory, since another thread may
   * still use them.)
   */
  get handle(): AtomicHandle<"bigint"> {
    return handleOf(this, this.#ops, this.#loc) as AtomicHandle<"bigint">;
  }

  /** Reads the value. */
  load(): bigint {
    return this.#ops.load(this.#loc);
  }

  /** Stores `value`. */
  store(value: bigint): void {
    this.#ops.store(this.#loc, int64("AtomicBigInt.store", value));
  }

  /** Stores `value`; returns the previous value. */
  swap(value: bigint): bigint {
    return this.#ops.swap(this.#loc, int64("AtomicBigInt.swap", value));
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: bigint, replacement: bigint): [boolean, bigint] {
    int64("AtomicBigInt.compareExchange", expected);
    int64("AtomicBigInt.compareExchange", replacement);
    const previous = this.#ops.compareExchange(this.#loc, expected, replacement);
    return [previous === expected, previous];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once, so it should be pure; if it throws, or returns something other than a 64-bit
   * bigint, nothing is stored.
   */
  update(fn: (value: bigint) => bigint): bigint {
    if (typeof fn !== "function") throw notFunction("AtomicBigInt.update", fn);
    for (;;) {
      const current = this.load();
      const next = int64("AtomicBigInt.update callback", fn(current));
      if (this.#ops.compareExchange(this.#loc, current, next) === current) return next;
    }
  }

  /** Adds `delta`, wrapping; returns the previous value. */
  add(delta: bigint): bigint {
    return this.#ops.add(this.#loc, int64("AtomicBigInt.add", delta));
  }

  /** Subtracts `delta`, wrapping; returns the previous value. */
  sub(delta: bigint): bigint {
    return this.#ops.sub(this.#loc, int64("AtomicBigInt.sub", delta));
  }

  /** Multiplies by `factor`, wrapping; returns the previous value. */
  mul(factor: bigint): bigint {
    return this.#ops.mul(this.#loc, int64("AtomicBigInt.mul", factor));
  }

  /**
   * Divides by `divisor`, truncating toward zero (the minimum divided by −1 wraps to the minimum);
   * returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged)
   */
  div(divisor: bigint): bigint {
    if (int64("AtomicBigInt.div", divisor) === 0n) throw divisionByZero("AtomicBigInt.div");
    return this.#ops.div(this.#loc, divisor);
  }

  /** Adds 1n, wrapping; returns the previous value. */
  inc(): bigint {
    return this.#ops.add(this.#loc, 1n);
  }

  /** Subtracts 1n, wrapping; returns the previous value. */
  dec(): bigint {
    return this.#ops.sub(this.#loc, 1n);
  }

  /** Stores the larger of the value and `other`; returns the previous value. */
  fetchMax(other: bigint): bigint {
    return this.#ops.max(this.#loc, int64("AtomicBigInt.fetchMax", other));
  }

  /** Stores the smaller of the value and `other`; returns the previous value. */
  fetchMin(other: bigint): bigint {
    return this.#ops.min(this.#loc, int64("AtomicBigInt.fetchMin", other));
  }

  /** Bitwise AND on the two's-complement form; returns the previous value. */
  fetchAnd(bits: bigint): bigint {
    return this.#ops.and(this.#loc, int64("AtomicBigInt.fetchAnd", bits));
  }

  /** Bitwise OR on the two's-complement form; returns the previous value. */
  fetchOr(bits: bigint): bigint {
    return this.#ops.or(this.#loc, int64("AtomicBigInt.fetchOr", bits));
  }

  /** Bitwise XOR on the two's-complement form; returns the previous value. */
  fetchXor(bits: bigint): bigint {
    return this.#ops.xor(this.#loc, int64("AtomicBigInt.fetchXor", bits));
  }

  /** The value as a decimal string (JSON has no 64-bit integers). */
  toJSON(): string {
    return this.load().toString();
  }

  /** `"AtomicBigInt"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "AtomicBigInt";
  }
}
