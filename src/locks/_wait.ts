/**
 * The one wait loop of every lock primitive (as Java's `AbstractQueuedSynchronizer`): a primitive
 * says how to try once ({@link Acquire}), and {@link waitFor} (blocking) or {@link waitForAsync}
 * (never blocking the event loop) run the tries with sleeps on the primitive's words between them,
 * the timeout, the abort signal, owner-death checks after each sleep that ran out (regions), and
 * the cancellation: an asynchronous sleep given up by an abort cannot be withdrawn from the
 * runtime's queue, so it is handed to `words.abandon`, which passes on any wakeup it takes.
 *
 * Blocking forms check the signal on entry (and between slices in a region); an abort that fires
 * while a thread is blocked cannot run until the wait ends — the thread is blocked.
 *
 * @module
 */

import type { Words } from "./_words.ts";
import type { WaitResult } from "../../engine/_ops.ts";
import { keepAliveUntil } from "./deadline.ts";
import {
  type AbortSignalLike,
  checkAbort,
  type Deadline,
  deadlineOf,
  FOREVER,
  timeoutError,
  type WaitOptions,
} from "./deadline.ts";

export { type AbortSignalLike, checkAbort, type Deadline, deadlineOf, FOREVER, timeoutError };
export type { WaitOptions };

/**
 * What one try asks for instead of a result: a sleep while word `i` still holds `value`; with
 * `sleepers`, the index of a word that counts the threads asleep (1 added before the sleep, taken
 * away after it), for a primitive whose release wakes only when someone sleeps.
 */
export class Sleep {
  /** The word to sleep on. */
  readonly i: number;
  /** The value it held when looked at. */
  readonly value: number;
  /** The word counting sleepers, or -1. */
  readonly sleepers: number;
  constructor(i: number, value: number, sleepers = -1) {
    this.i = i;
    this.value = value;
    this.sleepers = sleepers;
  }
}

/** How a wait ended without a result. */
export type Cancel = "timeout" | "abort";

/** One primitive's acquire rules, for {@link waitFor} and {@link waitForAsync}. */
export interface Acquire<T> {
  /** One try: the result, or the sleep to take before the next try. */
  attempt(): T | Sleep;
  /** After a sleep that ran out its slice: a result taken over from a dead holder, if any. */
  onSlice?(): T | undefined;
  /**
   * The wait ends by timeout or abort: undoes what the tries left behind (a barrier arrival) and
   * may return a result that stands anyway (then nothing is thrown).
   */
  cancel?(why: Cancel): T | undefined;
}

/** Milliseconds of the next sleep (at most `cap`), or 0 when the deadline has passed. */
function sliceOf(deadline: Deadline, cap: number): number {
  if (deadline.at === Infinity) return cap; // no clock to read
  const left = deadline.at - performance.now();
  return left <= 0 ? 0 : Math.min(left, cap);
}

/** The end of a wait without a result: `cancel`'s result, or the error. */
function giveUp<T>(op: Acquire<T>, why: Cancel, where: string, deadline: Deadline): T {
  const result = op.cancel?.(why);
  if (result !== undefined) return result;
  throw why === "timeout" ? timeoutError(where) : deadline.signal!.reason;
}

/** Runs `op` to a result, sleeping with the blocking `words.wait`. */
export function waitFor<T>(words: Words, where: string, deadline: Deadline, op: Acquire<T>): T {
  checkAbort(deadline);
  const signal = deadline.signal;
  for (;;) {
    const r = op.attempt();
    if (!(r instanceof Sleep)) return r;
    const ms = sliceOf(deadline, words.sliceMs);
    if (ms === 0) return giveUp(op, "timeout", where, deadline);
    if (r.sleepers >= 0) words.add(r.sleepers, 1);
    let slept: WaitResult;
    try {
      slept = words.wait(r.i, r.value, ms);
    } finally {
      if (r.sleepers >= 0) words.add(r.sleepers, -1);
    }
    if (slept === "timed-out") {
      const taken = op.onSlice?.();
      if (taken !== undefined) return taken;
    }
    if (signal?.aborted) return giveUp(op, "abort", where, deadline);
  }
}

/** As {@link waitFor} without blocking; an abort ends a sleep at once. */
export async function waitForAsync<T>(
  words: Words,
  where: string,
  deadline: Deadline,
  op: Acquire<T>,
): Promise<T> {
  checkAbort(deadline);
  const signal = deadline.signal;
  // The event loop is held open until the deadline (a pending `Atomics.waitAsync` does not count
  // as work everywhere), and let go as soon as this wait ends — an abandoned sleep holds nothing.
  const release = keepAliveUntil(deadline);
  let onAbort: (() => void) | undefined;
  const aborted = signal === undefined ? undefined : new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    for (;;) {
      const r = op.attempt();
      if (!(r instanceof Sleep)) return r;
      const ms = sliceOf(deadline, words.sliceMs);
      if (ms === 0) return giveUp(op, "timeout", where, deadline);
      if (r.sleepers >= 0) words.add(r.sleepers, 1);
      let result: WaitResult | "aborted";
      try {
        const sleeping = words.waitAsync(r.i, r.value, ms);
        result = aborted === undefined ? await sleeping : await Promise.race([sleeping, aborted]);
        if (result === "aborted") words.abandon(r.i, sleeping);
      } finally {
        // An abandoned sleep counts no more: it needs no wakeup (see the module notes).
        if (r.sleepers >= 0) words.add(r.sleepers, -1);
      }
      if (result === "aborted") {
        return giveUp(op, "abort", where, deadline);
      }
      if (result === "timed-out") {
        const taken = op.onSlice?.();
        if (taken !== undefined) return taken;
      }
    }
  } finally {
    release();
    if (onAbort !== undefined) signal!.removeEventListener("abort", onAbort);
  }
}

/**
 * Runs `run` — a blocking wait, or an async one returning a promise — and then `cleanup`: at once
 * for a blocking wait (also when it throws), when the promise settles for an async one. How a
 * primitive writes the setup and cleanup around `waitFor` and `waitForAsync` once.
 */
export function thenCleanUp<T>(run: () => T, cleanup: () => void): T {
  let result: T;
  try {
    result = run();
  } catch (error) {
    cleanup();
    throw error;
  }
  if (result instanceof Promise) return result.finally(cleanup) as T;
  cleanup();
  return result;
}

/** `run()`'s promise, or a rejected one if `run` throws (the async forms never throw). */
export function rejecting<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}
