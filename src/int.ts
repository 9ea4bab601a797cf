/**
 * `AtomicInt`: a 64-bit signed atomic that always holds a JavaScript safe integer.
 *
 * @module
 */

import { native } from "../ffi/mod.ts";
import { divisionByZero, intOverflow, notFunction, notSafeInteger } from "./errors.ts";
import { adopt, type AtomicHandle, cellFromHandle, takeAdoptedCell } from "./handle.ts";
import { allocateCell } from "./handle.ts";
import { AtomicBase } from "./inspect.ts";
import { regionClosed, type RegionLink } from "./link.ts";
import {
  checkCount,
  checkTimeout,
  notifyResult,
  waitAsyncOn,
  type WaitResult,
  waitResult,
} from "./wait.ts";

// Each method calls its own native function directly: one target per call site is what lets the
// engines emit a fast FFI call.
const {
  atomicx_i64_load: nativeLoad,
  atomicx_i64_store: nativeStore,
  atomicx_i64_swap: nativeSwap,
  atomicx_i64_compare_exchange: nativeCompareExchange,
  atomicx_i64_fetch_add: nativeAdd,
  atomicx_i64_fetch_sub: nativeSub,
  atomicx_i64_fetch_mul: nativeMul,
  atomicx_i64_fetch_div: nativeDiv,
  atomicx_i64_fetch_max: nativeMax,
  atomicx_i64_fetch_min: nativeMin,
  atomicx_i64_fetch_and: nativeAnd,
  atomicx_i64_fetch_or: nativeOr,
  atomicx_i64_fetch_xor: nativeXor,
  atomicx_i64_wait: nativeWait,
  atomicx_wake: nativeWake,
} = native;

/**
 * A 64-bit signed atomic integer that takes and returns JavaScript numbers and always holds a safe
 * integer. Every operation is one sequentially consistent native atomic operation; an operation
 * whose result would leave ±(2^53−1) throws a `RangeError` and changes nothing (use
 * {@link AtomicBigInt} for the full 64-bit range).
 *
 * `valueOf()` and `toString()` read the current value (so `+atomic` and template strings work),
 * and `console.log` shows `AtomicInt(42)` on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { AtomicInt } from "@atomicx/atomicx";
 *
 * const hits = new AtomicInt(0);
 * hits.inc();
 * hits.add(41); // returns the previous value, 1
 * console.log(hits.load()); // 42
 * ```
 */
export class AtomicInt extends AtomicBase<number> {
  readonly #address: number;
  readonly #handle: AtomicHandle;
  /** The region holding the value, or `undefined` for a SharedArrayBuffer. */
  readonly #region: RegionLink | undefined;

