/**
 * `AtomicBool`: an atomic boolean in a 32-bit word.
 *
 * @module
 */

import { native } from "../ffi/mod.ts";
import { notFunction, wrongType } from "./errors.ts";
import {
  adopt,
  allocateCell,
  type AtomicHandle,
  cellFromHandle,
  takeAdoptedCell,
} from "./handle.ts";
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

const {
  atomicx_bool_load: nativeLoad,
  atomicx_bool_store: nativeStore,
  atomicx_bool_swap: nativeSwap,
  atomicx_bool_compare_exchange: nativeCompareExchange,
  atomicx_bool_fetch_and: nativeAnd,
  atomicx_bool_fetch_or: nativeOr,
  atomicx_bool_fetch_xor: nativeXor,
  atomicx_bool_wait: nativeWait,
  atomicx_wake: nativeWake,
} = native;

/** `value` as the word 0 or 1, after checking that it is a boolean. */
function word(where: string, value: boolean): number {
  if (typeof value !== "boolean") throw wrongType(where, "boolean", value);
  return value ? 1 : 0;
}

/**
 * An atomic boolean. It takes booleans only (`TypeError` otherwise).
 *
 * `valueOf()` and `toString()` read the current value (so `+atomic` and template strings work),
 * and `console.log` shows `AtomicBool(true)` on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { AtomicBool } from "@atomicx/atomicx";
 *
 * const ready = new AtomicBool();
 * if (!ready.swap(true)) console.log("first to arrive");
 * ready.flip(); // returns true; the value is now false
 * ```
 */
export class AtomicBool extends AtomicBase<boolean> {
  readonly #address: number;
  readonly #handle: AtomicHandle;
  /** The region holding the value, or `undefined` for a SharedArrayBuffer. */
  readonly #region: RegionLink | undefined;

