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

const {
  atomicx_bool_load: nativeLoad,
  atomicx_bool_store: nativeStore,
  atomicx_bool_swap: nativeSwap,
  atomicx_bool_compare_exchange: nativeCompareExchange,
  atomicx_bool_fetch_and: nativeAnd,
  atomicx_bool_fetch_or: nativeOr,
  atomicx_bool_fetch_xor: nativeXor,
} = native;

/** `value` as the word 0 or 1, after checking that it is a boolean. */
function word(where: string, value: boolean): number {
  if (typeof value !== "boolean") throw wrongType(where, "boolean", value);
  return value ? 1 : 0;
}

/**
 * An atomic boolean. It takes booleans only (`TypeError` otherwise).
 *
 * @example
 * ```ts
 * import { AtomicBool } from "./mod.ts";
 *
 * const ready = new AtomicBool();
 * if (!ready.swap(true)) console.log("first to arrive");
 * ready.flip(); // returns true; the value is now false
 * ```
 */
export class AtomicBool extends AtomicBase<boolean> {
  readonly #address: number;
  readonly #handle: AtomicHandle;

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

  /** Reads the value. */
  load(): boolean {
    return nativeLoad(this.#address) === 1;
  }

  /** Stores `value`. */
  store(value: boolean): void {
    nativeStore(this.#address, word("AtomicBool.store", value));
  }

  /** Stores `value`; returns the previous value. */
  swap(value: boolean): boolean {
    return nativeSwap(this.#address, word("AtomicBool.swap", value)) === 1;
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  compareExchange(expected: boolean, replacement: boolean): [boolean, boolean] {
    const want = word("AtomicBool.compareExchange", expected);
    const next = word("AtomicBool.compareExchange", replacement);
    const previous = nativeCompareExchange(this.#address, want, next);
    return [previous === want, previous === 1];
  }

  /**
   * Replaces the value with `fn(value)` atomically and returns the new value. `fn` may run more
   * than once; if it throws or returns a non-boolean, nothing is stored.
   */
  update(fn: (value: boolean) => boolean): boolean {
    if (typeof fn !== "function") throw notFunction("AtomicBool.update", fn);
    for (;;) {
      const current = nativeLoad(this.#address);
      const next = word("AtomicBool.update callback", fn(current === 1));
      if (nativeCompareExchange(this.#address, current, next) === current) return next === 1;
    }
  }

  /** Negates the value; returns the previous value. */
  flip(): boolean {
    return nativeXor(this.#address, 1) === 1;
  }

  /** Logical AND with `value`; returns the previous value. */
  fetchAnd(value: boolean): boolean {
    return nativeAnd(this.#address, word("AtomicBool.fetchAnd", value)) === 1;
  }

  /** Logical OR with `value`; returns the previous value. */
  fetchOr(value: boolean): boolean {
    return nativeOr(this.#address, word("AtomicBool.fetchOr", value)) === 1;
  }

  /** Logical XOR with `value`; returns the previous value. */
  fetchXor(value: boolean): boolean {
    return nativeXor(this.#address, word("AtomicBool.fetchXor", value)) === 1;
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
