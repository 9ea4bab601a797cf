/**
 * `AtomicFloat`: an atomic IEEE-754 binary64 number.
 *
 * @module
 */

import { native } from "../ffi/mod.ts";
import { divisionByZero, notFunction, wrongType } from "./errors.ts";
import {
  adopt,
  allocateCell,
  type AtomicHandle,
  cellFromHandle,
  takeAdoptedCell,
} from "./handle.ts";
import { AtomicBase } from "./inspect.ts";
import { regionClosed, type RegionLink } from "./link.ts";

const {
  atomicx_f64_load: nativeLoad,
  atomicx_f64_store: nativeStore,
  atomicx_f64_swap: nativeSwap,
  atomicx_f64_compare_exchange: nativeCompareExchange,
  atomicx_f64_fetch_add: nativeAdd,
  atomicx_f64_fetch_sub: nativeSub,
  atomicx_f64_fetch_mul: nativeMul,
  atomicx_f64_fetch_div: nativeDiv,
  atomicx_f64_fetch_max: nativeMax,
  atomicx_f64_fetch_min: nativeMin,
} = native;

/**
 * Where the native compare-exchange writes the previous value: one per Worker, off the JavaScript
 * heap, never shared.
 */
const previousOut = new Float64Array(new SharedArrayBuffer(8));
const previousOutAddress = native.addressOf(previousOut);

/** `value` after checking that it is a number. */
function float(where: string, value: number): number {
  if (typeof value !== "number") throw wrongType(where, "number", value);
  return value;
}

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
  readonly #address: number;
  readonly #handle: AtomicHandle;
  /** The region holding the value, or `undefined` for a SharedArrayBuffer. */
  readonly #region: RegionLink | undefined;

  /**
   * A new atomic in a SharedArrayBuffer of its own.
   *
   * @param initial a number (default 0)
   * @throws {TypeError} if `initial` is not a number
   */
  constructor(initial: number = 0) {
    super();
    let cell = takeAdoptedCell();
    if (cell === undefined) {
      float("new AtomicFloat", initial);
      cell = allocateCell("float");
      nativeStore(cell.address, initial);
    }
    this.#address = cell.address;
    this.#handle = cell.handle;
    this.#region = cell.region;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @throws {TypeError} if `handle` is not a `float` handle
   * @throws {RangeError} if its offset is misaligned or outside its buffer
   */
  static from(handle: AtomicHandle): AtomicFloat {
    return adopt(cellFromHandle(handle, "float", "AtomicFloat"), () => new AtomicFloat());
  }

  /** Where this atomic lives: plain data to `postMessage` to a Worker. */
  get handle(): AtomicHandle {
    return this.#handle;
  }

  /**
   * The value's address, after checking that its region (if any) is open: the one check between
   * an operation and memory that `close()` may have unmapped.
   */
  #at(): number {
    const region = this.#region;
    if (region !== undefined && region.closed) throw regionClosed("AtomicFloat", region);
    return this.#address;
  }

  /** Reads the value. */
  load(): number {
    return nativeLoad(this.#at());
  }

  /** Stores `value`. */
  store(value: number): void {
    nativeStore(this.#at(), float("AtomicFloat.store", value));
  }

  /** Stores `value`; returns the previous value. */
  swap(value: number): number {
    return nativeSwap(this.#at(), float("AtomicFloat.swap", value));
  }

  /**
   * Stores `replacement` if the stored bits equal those of `expected` (so a NaN matches a NaN,
   * and +0 and −0 differ).
   *
   * @returns `[true, previous]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: number, replacement: number): [boolean, number] {
    float("AtomicFloat.compareExchange", expected);
    float("AtomicFloat.compareExchange", replacement);
    const exchanged =
      nativeCompareExchange(this.#at(), expected, replacement, previousOutAddress) === 1;
    return [exchanged, previousOut[0]];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once; if it throws or returns a non-number, nothing is stored.
   */
  update(fn: (value: number) => number): number {
    if (typeof fn !== "function") throw notFunction("AtomicFloat.update", fn);
    for (;;) {
      const current = nativeLoad(this.#at());
      const next = float("AtomicFloat.update callback", fn(current));
      if (nativeCompareExchange(this.#at(), current, next, previousOutAddress) === 1) {
        return next;
      }
    }
  }

  /** Adds `x`; returns the previous value. */
  add(x: number): number {
    return nativeAdd(this.#at(), float("AtomicFloat.add", x));
  }

  /** Subtracts `x`; returns the previous value. */
  sub(x: number): number {
    return nativeSub(this.#at(), float("AtomicFloat.sub", x));
  }

  /** Multiplies by `x`; returns the previous value. */
  mul(x: number): number {
    return nativeMul(this.#at(), float("AtomicFloat.mul", x));
  }

  /**
   * Divides by `x`; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor, +0 or −0 (the value is unchanged)
   */
  div(x: number): number {
    if (float("AtomicFloat.div", x) === 0) throw divisionByZero("AtomicFloat.div");
    return nativeDiv(this.#at(), x);
  }

  /** Stores the larger of the value and `x` (a NaN operand is ignored); returns the previous value. */
  fetchMax(x: number): number {
    return nativeMax(this.#at(), float("AtomicFloat.fetchMax", x));
  }

  /** Stores the smaller of the value and `x` (a NaN operand is ignored); returns the previous value. */
  fetchMin(x: number): number {
    return nativeMin(this.#at(), float("AtomicFloat.fetchMin", x));
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