  /**
   * A new atomic in a SharedArrayBuffer of its own.
   *
   * @param initial a boolean (default false)
   * @throws {TypeError} if `initial` is not a boolean
   */
  constructor(initial: boolean = false) {
    super();
    let cell = takeAdoptedCell();
    if (cell === undefined) {
      const bit = word("new AtomicBool", initial);
      cell = allocateCell("bool");
      nativeStore(cell.address, bit);
    }
    this.#address = cell.address;
    this.#handle = cell.handle;
    this.#region = cell.region;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @throws {TypeError} if `handle` is not a `bool` handle
   * @throws {RangeError} if its offset is misaligned or outside its buffer
   */
  static from(handle: AtomicHandle): AtomicBool {
    return adopt(cellFromHandle(handle, "bool", "AtomicBool"), () => new AtomicBool());
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
    if (region !== undefined && region.closed) throw regionClosed("AtomicBool", region);
    return this.#address;
  }

  /** Reads the value. */
  load(): boolean {
    return nativeLoad(this.#at()) === 1;
  }

  /** Stores `value`. */
  store(value: boolean): void {
    nativeStore(this.#at(), word("AtomicBool.store", value));
  }

  /** Stores `value`; returns the previous value. */
  swap(value: boolean): boolean {
    return nativeSwap(this.#at(), word("AtomicBool.swap", value)) === 1;
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: boolean, replacement: boolean): [boolean, boolean] {
    const want = word("AtomicBool.compareExchange", expected);
    const next = word("AtomicBool.compareExchange", replacement);
    const previous = nativeCompareExchange(this.#at(), want, next);
    return [previous === want, previous === 1];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once; if it throws or returns a non-boolean, nothing is stored.
   */
  update(fn: (value: boolean) => boolean): boolean {
    if (typeof fn !== "function") throw notFunction("AtomicBool.update", fn);
    for (;;) {
      const current = nativeLoad(this.#at());
      const next = word("AtomicBool.update callback", fn(current === 1));
      if (nativeCompareExchange(this.#at(), current, next) === current) return next === 1;
    }
  }

  /** Negates the value; returns the previous value. */
  flip(): boolean {
    return nativeXor(this.#at(), 1) === 1;
  }

  /** Logical AND with `value`; returns the previous value. */
  fetchAnd(value: boolean): boolean {
    return nativeAnd(this.#at(), word("AtomicBool.fetchAnd", value)) === 1;
  }

  /** Logical OR with `value`; returns the previous value. */
  fetchOr(value: boolean): boolean {
    return nativeOr(this.#at(), word("AtomicBool.fetchOr", value)) === 1;
  }

  /** Logical XOR with `value`; returns the previous value. */
  fetchXor(value: boolean): boolean {
    return nativeXor(this.#at(), word("AtomicBool.fetchXor", value)) === 1;
  }

  /**
   * Blocks this thread while the value is `expected`, until a `notify` or `timeoutMs` passes. Works
   * between Workers (SharedArrayBuffer) and between processes (a `SharedMemory` region): a futex
   * on the value's address, so the thread sleeps rather than spins. Blocking the main thread is
   * allowed on Deno, Bun and Node (unlike `Atomics.wait` in browsers); prefer `waitAsync` there.
   *
   * @example
   * ```ts
   * import { AtomicBool } from "@atomicx/atomicx";
   *
   * const done = new AtomicBool(false);
   * done.wait(false, 10); // "timed-out"
   * done.wait(true); // "not-equal" at once
   * ```
   * @param timeoutMs milliseconds ≥ 0 (default Infinity: no timeout)
   * @returns `"ok"` woken by a notify, `"not-equal"` the value was not `expected`, `"timed-out"`
   * @throws {TypeError} / {RangeError} for a bad `expected` or `timeoutMs`
   * @throws {Error} if the atomic's region is closed, or (off Linux) "not supported"
   */
  wait(expected: boolean, timeoutMs: number = Infinity): WaitResult {
    const want = word(`AtomicBool.wait`, expected);
    const timeout = checkTimeout(`AtomicBool.wait`, timeoutMs);
    const address = this.#at();
    const region = this.#region;
    const code = nativeWait(address, want, timeout, region?.native ?? 0, 0);
    return waitResult(`AtomicBool.wait`, code, region);
  }

  /**
   * Like {@link AtomicBool.wait}, without blocking: the wait runs off the JavaScript thread (a pooled
   * FFI call on Deno and koffi, a native waiter thread reporting through a pipe on Bun and
   * node:ffi), so nothing spins. If the region is closed meanwhile, the Promise rejects at once.
   *
   * @example
   * ```ts
   * import { AtomicBool } from "@atomicx/atomicx";
   *
   * const done = new AtomicBool(false);
   * const woken = done.waitAsync(false, 1000);
   * done.store(true);
   * done.notify();
   * console.log(await woken); // "ok"
   * ```
   * @returns a Promise of `"ok"`, `"not-equal"` or `"timed-out"`
   * @throws {TypeError} / {RangeError} (synchronously) for a bad `expected` or `timeoutMs`
   */
  waitAsync(expected: boolean, timeoutMs: number = Infinity): Promise<WaitResult> {
    const want = word(`AtomicBool.waitAsync`, expected);
    const timeout = checkTimeout(`AtomicBool.waitAsync`, timeoutMs);
    const address = this.#at();
    // Compared here, when asked: the native waiter starts a moment later on another thread, and
    // treats a value that changed by then as woken.
    if (nativeLoad(address) !== want) return Promise.resolve("not-equal");
    return waitAsyncOn(`AtomicBool.waitAsync`, "bool", address, want, timeout, this.#region);
  }

  /**
   * Wakes up to `count` threads waiting on this atomic (default: all), in this process and in
   * every other process that maps the same region.
   *
   * @example
   * ```ts
   * import { AtomicBool } from "@atomicx/atomicx";
   *
   * const done = new AtomicBool(false);
   * done.store(true);
   * done.notify(1); // wakes one waiter; returns how many were woken (here 0)
   * ```
   * @returns how many waiters were woken
   * @throws {TypeError} / {RangeError} for a `count` that is not a non-negative integer or Infinity
   */
  notify(count: number = Infinity): number {
    const n = checkCount(`AtomicBool.notify`, count);
    return notifyResult(`AtomicBool.notify`, nativeWake(this.#at(), n));
  }

  /** The value, for `JSON.stringify`. */
  toJSON(): boolean {
    return this.load();
  }

  /** `"AtomicBool"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "AtomicBool";
  }
}