  /**
   * A new atomic in a SharedArrayBuffer of its own.
   *
   * @param initial a safe integer (default 0)
   * @throws {TypeError} if `initial` is not a number
   * @throws {RangeError} if `initial` is not a safe integer
   */
  constructor(initial: number = 0) {
    super();
    let cell = takeAdoptedCell();
    if (cell === undefined) {
      if (!Number.isSafeInteger(initial)) throw notSafeInteger("new AtomicInt", initial);
      cell = allocateCell("int");
      nativeStore(cell.address, initial);
    }
    this.#address = cell.address;
    this.#handle = cell.handle;
    this.#region = cell.region;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @example
   * ```ts
   * import { AtomicInt } from "@atomicx/atomicx";
   *
   * const a = new AtomicInt(7);
   * const same = AtomicInt.from(a.handle); // in a Worker: AtomicInt.from(event.data)
   * same.inc();
   * console.log(a.load()); // 8
   * ```
   * @throws {TypeError} if `handle` is not an `int` handle
   * @throws {RangeError} if its offset is misaligned or outside its buffer
   */
  static from(handle: AtomicHandle): AtomicInt {
    return adopt(cellFromHandle(handle, "int", "AtomicInt"), () => new AtomicInt());
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
    if (region !== undefined && region.closed) throw regionClosed("AtomicInt", region);
    return this.#address;
  }

  /** Reads the value. */
  load(): number {
    return nativeLoad(this.#at());
  }

  /** Stores `value`, a safe integer. */
  store(value: number): void {
    if (!Number.isSafeInteger(value)) throw notSafeInteger("AtomicInt.store", value);
    nativeStore(this.#at(), value);
  }

  /** Stores `value`; returns the previous value. */
  swap(value: number): number {
    if (!Number.isSafeInteger(value)) throw notSafeInteger("AtomicInt.swap", value);
    return nativeSwap(this.#at(), value);
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: number, replacement: number): [boolean, number] {
    if (!Number.isSafeInteger(expected)) {
      throw notSafeInteger("AtomicInt.compareExchange", expected);
    }
    if (!Number.isSafeInteger(replacement)) {
      throw notSafeInteger("AtomicInt.compareExchange", replacement);
    }
    const previous = nativeCompareExchange(this.#at(), expected, replacement);
    return [previous === expected, previous];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once (when another thread changed the value in between), so it should be pure; if it
   * throws, or returns something other than a safe integer, nothing is stored.
   *
   * @example
   * ```ts
   * import { AtomicInt } from "@atomicx/atomicx";
   *
   * const best = new AtomicInt(10);
   * best.update((v) => Math.max(v, 12) * 2); // 24
   * ```
   */
  update(fn: (value: number) => number): number {
    if (typeof fn !== "function") throw notFunction("AtomicInt.update", fn);
    for (;;) {
      const current = nativeLoad(this.#at());
      const next = fn(current);
      if (!Number.isSafeInteger(next)) throw notSafeInteger("AtomicInt.update callback", next);
      if (nativeCompareExchange(this.#at(), current, next) === current) return next;
    }
  }

  /** Adds `delta`; returns the previous value. Throws `RangeError` (changing nothing) on overflow. */
  add(delta: number): number {
    if (!Number.isSafeInteger(delta)) throw notSafeInteger("AtomicInt.add", delta);
    const previous = nativeAdd(this.#at(), delta);
    if (previous !== previous) throw intOverflow("AtomicInt.add", delta, this.load());
    return previous;
  }

  /** Subtracts `delta`; returns the previous value. Throws `RangeError` on overflow. */
  sub(delta: number): number {
    if (!Number.isSafeInteger(delta)) throw notSafeInteger("AtomicInt.sub", delta);
    const previous = nativeSub(this.#at(), delta);
    if (previous !== previous) throw intOverflow("AtomicInt.sub", delta, this.load());
    return previous;
  }

  /** Multiplies by `factor`; returns the previous value. Throws `RangeError` on overflow. */
  mul(factor: number): number {
    if (!Number.isSafeInteger(factor)) throw notSafeInteger("AtomicInt.mul", factor);
    const previous = nativeMul(this.#at(), factor);
    if (previous !== previous) throw intOverflow("AtomicInt.mul", factor, this.load());
    return previous;
  }

  /**
   * Divides by `divisor`, truncating toward zero; returns the previous value.
   *
   * @throws {RangeError} for a zero divisor (the value is unchanged)
   */
  div(divisor: number): number {
    if (!Number.isSafeInteger(divisor)) throw notSafeInteger("AtomicInt.div", divisor);
    if (divisor === 0) throw divisionByZero("AtomicInt.div");
    return nativeDiv(this.#at(), divisor);
  }

  /** Adds 1; returns the previous value. Throws `RangeError` at 2^53−1. */
  inc(): number {
    const previous = nativeAdd(this.#at(), 1);
    if (previous !== previous) throw intOverflow("AtomicInt.inc", 1, this.load());
    return previous;
  }

  /** Subtracts 1; returns the previous value. Throws `RangeError` at −(2^53−1). */
  dec(): number {
    const previous = nativeSub(this.#at(), 1);
    if (previous !== previous) throw intOverflow("AtomicInt.dec", 1, this.load());
    return previous;
  }

  /** Stores the larger of the value and `other`; returns the previous value. */
  fetchMax(other: number): number {
    if (!Number.isSafeInteger(other)) throw notSafeInteger("AtomicInt.fetchMax", other);
    return nativeMax(this.#at(), other);
  }

  /** Stores the smaller of the value and `other`; returns the previous value. */
  fetchMin(other: number): number {
    if (!Number.isSafeInteger(other)) throw notSafeInteger("AtomicInt.fetchMin", other);
    return nativeMin(this.#at(), other);
  }

  /**
   * Bitwise AND on the 64-bit two's-complement form; returns the previous value. The one result
   * that is not a safe integer, −2^53, throws `RangeError`.
   */
  fetchAnd(bits: number): number {
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicInt.fetchAnd", bits);
    const previous = nativeAnd(this.#at(), bits);
    if (previous !== previous) throw intOverflow("AtomicInt.fetchAnd", bits, this.load());
    return previous;
  }

  /** Bitwise OR on the 64-bit two's-complement form; returns the previous value. */
  fetchOr(bits: number): number {
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicInt.fetchOr", bits);
    const previous = nativeOr(this.#at(), bits);
    if (previous !== previous) throw intOverflow("AtomicInt.fetchOr", bits, this.load());
    return previous;
  }

  /** Bitwise XOR on the 64-bit two's-complement form; returns the previous value. */
  fetchXor(bits: number): number {
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicInt.fetchXor", bits);
    const previous = nativeXor(this.#at(), bits);
    if (previous !== previous) throw intOverflow("AtomicInt.fetchXor", bits, this.load());
    return previous;
  }

  /**
   * Blocks this thread while the value is `expected`, until a `notify` or `timeoutMs` passes. Works
   * between Workers (SharedArrayBuffer) and between processes (a `SharedMemory` region): a futex
   * on the value's address, so the thread sleeps rather than spins. Blocking the main thread is
   * allowed on Deno, Bun and Node (unlike `Atomics.wait` in browsers); prefer `waitAsync` there.
   *
   * @example
   * ```ts
   * import { AtomicInt } from "@atomicx/atomicx";
   *
   * const flag = new AtomicInt(0);
   * flag.wait(0, 10); // "timed-out": nobody stored and notified within 10 ms
   * flag.wait(1); // "not-equal" at once: the value is 0
   * ```
   * @param timeoutMs milliseconds ≥ 0 (default Infinity: no timeout)
   * @returns `"ok"` woken by a notify, `"not-equal"` the value was not `expected`, `"timed-out"`
   * @throws {TypeError} / {RangeError} for a bad `expected` or `timeoutMs`
   * @throws {Error} if the atomic's region is closed, or (off Linux) "not supported"
   */
  wait(expected: number, timeoutMs: number = Infinity): WaitResult {
    if (!Number.isSafeInteger(expected)) throw notSafeInteger(`AtomicInt.wait`, expected);
    const timeout = checkTimeout(`AtomicInt.wait`, timeoutMs);
    const address = this.#at();
    const region = this.#region;
    const code = nativeWait(address, expected, timeout, region?.native ?? 0, 0);
    return waitResult(`AtomicInt.wait`, code, region);
  }

  /**
   * Like {@link AtomicInt.wait}, without blocking: the wait runs off the JavaScript thread (a pooled
   * FFI call on Deno and koffi, a native waiter thread reporting through a pipe on Bun and
   * node:ffi), so nothing spins. If the region is closed meanwhile, the Promise rejects at once.
   *
   * @example
   * ```ts
   * import { AtomicInt } from "@atomicx/atomicx";
   *
   * const ready = new AtomicInt(0);
   * const woken = ready.waitAsync(0, 1000);
   * ready.store(1);
   * ready.notify();
   * console.log(await woken); // "ok"
   * ```
   * @returns a Promise of `"ok"`, `"not-equal"` or `"timed-out"`
   * @throws {TypeError} / {RangeError} (synchronously) for a bad `expected` or `timeoutMs`
   */
  waitAsync(expected: number, timeoutMs: number = Infinity): Promise<WaitResult> {
    if (!Number.isSafeInteger(expected)) throw notSafeInteger(`AtomicInt.waitAsync`, expected);
    const timeout = checkTimeout(`AtomicInt.waitAsync`, timeoutMs);
    const address = this.#at();
    // Compared here, when asked: the native waiter starts a moment later on another thread, and
    // treats a value that changed by then as woken.
    if (nativeLoad(address) !== expected) return Promise.resolve("not-equal");
    return waitAsyncOn(`AtomicInt.waitAsync`, "int", address, expected, timeout, this.#region);
  }

  /**
   * Wakes up to `count` threads waiting on this atomic (default: all), in this process and in
   * every other process that maps the same region.
   *
   * @example
   * ```ts
   * import { AtomicInt } from "@atomicx/atomicx";
   *
   * const jobs = new AtomicInt(0);
   * jobs.add(1);
   * jobs.notify(); // wakes every waiter; returns how many there were (here 0)
   * ```
   * @returns how many waiters were woken
   * @throws {TypeError} / {RangeError} for a `count` that is not a non-negative integer or Infinity
   */
  notify(count: number = Infinity): number {
    const n = checkCount(`AtomicInt.notify`, count);
    return notifyResult(`AtomicInt.notify`, nativeWake(this.#at(), n));
  }

  /** The value, for `JSON.stringify`. */
  toJSON(): number {
    return this.load();
  }

  /** `"AtomicInt"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "AtomicInt";
  }
}
