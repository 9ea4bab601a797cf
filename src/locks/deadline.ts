/**
 * Deadlines of waits, for every wait loop of the package — the lock words' loop (`_wait.ts`), the
 * in-thread task queue (`_tasks.ts`) and the Redis locks' loop (`redis/_acquire.ts`): checking
 * `{ timeout, signal }`, the "already aborted" check, the `TimeoutError`, racing a promise against
 * the deadline and the signal, and holding the event loop open until the deadline (any length,
 * beyond `setTimeout`'s 2^31−1 ms). It is meant to be shared: it imports nothing of the locks.
 *
 * @module
 */

import { describe } from "../_errors.ts";
import { keepAlive, MAX_TIMER_MS } from "../../engine/_keep_alive.ts";

/**
 * An `AbortSignal` as atomicx's types name it — a real `AbortSignal` fits — so that the package's
 * types need no DOM library.
 *
 * @example
 * ```ts
 * import type { AbortSignalLike } from "@atomicx/atomicx";
 *
 * const signal: AbortSignalLike = AbortSignal.timeout(1000);
 * console.log(signal.aborted); // false
 * ```
 */
export interface AbortSignalLike {
  /** Whether it was aborted. */
  readonly aborted: boolean;
  /** Why it was aborted. */
  readonly reason: unknown;
  /** Listens for the abort. */
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  /** Stops listening. */
  removeEventListener(type: "abort", listener: () => void): void;
}

const AbortSignalClass = (globalThis as unknown as { AbortSignal: abstract new () => unknown })
  .AbortSignal;
const DOMExceptionClass = (globalThis as unknown as {
  DOMException: new (message: string, name: string) => Error;
}).DOMException;

/**
 * Options of every wait: `timeout` in milliseconds (default Infinity) and an `AbortSignal`.
 *
 * @example
 * ```ts
 * import { Mutex, type WaitOptions } from "@atomicx/atomicx";
 *
 * const options: WaitOptions = { timeout: 50, signal: new AbortController().signal };
 * await using guard = await new Mutex().lockAsync(options);
 * ```
 */
export interface WaitOptions {
  /** Milliseconds to wait at most (default Infinity). */
  readonly timeout?: number;
  /**
   * Aborting it ends the wait with `signal.reason`. A blocking wait checks it on entry only (its
   * thread is blocked, so no abort can fire meanwhile); an already-aborted signal changes nothing.
   */
  readonly signal?: AbortSignalLike;
}

/** A checked wait: its deadline on the monotonic clock and its signal. */
export interface Deadline {
  readonly at: number;
  readonly signal: AbortSignalLike | undefined;
}

/** No deadline and no signal (relocking after a condition wait). */
export const FOREVER: Deadline = Object.freeze({ at: Infinity, signal: undefined });

