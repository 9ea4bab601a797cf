/**
 * `AtomicFloat`: an atomic IEEE-754 binary64 number.
 *
 * (Why its methods repeat the shape of the other classes': see the top of `int.ts`.)
 *
 * @module
 */

import type { FloatOps } from "../engine/_ops.ts";
import { AtomicBase } from "./_atomic_base.ts";
import { float64 } from "./_values.ts";
import { divisionByZero, notFunction } from "./_errors.ts";
import type { AtomicHandle } from "./handle.ts";
import { Cell, construct, handleOf, newCell } from "./_storage.ts";
import { cellFromHandle } from "./_from_handle.ts";

/**
 * An atomic 64-bit float (IEEE-754 binary64) — something the built-in `Atomics` cannot do.
 * `compareExchange` compares bit patterns (a NaN matches a NaN; +0 and −0 differ);
 * `fetchMax`/`fetchMin` ignore a NaN operand, like Rust's `f64::max`/`f64::min`.
 *
 * `valueOf()` and `toString()` read the current value (so `+atomic` and template strings work),
 * and `console.log` shows `AtomicFloat(1.5)` on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { AtomicFloat } from "@atomicx/atomicx";
 *
 * const sum = new AtomicFloat(0.5);
 * sum.add(0.25);
 * console.log(sum.load()); // 0.75
 * ```
 */
export class AtomicFloat extends AtomicBase<number> {
  /** The engine functions for the memory holding the value. */
  readonly #ops: FloatOps;
  /** The value's location in that memory. */
  readonly #loc: number;

  /**
   * A new atomic in this process's shared memory; hand it to Workers with {@link AtomicFloat.handle}.
   *
   * @param initial a number (default 0)
   * @throws {TypeError} if `initial` is not a number
   */
  constructor(initial?: number);
  constructor(initial: number = 0, cell?: Cell) {
    super();
    if (cell === undefined) {
      float64("new AtomicFloat", initial);
      cell = newCell("float");
      cell.space.float.store(cell.loc, initial);
      cell.adoptedBy(this);
    } else {
      cell = Cell.check(cell, "float");
      cell.adoptedBy(this);
    }
    this.#ops = cell.space.float;
    this.#loc = cell.loc;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @throws {TypeError} if `handle` is not a `float` handle
   * @throws {RangeError} if its offset is misaligned or outside its memory
   */
  static from(handle: AtomicHandle<"float">): AtomicFloat {
    return construct(AtomicFloat, [undefined], cellFromHandle(handle, "float", "AtomicFloat"));
  }

  /**
   * Where this atomic lives: plain data to `postMessage` to a Worker. (Once taken, the atomic's
   * bytes stay reserved for the life of the process's shared memory, since another thread may
   * still use them.)
   */
  get handle(): AtomicHandle<"float"> {
    return handleOf(this, this.#ops, this.#loc) as AtomicHandle<"float">;
  }

  /** Reads the value. */
  load(): number {
    return this.#ops.load(this.#loc);
  }

  /** Stores `value`. */
  store(value: number): void {
    this.#ops.store(this.#loc, float64("AtomicFloat.store", value));
  }

  /** Stores `value`; returns the previous value. */
  swap(value: number): number {
    return this.#ops.swap(this.#loc, float64("AtomicFloat.swap", value));
  }

  /**
   * Stores `replacement` if the stored bits equal those of `expected` (so a NaN matches a NaN,
   * and +0 and −0 differ).
   *
   * @returns `[true, previous]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: number, replacement: number): [boolean, number] {
    float64("AtomicFloat.compareExchange", expected);
    float64("AtomicFloat.compareExchange", replacement);
    const previous = this.#ops.compareExchange(this.#loc, expected, replacement);
    return [Object.is(previous, expected), previous];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once; if it throws or returns a non-number, nothing is stored.
   */
  update(fn: (value: number) => number): number {
    if (typeof fn !== "function") throw notFunction("AtomicFloat.update", fn);
    for (;;) {
      const current = this.#ops.load(this.#loc);
      const next = float64("AtomicFloat.update callback", fn(current));
      if (Object.is(this.#ops.compareExchange(this.#loc, current, next), current)) return next;
    }
  }

  /** Adds `x`; returns the previous value. */
  add(x: number): number {
    return this.#ops.add(this.#loc, float64("AtomicFloat.add", x));
  }

  /** Subtracts `x`; returns the previous value. */
  sub(x: number): number {
    return this.#ops.sub(this.#loc, float64("AtomicFloat.sub", x));
  }

  /** Multiplies by `x`; returns the previous value. */
  mul(x: number): number {
    return this.#ops.mul(this.#loc, float64("AtomicFloat.mul", x));
  }

  /**
   * Divides by `x`; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor, +0 or −0 (the value is unchanged)
   */
  div(x: number): number {
    if (float64("AtomicFloat.div", x) === 0) throw divisionByZero("AtomicFloat.div");
    return this.#ops.div(this.#loc, x);
  }

  /** Stores the larger of the value and `x` (a NaN operand is ignored); returns the previous value. */
  fetchMax(x: number): number {
    return this.#ops.max(this.#loc, float64("AtomicFloat.fetchMax", x));
  }

  /** Stores the smaller of the value and `x` (a NaN operand is ignored); returns the previous value. */
  fetchMin(x: number): number {
    return this.#ops.min(this.#loc, float64("AtomicFloat.fetchMin", x));
  }

  /** The value, for `JSON.stringify` (which writes NaN and ±Infinity as `null`). */
  toJSON(): number {
    return this.load();
  }

  /** `"AtomicFloat"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "AtomicFloat";
  }
}
