/**
 * `AtomicBoolArray`: a fixed-length array of `AtomicBool` elements (32-bit words) in one block.
 *
 * @module
 */

import type { BoolOps, WaitResult } from "../../engine/ops.ts";
import { notifyOn, waitAsyncOn, waitOn } from "../_atomic_base.ts";
import { notFunction, wrongType } from "../errors.ts";
import { cellInBlock, construct } from "../handle.ts";
import { AtomicBool } from "../bool.ts";
import {
  arrayBlockFromHandle,
  type ArrayHandle,
  AtomicArrayBase,
  badIndex,
  checkBlock,
  checkLength,
  freshArrayBlock,
} from "./_base.ts";

/** `value` as the word 0 or 1, after checking that it is a boolean. */
function word(where: string, value: boolean): number {
  if (typeof value !== "boolean") throw wrongType(where, "boolean", value);
  return value ? 1 : 0;
}

/**
 * A fixed-length array of atomic booleans, one 32-bit word each: every operation of
 * {@link AtomicBool} with the element's index first. An index that is not an integer in
 * `[0, length)` throws `RangeError` (`TypeError` for a non-number) and changes nothing.
 *
 * @example A done flag per job
 * ```ts
 * import { AtomicBoolArray } from "@atomicx/atomicx";
 *
 * const done = new AtomicBoolArray(3);
 * done.store(2, true);
 * console.log(done.toArray()); // [false, false, true]
 * ```
 */
export class AtomicBoolArray extends AtomicArrayBase<boolean> {
  readonly #ops: BoolOps;
  readonly #base: number;
  readonly #length: number;

  /**
   * A new array of `length` falses in this process's shared memory.
   *
   * @throws {TypeError} if `length` is not a number
   * @throws {RangeError} if `length` is not an integer in [0, 2^27]
   */
  constructor(length: number);
  constructor(length: number, block?: unknown) {
    const fresh = block === undefined;
    if (fresh) block = freshArrayBlock(checkLength("new AtomicBoolArray", length), 4);
    const b = checkBlock(block);
    super("boolArray", length, b, fresh);
    this.#ops = b.space.bool;
    this.#base = b.base;
    this.#length = length;
  }

  /**
   * A new array holding `values`.
   *
   * @example From values
   * ```ts
   * import { AtomicBoolArray } from "@atomicx/atomicx";
   *
   * console.log(AtomicBoolArray.of(true, false).toArray()); // [true, false]
   * ```
   * @throws {TypeError} if a value is not a boolean
   */
  static of(...values: boolean[]): AtomicBoolArray {
    for (const v of values) word("AtomicBoolArray.of", v);
    const array = new AtomicBoolArray(values.length);
    for (let i = 0; i < values.length; i++) array.store(i, values[i]);
    return array;
  }

  /**
   * The array a handle describes, e.g. one received from another Worker.
   *
   * @example Same array, two objects
   * ```ts
   * import { AtomicBoolArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicBoolArray(1);
   * AtomicBoolArray.from(a.handle).flip(0);
   * console.log(a.load(0)); // true
   * ```
   * @throws {TypeError} if `handle` is not a `boolArray` handle
   * @throws {RangeError} if its offset is misaligned or its elements lie outside its memory
   */
  static from(handle: ArrayHandle<"boolArray">): AtomicBoolArray {
    const { block, length } = arrayBlockFromHandle(handle, "boolArray", "AtomicBoolArray");
    return Reflect.construct(AtomicBoolArray, [length, block]) as AtomicBoolArray;
  }

  /** Where this array lives: plain data to `postMessage` to a Worker. */
  get handle(): ArrayHandle<"boolArray"> {
    return this.arrayHandle() as ArrayHandle<"boolArray">;
  }

  /** Element `i` as an `AtomicBool` on the same memory (which then stays reserved). */
  at(i: number): AtomicBool {
    const where = "AtomicBoolArray.at";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return construct(AtomicBool, cellInBlock("bool", this.pinnedBlock(), i * 4));
  }

  /** Reads element `i`. */
  load(i: number): boolean {
    const where = "AtomicBoolArray.load";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.load(this.#base + i * 4) === 1;
  }

  /** Stores `value` in element `i`. */
  store(i: number, value: boolean): void {
    const where = "AtomicBoolArray.store";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    this.#ops.store(this.#base + i * 4, word(where, value));
  }

  /** Stores `value` in element `i`; returns the previous value. */
  swap(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.swap";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.swap(this.#base + i * 4, word(where, value)) === 1;
  }

  /**
   * Stores `replacement` in element `i` if it is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(i: number, expected: boolean, replacement: boolean): [boolean, boolean] {
    const where = "AtomicBoolArray.compareExchange";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    const want = word(where, expected);
    const next = word(where, replacement);
    const previous = this.#ops.compareExchange(this.#base + i * 4, want, next);
    return [previous === want, previous === 1];
  }

  /** Replaces element `i` with `fn(value)` atomically; returns the new value (`fn` may rerun). */
  update(i: number, fn: (value: boolean) => boolean): boolean {
    const where = "AtomicBoolArray.update";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    if (typeof fn !== "function") throw notFunction(where, fn);
    const loc = this.#base + i * 4;
    for (;;) {
      const current = this.#ops.load(loc);
      const next = word(`${where} callback`, fn(current === 1));
      if (this.#ops.compareExchange(loc, current, next) === current) return next === 1;
    }
  }

  /** Negates element `i`; returns the previous value. */
  flip(i: number): boolean {
    const where = "AtomicBoolArray.flip";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.xor(this.#base + i * 4, 1) === 1;
  }

  /** Logical AND of element `i` with `value`; returns the previous value. */
  fetchAnd(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.fetchAnd";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.and(this.#base + i * 4, word(where, value)) === 1;
  }

  /** Logical OR of element `i` with `value`; returns the previous value. */
  fetchOr(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.fetchOr";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.or(this.#base + i * 4, word(where, value)) === 1;
  }

  /** Logical XOR of element `i` with `value`; returns the previous value. */
  fetchXor(i: number, value: boolean): boolean {
    const where = "AtomicBoolArray.fetchXor";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return this.#ops.xor(this.#base + i * 4, word(where, value)) === 1;
  }

  /**
   * Blocks this thread while element `i` is `expected`, until a `notify` on it or `timeoutMs`
   * passes (as {@link AtomicBool.wait}).
   *
   * @returns `"ok"`, `"not-equal"` or `"timed-out"`
   */
  wait(i: number, expected: boolean, timeoutMs: number = Infinity): WaitResult {
    const where = "AtomicBoolArray.wait";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return waitOn(where, this.#ops, this.#base + i * 4, word(where, expected), timeoutMs);
  }

  /** Like {@link AtomicBoolArray.wait}, without blocking: a Promise of the result. */
  waitAsync(i: number, expected: boolean, timeoutMs: number = Infinity): Promise<WaitResult> {
    const where = "AtomicBoolArray.waitAsync";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return waitAsyncOn(where, this.#ops, this.#base + i * 4, word(where, expected), timeoutMs);
  }

  /** Wakes up to `count` threads waiting on element `i` (default: all); returns how many. */
  notify(i: number, count: number = Infinity): number {
    const where = "AtomicBoolArray.notify";
    if (!((i >>> 0) === i && i < this.#length)) throw badIndex(where, i, this.#length);
    return notifyOn(where, this.#ops, this.#base + i * 4, count);
  }

  /** The values, for `JSON.stringify`. */
  toJSON(): boolean[] {
    return this.toArray();
  }

  /** `"AtomicBoolArray"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "AtomicBoolArray";
  }
}
