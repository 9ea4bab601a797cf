/**
 * `AtomicBigInt`: a 64-bit signed atomic with wrapping arithmetic, in `bigint`s.
 *
 * @module
 */

import { native } from "../ffi/mod.ts";
import { divisionByZero, notFunction, notInt64 } from "./errors.ts";
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
  atomicx_bigint_load: nativeLoad,
  atomicx_bigint_store: nativeStore,
  atomicx_bigint_swap: nativeSwap,
  atomicx_bigint_compare_exchange: nativeCompareExchange,
  atomicx_bigint_fetch_add: nativeAdd,
  atomicx_bigint_fetch_sub: nativeSub,
  atomicx_bigint_fetch_mul: nativeMul,
  atomicx_bigint_fetch_div: nativeDiv,
  atomicx_bigint_fetch_max: nativeMax,
  atomicx_bigint_fetch_min: nativeMin,
  atomicx_bigint_fetch_and: nativeAnd,
  atomicx_bigint_fetch_or: nativeOr,
  atomicx_bigint_fetch_xor: nativeXor,
} = native;

/** Status the native bigint division returns for a zero divisor. */
const DIVISION_BY_ZERO = 1;

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/**
 * Three 64-bit words through which bigint values cross the FFI boundary (arguments in 0 and 1, the
 * result in 2): `f64`-only calls are fast on every runtime and an `i64` is not on Deno. One per
 * Worker (module instances are per Worker), off the JavaScript heap so its address is stable, and
 * never shared, so no other thread touches it.
 */
const io = new BigInt64Array(new SharedArrayBuffer(24));
const ioAddress = native.addressOf(io);

/** `value` after checking that it is a bigint within the signed 64-bit range. */
function int64(where: string, value: bigint): bigint {
  if (typeof value !== "bigint" || value < MIN || value > MAX) throw notInt64(where, value);
  return value;
}

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
  readonly #address: number;
  readonly #handle: AtomicHandle;
  /** The region holding the value, or `undefined` for a SharedArrayBuffer. */
  readonly #region: RegionLink | undefined;

  /**
   * A new atomic in a SharedArrayBuffer of its own.
   *
   * @param initial a bigint within the signed 64-bit range (default 0n)
   * @throws {TypeError} if `initial` is not a bigint
   * @throws {RangeError} if it is outside the signed 64-bit range
   */
  constructor(initial: bigint = 0n) {
    super();
    let cell = takeAdoptedCell();
    if (cell === undefined) {
      io[0] = int64("new AtomicBigInt", initial);
      cell = allocateCell("bigint");
      nativeStore(cell.address, ioAddress);
    }
    this.#address = cell.address;
    this.#handle = cell.handle;
    this.#region = cell.region;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @throws {TypeError} if `handle` is not a `bigint` handle
   * @throws {RangeError} if its offset is misaligned or outside its buffer
   */
  static from(handle: AtomicHandle): AtomicBigInt {
    return adopt(cellFromHandle(handle, "bigint", "AtomicBigInt"), () => new AtomicBigInt());
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
    if (region !== undefined && region.closed) throw regionClosed("AtomicBigInt", region);
    return this.#address;
  }

  /** Reads the value. */
  load(): bigint {
    nativeLoad(this.#at(), ioAddress);
    return io[2];
  }

  /** Stores `value`. */
  store(value: bigint): void {
    io[0] = int64("AtomicBigInt.store", value);
    nativeStore(this.#at(), ioAddress);
  }

  /** Stores `value`; returns the previous value. */
  swap(value: bigint): bigint {
    io[0] = int64("AtomicBigInt.swap", value);
    nativeSwap(this.#at(), ioAddress);
    return io[2];
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: bigint, replacement: bigint): [boolean, bigint] {
    int64("AtomicBigInt.compareExchange", expected);
    int64("AtomicBigInt.compareExchange", replacement);
    io[0] = expected;
    io[1] = replacement;
    const exchanged = nativeCompareExchange(this.#at(), ioAddress) === 1;
    return [exchanged, io[2]];
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
      io[0] = current;
      io[1] = next;
      if (nativeCompareExchange(this.#at(), ioAddress) === 1) return next;
    }
  }

  /** Adds `delta`, wrapping; returns the previous value. */
  add(delta: bigint): bigint {
    io[0] = int64("AtomicBigInt.add", delta);
    nativeAdd(this.#at(), ioAddress);
    return io[2];
  }

  /** Subtracts `delta`, wrapping; returns the previous value. */
  sub(delta: bigint): bigint {
    io[0] = int64("AtomicBigInt.sub", delta);
    nativeSub(this.#at(), ioAddress);
    return io[2];
  }

  /** Multiplies by `factor`, wrapping; returns the previous value. */
  mul(factor: bigint): bigint {
    io[0] = int64("AtomicBigInt.mul", factor);
    nativeMul(this.#at(), ioAddress);
    return io[2];
  }

  /**
   * Divides by `divisor`, truncating toward zero (the minimum divided by −1 wraps to the minimum);
   * returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged)
   */
  div(divisor: bigint): bigint {
    io[0] = int64("AtomicBigInt.div", divisor);
    if (nativeDiv(this.#at(), ioAddress) === DIVISION_BY_ZERO) {
      throw divisionByZero("AtomicBigInt.div");
    }
    return io[2];
  }

  /** Adds 1n, wrapping; returns the previous value. */
  inc(): bigint {
    io[0] = 1n;
    nativeAdd(this.#at(), ioAddress);
    return io[2];
  }

  /** Subtracts 1n, wrapping; returns the previous value. */
  dec(): bigint {
    io[0] = 1n;
    nativeSub(this.#at(), ioAddress);
    return io[2];
  }

  /** Stores the larger of the value and `other`; returns the previous value. */
  fetchMax(other: bigint): bigint {
    io[0] = int64("AtomicBigInt.fetchMax", other);
    nativeMax(this.#at(), ioAddress);
    return io[2];
  }

  /** Stores the smaller of the value and `other`; returns the previous value. */
  fetchMin(other: bigint): bigint {
    io[0] = int64("AtomicBigInt.fetchMin", other);
    nativeMin(this.#at(), ioAddress);
    return io[2];
  }

  /** Bitwise AND on the two's-complement form; returns the previous value. */
  fetchAnd(bits: bigint): bigint {
    io[0] = int64("AtomicBigInt.fetchAnd", bits);
    nativeAnd(this.#at(), ioAddress);
    return io[2];
  }

  /** Bitwise OR on the two's-complement form; returns the previous value. */
  fetchOr(bits: bigint): bigint {
    io[0] = int64("AtomicBigInt.fetchOr", bits);
    nativeOr(this.#at(), ioAddress);
    return io[2];
  }

  /** Bitwise XOR on the two's-complement form; returns the previous value. */
  fetchXor(bits: bigint): bigint {
    io[0] = int64("AtomicBigInt.fetchXor", bits);
    nativeXor(this.#at(), ioAddress);
    return io[2];
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
