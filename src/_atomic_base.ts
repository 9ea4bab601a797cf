/**
 * What the four atomic classes share off the hot path: conversions that read the current value,
 * the readable form in `console.log` on every runtime, and the checks of `wait`/`notify` arguments.
 * The operations themselves live in each class, each calling its own engine function, so that
 * every call site stays monomorphic.
 *
 * @module
 */

import type { WaitOps, WaitResult } from "../engine/_ops.ts";
import { describe } from "./_errors.ts";

/** Node's and Bun's custom-inspect hook. */
const nodeInspect = Symbol.for("nodejs.util.inspect.custom");
/** Deno's custom-inspect hook. */
const denoInspect = Symbol.for("Deno.customInspect");

/**
 * The base of `AtomicInt`, `AtomicBigInt`, `AtomicBool` and `AtomicFloat`. Not exported from
 * `mod.ts`; what every class inherits from it — `valueOf()`, `toString()` and the `console.log`
 * form — is described in each class's docs.
 *
 * Published in the declarations (the classes extend it), so not marked internal (the npm
 * build strips internal declarations); `@ignore` keeps it out of the generated docs instead.
 *
 * @ignore
 */
export abstract class AtomicBase<T> {
  /** Reads the current value. */
  abstract load(): T;

  /** The current value, so that `+atomic` and comparisons read it. */
  valueOf(): T {
    return this.load();
  }

  /** The current value as a string. */
  toString(): string {
    return String(this.load());
  }

  /** `AtomicInt(5)`: the class name and the current value. */
  [nodeInspect](): string {
    return this.#display();
  }

  /** `AtomicInt(5)`: the class name and the current value. */
  [denoInspect](): string {
    return this.#display();
  }

  #display(): string {
    const name = (this as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? "Atomic";
    let value: T;
    try {
      value = this.load();
    } catch {
      return `${name}(<unreadable: its region is closed>)`;
    }
    const shown = typeof value === "bigint"
      ? `${value}n`
      : Object.is(value, -0)
      ? "-0"
      : String(value);
    return `${name}(${shown})`;
  }
}

/** `timeoutMs` after checking it: a number ≥ 0 (Infinity: no timeout). */
function checkTimeout(where: string, timeoutMs: unknown): number {
  if (typeof timeoutMs !== "number") {
    throw new TypeError(`${where}: timeoutMs must be a number, got ${describe(timeoutMs)}`);
  }
  if (!(timeoutMs >= 0)) {
    throw new RangeError(`${where}: timeoutMs must be ≥ 0 or Infinity, got ${timeoutMs}`);
  }
  return timeoutMs;
}

/** `count` after checking it: a non-negative integer or Infinity (all waiters). */
function checkCount(where: string, count: unknown): number {
  if (typeof count !== "number") {
    throw new TypeError(`${where}: count must be a number, got ${describe(count)}`);
  }
  if (!(count === Infinity || (Number.isSafeInteger(count) && count >= 0))) {
    throw new RangeError(
      `${where}: count must be a non-negative integer or Infinity, got ${count}`,
    );
  }
  return count;
}

/** `wait` with its timeout checked; `expected` is already in the engine's encoding. */
export function waitOn<T>(
  where: string,
  ops: WaitOps<T>,
  loc: number,
  expected: T,
  timeoutMs: unknown,
): WaitResult {
  return ops.wait(loc, expected, checkTimeout(where, timeoutMs));
}

/** `waitAsync` with its timeout checked (synchronously: a bad argument throws, not rejects). */
export function waitAsyncOn<T>(
  where: string,
  ops: WaitOps<T>,
  loc: number,
  expected: T,
  timeoutMs: unknown,
): Promise<WaitResult> {
  return ops.waitAsync(loc, expected, checkTimeout(where, timeoutMs));
}

/** `notify` with its count checked. */
export function notifyOn<T>(where: string, ops: WaitOps<T>, loc: number, count: unknown): number {
  return ops.notify(loc, checkCount(where, count));
}
