/**
 * Options, deadlines and the sliced waits every lock primitive shares.
 *
 * @module
 */

import { describe } from "../_errors.ts";
import type { Words } from "./_words.ts";
import type { WaitResult } from "../wait.ts";

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
 * const options: WaitOptions = { timeout: 50, signal: AbortSignal.timeout(1000) };
 * using guard = new Mutex().lock(options);
 * ```
 */
export interface WaitOptions {
  /** Milliseconds to wait at most (default Infinity). */
  readonly timeout?: number;
  /** Aborting it ends the wait with `signal.reason`. */
  readonly signal?: AbortSignalLike;
}

/** Longest single sleep: waits wake this often to see aborts, closed regions and dead owners. */
export const SLICE_MS = 100;

/** A checked wait: its deadline on the monotonic clock and its signal. */
export interface Deadline {
  readonly at: number;
  readonly signal: AbortSignalLike | undefined;
}

/** Checks `options` and starts the clock. */
export function deadlineOf(where: string, options: unknown): Deadline {
  if (options === undefined) return { at: Infinity, signal: undefined };
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

/** Milliseconds of the next sleep (at most `cap`), or 0 when the deadline has passed. */
export function sliceOf(deadline: Deadline, cap: number = SLICE_MS): number {
  const left = deadline.at - performance.now();
  return left <= 0 ? 0 : Math.min(left, cap);
}

/** Throws `signal.reason` if aborted. */
export function checkAbort(deadline: Deadline): void {
  if (deadline.signal?.aborted) throw deadline.signal.reason;
}

/** One sleep a wait loop asks for: on word `i` while it holds `value`, at most `ms`. */
export interface Sleep {
  readonly i: number;
  readonly value: number;
  readonly ms: number;
}

/**
 * A wait loop written once: it yields each sleep it needs and gets the sleep's result back, so
 * that {@link runBlocking} and {@link runAsync} drive the same loop with `wait` or `waitAsync`.
 */
export type WaitLoop<T> = Generator<Sleep, T, WaitResult>;

/** Runs `loop`, sleeping with the blocking `words.wait`. */
export function runBlocking<T>(words: Words, loop: WaitLoop<T>): T {
  let step = loop.next("ok");
  while (!step.done) {
    const { i, value, ms } = step.value;
    step = loop.next(words.wait(i, value, ms));
  }
  return step.value;
}

/** Runs `loop` without blocking (`words.waitAsync`); an abort of `signal` ends a sleep at once. */
export async function runAsync<T>(
  words: Words,
  loop: WaitLoop<T>,
  signal: AbortSignalLike | undefined,
): Promise<T> {
  const cleanup: Array<() => void> = [];
  const abort = aborted(signal, cleanup);
  abort.catch(() => {});
  try {
    let step = loop.next("ok");
    while (!step.done) {
      const { i, value, ms } = step.value;
      step = loop.next(await Promise.race([words.waitAsync(i, value, ms), abort]));
    }
    return step.value;
  } finally {
    loop.return(undefined as never);
    for (const f of cleanup) f();
  }
}

/** The loop of {@link waitWhile}. */
function* whileLoop(
  words: Words,
  i: number,
  blocked: (value: number) => boolean,
  deadline: Deadline,
  onSlice?: () => void,
): WaitLoop<"ok" | "timed-out"> {
  for (;;) {
    checkAbort(deadline);
    const value = words.load(i);
    if (!blocked(value)) return "ok";
    const ms = sliceOf(deadline, words.sliceMs);
    if (ms === 0) return "timed-out";
    if ((yield { i, value, ms }) === "timed-out") onSlice?.();
  }
}

/**
 * Blocks while `word i` satisfies `blocked(value)`; `"ok"` once it does not, `"timed-out"` at the
 * deadline. `onSlice` runs after every sleep that ran out (owner-death checks).
 */
export function waitWhile(
  words: Words,
  i: number,
  blocked: (value: number) => boolean,
  deadline: Deadline,
  onSlice?: () => void,
): "ok" | "timed-out" {
  return runBlocking(words, whileLoop(words, i, blocked, deadline, onSlice));
}

/** A Promise rejected with `signal.reason` when it aborts (never settles otherwise). */
function aborted(signal: AbortSignalLike | undefined, cleanup: Array<() => void>): Promise<never> {
  if (signal === undefined) return new Promise<never>(() => {});
  return new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    cleanup.push(() => signal.removeEventListener("abort", onAbort));
  });
}

/** As {@link waitWhile}, without blocking. */
export function waitWhileAsync(
  words: Words,
  i: number,
  blocked: (value: number) => boolean,
  deadline: Deadline,
  onSlice?: () => void,
): Promise<"ok" | "timed-out"> {
  return runAsync(words, whileLoop(words, i, blocked, deadline, onSlice), deadline.signal);
}
