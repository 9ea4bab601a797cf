/**
 * `AtomicInt`: a 64-bit signed atomic that always holds a JavaScript safe integer.
 *
 * Its methods and those of `bigint.ts`, `bool.ts` and `float.ts` repeat one shape (check the
 * operand, call the engine) on purpose: each calls its own engine function on its own private
 * fields, so every call site sees one target and V8's and JavaScriptCore's fast call holds; one
 * generic method over the four kinds would not. What is off that hot path is in `_atomic_base.ts`.
 *
 * @module
 */

import type { IntOps, WaitResult } from "../engine/_ops.ts";
import { AtomicBase, notifyOn, waitAsyncOn, waitOn } from "./_atomic_base.ts";
import { divisionByZero, intOverflow, notFunction, notSafeInteger } from "./_errors.ts";
import type { AtomicHandle } from "./handle.ts";
import { Cell, construct, handleOf, newCell } from "./_storage.ts";
import { cellFromHandle } from "./_from_handle.ts";

/**
 * A 64-bit signed atomic integer that takes and returns JavaScript numbers and always holds a safe
 * integer. Every operation is one sequentially consistent atomic operation (one WebAssembly call for
 * an atomic of this process, one native call in a `SharedMemory` region); an operation
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
  /** The engine functions for the memory holding the value. */
  readonly #ops: IntOps;
  /** The value's location in that memory. */
  readonly #loc: number;

  /**
   * A new atomic in this process's shared memory; hand it to Workers with {@link AtomicInt.handle}.
   *
   * @param initial a safe integer (default 0)
   * @throws {TypeError} if `initial` is not a number
   * @throws {RangeError} if `initial` is not a safe integer
   */
  constructor(initial?: number);
  constructor(initial: number = 0, cell?: Cell) {
    super();
    if (cell === undefined) {
      if (!Number.isSafeInteger(initial)) throw notSafeInteger("new AtomicInt", initial);
      cell = newCell("int");
      cell.space.int.store(cell.loc, initial);
      cell.adoptedBy(this);
    } else {
      cell = Cell.check(cell, "int");
      cell.adoptedBy(this);
    }
    this.#ops = cell.space.int;
    this.#loc = cell.loc;
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
   * @throws {RangeError} if its offset is misaligned or outside its memory
   */
  static from(handle: AtomicHandle<"int">): AtomicInt {
    return construct(AtomicInt, [undefined], cellFromHandle(handle, "int", "AtomicInt"));
  }

  /**
   * Where this atomic lives: plain data to `postMessage` to a Worker. (Once taken, the atomic's
   * 8 bytes stay reserved for the life of the process's shared memory, since another thread may
   * still use them.)
   */
  get handle(): AtomicHandle<"int"> {
    return handleOf(this, this.#ops, this.#loc) as AtomicHandle<"int">;
  }

  /** Reads the value. */
  load(): number {
    return this.#ops.load(this.#loc);
  }

  /** Stores `value`, a safe integer. */
  store(value: number): void {
    if (!Number.isSafeInteger(value)) throw notSafeInteger("AtomicInt.store", value);
    this.#ops.store(this.#loc, value);
  }

  /** Stores `value`; returns the previous value. */
  swap(value: number): number {
    if (!Number.isSafeInteger(value)) throw notSafeInteger("AtomicInt.swap", value);
    return this.#ops.swap(this.#loc, value);
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
    const previous = this.#ops.compareExchange(this.#loc, expected, replacement);
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
      const current = this.#ops.load(this.#loc);
      const next = fn(current);
      if (!Number.isSafeInteger(next)) throw notSafeInteger("AtomicInt.update callback", next);
      if (this.#ops.compareExchange(this.#loc, current, next) === current) return next;
    }
  }

  /** Adds `delta`; returns the previous value. Throws `RangeError` (changing nothing) on overflow. */
  add(delta: number): number {
    if (!Number.isSafeInteger(delta)) throw notSafeInteger("AtomicInt.add", delta);
    const previous = this.#ops.add(this.#loc, delta);
    if (previous !== previous) throw intOverflow("AtomicInt.add", delta, this.load());
    return previous;
  }

  /** Subtracts `delta`; returns the previous value. Throws `RangeError` on overflow. */
  sub(delta: number): number {
    if (!Number.isSafeInteger(delta)) throw notSafeInteger("AtomicInt.sub", delta);
    const previous = this.#ops.sub(this.#loc, delta);
    if (previous !== previous) throw intOverflow("AtomicInt.sub", delta, this.load());
    return previous;
  }

  /** Multiplies by `factor`; returns the previous value. Throws `RangeError` on overflow. */
  mul(factor: number): number {
    if (!Number.isSafeInteger(factor)) throw notSafeInteger("AtomicInt.mul", factor);
    const previous = this.#ops.mul(this.#loc, factor);
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
    return this.#ops.div(this.#loc, divisor);
  }

  /** Adds 1; returns the previous value. Throws `RangeError` at 2^53−1. */
  inc(): number {
    const previous = this.#ops.add(this.#loc, 1);
    if (previous !== previous) throw intOverflow("AtomicInt.inc", 1, this.load());
    return previous;
  }

  /** Subtracts 1; returns the previous value. Throws `RangeError` at −(2^53−1). */
  dec(): number {
    const previous = this.#ops.sub(this.#loc, 1);
    if (previous !== previous) throw intOverflow("AtomicInt.dec", 1, this.load());
    return previous;
  }

  /** Stores the larger of the value and `other`; returns the previous value. */
  fetchMax(other: number): number {
    if (!Number.isSafeInteger(other)) throw notSafeInteger("AtomicInt.fetchMax", other);
    return this.#ops.max(this.#loc, other);
  }

  /** Stores the smaller of the value and `other`; returns the previous value. */
  fetchMin(other: number): number {
    if (!Number.isSafeInteger(other)) throw notSafeInteger("AtomicInt.fetchMin", other);
    return this.#ops.min(this.#loc, other);
  }

  /**
   * Bitwise AND on the 64-bit two's-complement form; returns the previous value. The one result
   * that is not a safe integer, −2^53, throws `RangeError`.
   */
  fetchAnd(bits: number): number {
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicInt.fetchAnd", bits);
    const previous = this.#ops.and(this.#loc, bits);
    if (previous !== previous) throw intOverflow("AtomicInt.fetchAnd", bits, this.load());
    return previous;
  }

  /** Bitwise OR on the 64-bit two's-complement form; returns the previous value. */
  fetchOr(bits: number): number {
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicInt.fetchOr", bits);
    const previous = this.#ops.or(this.#loc, bits);
    if (previous !== previous) throw intOverflow("AtomicInt.fetchOr", bits, this.load());
    return previous;
  }

  /** Bitwise XOR on the 64-bit two's-complement form; returns the previous value. */
  fetchXor(bits: number): number {
    if (!Number.isSafeInteger(bits)) throw notSafeInteger("AtomicInt.fetchXor", bits);
    const previous = this.#ops.xor(this.#loc, bits);
    if (previous !== previous) throw intOverflow("AtomicInt.fetchXor", bits, this.load());
    return previous;
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
   * import { AtomicInt } from "@atomicx/atomicx";
   *
   * const flag = new AtomicInt(0);
   * flag.wait(0, 10); // "timed-out": nobody stored and notified within 10 ms
   * flag.wait(1); // "not-equal" at once: the value is 0
   * ```
   * @param timeoutMs milliseconds ≥ 0 (default Infinity: no timeout)
   * @returns `"ok"` woken by a notify, `"not-equal"` the value was not `expected`, `"timed-out"`
   * @throws {TypeError} / {RangeError} for a bad `expected` or `timeoutMs`
   * @throws {TypeError} on a thread that may not block (a browser page's main thread)
   * @throws {Error} if the atomic's region is closed
   */
  wait(expected: number, timeoutMs: number = Infinity): WaitResult {
    if (!Number.isSafeInteger(expected)) throw notSafeInteger("AtomicInt.wait", expected);
    return waitOn("AtomicInt.wait", this.#ops, this.#loc, expected, timeoutMs);
  }

  /**
   * Like {@link AtomicInt.wait}, without blocking: `Atomics.waitAsync` for an atomic of this
   * process, a native waiter off the JavaScript thread in a `SharedMemory` region; nothing spins.
   * If the region is closed meanwhile, the Promise rejects at once.
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
    if (!Number.isSafeInteger(expected)) throw notSafeInteger("AtomicInt.waitAsync", expected);
    return waitAsyncOn("AtomicInt.waitAsync", this.#ops, this.#loc, expected, timeoutMs);
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
    return notifyOn("AtomicInt.notify", this.#ops, this.#loc, count);
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
