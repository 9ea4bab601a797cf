/**
 * `AtomicBool`: an atomic boolean in a 32-bit word.
 *
 * (Why its methods repeat the shape of the other classes': see the top of `int.ts`.)
 *
 * @module
 */

import type { BoolOps, WaitResult } from "../engine/_ops.ts";
import { AtomicBase, notifyOn, waitAsyncOn, waitOn } from "./_atomic_base.ts";
import { boolWord } from "./_values.ts";
import { notFunction } from "./_errors.ts";
import type { AtomicHandle } from "./handle.ts";
import { Cell, construct, handleOf, newCell } from "./_storage.ts";
import { cellFromHandle } from "./_from_handle.ts";

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
  /** The engine functions for the memory holding the value. */
  readonly #ops: BoolOps;
  /** The value's location in that memory. */
  readonly #loc: number;

  /**
   * A new atomic in this process's shared memory; hand it to Workers with {@link AtomicBool.handle}.
   *
   * @param initial a boolean (default false)
   * @throws {TypeError} if `initial` is not a boolean
   */
  constructor(initial?: boolean);
  constructor(initial: boolean = false, cell?: Cell) {
    super();
    if (cell === undefined) {
      const bit = boolWord("new AtomicBool", initial);
      cell = newCell("bool");
      cell.space.bool.store(cell.loc, bit);
      cell.adoptedBy(this);
    } else {
      cell = Cell.check(cell, "bool");
      cell.adoptedBy(this);
    }
    this.#ops = cell.space.bool;
    this.#loc = cell.loc;
  }

  /**
   * The atomic a handle describes, e.g. one received from another Worker.
   *
   * @throws {TypeError} if `handle` is not a `bool` handle
   * @throws {RangeError} if its offset is misaligned or outside its memory
   */
  static from(handle: AtomicHandle<"bool">): AtomicBool {
    return construct(AtomicBool, [undefined], cellFromHandle(handle, "bool", "AtomicBool"));
  }

  /**
   * Where this atomic lives: plain data to `postMessage` to a Worker. (Once taken, the atomic's
   * bytes stay reserved for the life of the process's shared memory, since another thread may
   * still use them.)
   */
  get handle(): AtomicHandle<"bool"> {
    return handleOf(this, this.#ops, this.#loc) as AtomicHandle<"bool">;
  }

  /** Reads the value. */
  load(): boolean {
    return this.#ops.load(this.#loc) === 1;
  }

  /** Stores `value`. */
  store(value: boolean): void {
    this.#ops.store(this.#loc, boolWord("AtomicBool.store", value));
  }

  /** Stores `value`; returns the previous value. */
  swap(value: boolean): boolean {
    return this.#ops.swap(this.#loc, boolWord("AtomicBool.swap", value)) === 1;
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: boolean, replacement: boolean): [boolean, boolean] {
    const want = boolWord("AtomicBool.compareExchange", expected);
    const next = boolWord("AtomicBool.compareExchange", replacement);
    const previous = this.#ops.compareExchange(this.#loc, want, next);
    return [previous === want, previous === 1];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once; if it throws or returns a non-boolean, nothing is stored.
   */
  update(fn: (value: boolean) => boolean): boolean {
    if (typeof fn !== "function") throw notFunction("AtomicBool.update", fn);
    for (;;) {
      const current = this.#ops.load(this.#loc);
      const next = boolWord("AtomicBool.update callback", fn(current === 1));
      if (this.#ops.compareExchange(this.#loc, current, next) === current) return next === 1;
    }
  }

  /** Negates the value; returns the previous value. */
  flip(): boolean {
    return this.#ops.xor(this.#loc, 1) === 1;
  }

  /** Logical AND with `value`; returns the previous value. */
  fetchAnd(value: boolean): boolean {
    return this.#ops.and(this.#loc, boolWord("AtomicBool.fetchAnd", value)) === 1;
  }

  /** Logical OR with `value`; returns the previous value. */
  fetchOr(value: boolean): boolean {
    return this.#ops.or(this.#loc, boolWord("AtomicBool.fetchOr", value)) === 1;
  }

  /** Logical XOR with `value`; returns the previous value. */
  fetchXor(value: boolean): boolean {
    return this.#ops.xor(this.#loc, boolWord("AtomicBool.fetchXor", value)) === 1;
  }

  /**
   * Blocks this thread while the value is `expected`, until a `notify` or `timeoutMs` passes. Works
   * between Workers (the built-in `Atomics.wait` on the value) and between processes (a futex on
   * its address in a `SharedMemory` region), so the thread sleeps rather than spins. Blocking the
   * main thread is allowed on Deno, Bun and Node; a browser page's main thread refuses it with a
   * `TypeError` — use `waitAsync` there.
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
   * @throws {TypeError} on a thread that may not block (a browser page's main thread)
   * @throws {Error} if the atomic's region is closed
   */
  wait(expected: boolean, timeoutMs: number = Infinity): WaitResult {
    const want = boolWord("AtomicBool.wait", expected);
    return waitOn("AtomicBool.wait", this.#ops, this.#loc, want, timeoutMs);
  }

  /**
   * Like {@link AtomicBool.wait}, without blocking: `Atomics.waitAsync` for an atomic of this
   * process, a native waiter off the JavaScript thread in a `SharedMemory` region; nothing spins.
   * If the region is closed meanwhile, the Promise rejects at once.
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
    const want = boolWord("AtomicBool.waitAsync", expected);
    return waitAsyncOn("AtomicBool.waitAsync", this.#ops, this.#loc, want, timeoutMs);
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
    return notifyOn("AtomicBool.notify", this.#ops, this.#loc, count);
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