/** Checks `options` and starts the clock. */
export function deadlineOf(where: string, options: unknown): Deadline {
  if (options === undefined) return FOREVER;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  const { timeout = Infinity, signal } = options as WaitOptions;
  if (typeof timeout !== "number") {
    throw new TypeError(`${where}: timeout must be a number, got ${describe(timeout)}`);
  }
  if (!(timeout >= 0)) {
    throw new RangeError(`${where}: timeout must be ≥ 0 or Infinity, got ${timeout}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignalClass)) {
    throw new TypeError(`${where}: signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return { at: performance.now() + timeout, signal };
}

/** The `DOMException` named `"TimeoutError"`. */
export function timeoutError(where: string): Error {
  return new DOMExceptionClass(`${where}: timed out`, "TimeoutError");
}

/** Throws `signal.reason` if aborted. */
export function checkAbort(deadline: Deadline): void {
  if (deadline.signal?.aborted) throw deadline.signal.reason;
}

/**
 * Milliseconds left until the deadline (0 once it passed; Infinity for none).
 *
 * @example
 * ```ts
 * import { deadlineOf, msLeft } from "./deadline.ts";
 *
 * console.log(msLeft(deadlineOf("example", { timeout: 50 })) <= 50); // true
 * ```
 */
export function msLeft(deadline: Deadline): number {
  const left = deadline.at - performance.now();
  return left > 0 ? left : 0;
}

/**
 * Holds the event loop open until the deadline (nothing for a wait without one); returns the
 * function that lets go — call it as soon as the wait ends, however it ends, so that an aborted
 * or finished wait never delays exit.
 *
 * @example
 * ```ts
 * import { deadlineOf, keepAliveUntil } from "./deadline.ts";
 *
 * const release = keepAliveUntil(deadlineOf("example", { timeout: 60_000 }));
 * release(); // the process may exit now
 * ```
 */
export function keepAliveUntil(deadline: Deadline): () => void {
  return deadline.at === Infinity ? noop : keepAlive(msLeft(deadline) + 50);
}

/**
 * Calls `fn` once the deadline passes (never for none; any length, in steps of at most 2^31−1 ms);
 * returns the function that cancels it. The timer keeps the event loop open like any timer,
 * unless `quiet` (then something else must: a Redis client's connection, say).
 *
 * @example
 * ```ts
 * import { atDeadline, deadlineOf } from "./deadline.ts";
 *
 * const cancel = atDeadline(deadlineOf("example", { timeout: 10 }), () => console.log("late"));
 * cancel();
 * ```
 */
export function atDeadline(deadline: Deadline, fn: () => void, quiet = false): () => void {
  if (deadline.at === Infinity) return noop;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = msLeft(deadline);
    if (left === 0) return fn();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    if (quiet) unref(timer);
  };
  timer = setTimeout(arm, Math.min(msLeft(deadline), MAX_TIMER_MS));
  if (quiet) unref(timer);
  return () => clearTimeout(timer);
}

/**
 * Lets a timer not keep the process alive (Node and Bun: `unref`; Deno: `Deno.unrefTimer`). The
 * timer is typed `unknown` so that the published declarations need no DOM or Node types (it is an
 * object on Node and Bun, a number on Deno).
 *
 * @example A timer that does not hold the process open
 * ```ts
 * import { unref } from "./deadline.ts";
 *
 * const timer = setTimeout(() => console.log("only if something else keeps the process"), 10);
 * unref(timer);
 * clearTimeout(timer);
 * ```
 */
export function unref(timer: unknown): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) {
    (timer as { unref(): void }).unref();
  } else {
    (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno?.unrefTimer?.(
      timer as unknown as number,
    );
  }
}

/**
 * `promise`'s value, or `undefined` once the deadline passes or the signal aborts first (then
 * `lateError` says which). Nothing is left behind when it settles: no timer, no listener. With
 * `quiet`, its timer keeps nobody alive (see {@link atDeadline}).
 *
 * @example
 * ```ts
 * import { byDeadline, deadlineOf } from "./deadline.ts";
 *
 * const never = new Promise<number>(() => {});
 * console.log(await byDeadline(deadlineOf("example", { timeout: 5 }), never)); // undefined
 * ```
 */
export function byDeadline<V>(
  deadline: Deadline,
  promise: Promise<V>,
  quiet = false,
): Promise<V | undefined> {
  const signal = deadline.signal;
  if (deadline.at === Infinity && signal === undefined) return promise;
  return new Promise<V | undefined>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      cancel();
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    const onAbort = () => finish(() => resolve(undefined));
    const cancel = atDeadline(deadline, onAbort, quiet);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    promise.then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
  });
}

/**
 * Why a wait ended without a result: `signal.reason` if aborted, else the `TimeoutError`.
 *
 * @example
 * ```ts
 * import { deadlineOf, lateError } from "./deadline.ts";
 *
 * console.log(lateError("example", deadlineOf("example", { timeout: 0 }))); // TimeoutError
 * ```
 */
export function lateError(where: string, deadline: Deadline): unknown {
  return deadline.signal?.aborted ? deadline.signal.reason : timeoutError(where);
}

const noop = () => {};
