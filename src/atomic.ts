/**
 * `Atomic<T>`: what the four atomic classes have in common, for code generic over them.
 *
 * @module
 */

import type { AtomicBigInt } from "./bigint.ts";
import type { AtomicBool } from "./bool.ts";
import type { AtomicFloat } from "./float.ts";
import type { AtomicHandle } from "./handle.ts";
import type { AtomicInt } from "./int.ts";

/**
 * Any atomic holding a `T`: `Atomic<number>` is an `AtomicInt` or an `AtomicFloat`,
 * `Atomic<bigint>` an `AtomicBigInt`, `Atomic<boolean>` an `AtomicBool`. It has the operations
 * every class shares — read, write, swap, compare-exchange, update — and its handle.
 *
 * @example
 * ```ts
 * import { type Atomic, AtomicFloat, AtomicInt } from "@atomicx/atomicx";
 *
 * function bumpTo<T>(atomic: Atomic<T>, next: (value: T) => T): T {
 *   return atomic.update(next);
 * }
 * bumpTo(new AtomicInt(1), (v) => v + 1); // 2
 * bumpTo(new AtomicFloat(0.5), (v) => v * 3); // 1.5
 * ```
 */
export interface Atomic<T> {
  /** Reads the value. */
  load(): T;
  /** Stores `value`. */
  store(value: T): void;
  /** Stores `value`; returns the previous value. */
  swap(value: T): T;
  /** Stores `replacement` if the value is `expected`; returns `[stored, previous]`. */
  compareExchange(expected: T, replacement: T): [boolean, T];
  /** Replaces the value with `fn(value)` atomically; returns the new value. */
  update(fn: (value: T) => T): T;
  /** Where the atomic lives: plain data to `postMessage` to a Worker. */
  readonly handle: AtomicHandle;
}

// Every class fits `Atomic` of its value type (checked here, at compile time only).
type Fits<C extends Atomic<unknown>> = C;
export type _Checked = [
  Fits<AtomicInt>,
  Fits<AtomicFloat>,
  Fits<AtomicBigInt>,
  Fits<AtomicBool>,
];
