/**
 * `Condition`: waiting for a change that another thread or process makes under a `Mutex`.
 *
 * Protocol: word 0 is a sequence number. A waiter reads it while still holding the mutex, then
 * unlocks and sleeps while the sequence is unchanged; `notifyOne`/`notifyAll` increment it before
 * waking. A notify that lands between the unlock and the sleep changes the word, so the futex
 * sleep returns at once: no lost wakeups. Word 1 counts the waiters, so that `notifyOne` reports
 * only live ones. Spurious wake-ups are possible (wait in a loop on the predicate, as with every
 * condition variable). The waits are the one wait loop of `_wait.ts`.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { guardLink, type MutexGuard, relock, relockAsync } from "./mutex.ts";
import {
  type Acquire,
  checkAbort,
  type Deadline,
  deadlineOf,
  FOREVER,
  Sleep,
  waitFor,
  waitForAsync,
  type WaitOptions,
} from "./_wait.ts";
import { givenWords, newWords, type Words } from "./_words.ts";
import { construct } from "../_storage.ts";
import type { LockHandle } from "../handle.ts";
import { wordsFromHandle } from "../_from_handle.ts";

const SEQ = 0;
const WAITERS = 1;

/** The condition on `words` (a region slot, or a handle's words). */
export function conditionOn(words: Words): Condition {
  return construct(Condition, [], words);
}

/** Sleeps until the sequence leaves `seq`; "timed-out" at the deadline instead of throwing. */
function changedFrom(w: Words, seq: number): Acquire<"ok" | "timed-out"> {
  return {
    attempt: () => w.load(SEQ) !== seq ? "ok" : new Sleep(SEQ, seq),
    cancel: (why) => why === "timeout" ? "timed-out" : undefined,
  };
}

/**
 * A condition variable used with a {@link Mutex}.
 *
 * @example
 * ```ts
 * import { Condition, Mutex } from "@atomicx/atomicx";
 *
 * const mutex = new Mutex();
 * const ready = new Condition();
 * const state = new Int32Array(new SharedArrayBuffer(4));
 * // another Worker: { using _ = mutex.lock(); state[0] = 1; ready.notifyAll(); }
 * state[0] = 1; // (here, to keep the example self-contained)
 * using guard = mutex.lock();
 * while (state[0] === 0) ready.wait(guard);
 * ```
 */
export class Condition {
  readonly #w: Words;

  /** A new in-process condition. */
  constructor();
  constructor(words?: unknown) {
    this.#w = givenWords(words) ?? newWords("condition");
  }

  /**
   * The condition a handle names.
   *
   * @example
   * ```ts
   * import { Condition } from "@atomicx/atomicx";
   *
   * const again = Condition.from(new Condition().handle);
   * ```
   * @throws {TypeError} for something that is not a condition handle
   */
  static from(handle: LockHandle<"condition">): Condition {
    return conditionOn(wordsFromHandle("Condition.from", "condition", handle));
  }

  /** Plain data naming this condition. */
  get handle(): LockHandle<"condition"> {
    return this.#w.handle as LockHandle<"condition">;
  }

  /**
   * Releases `guard`'s mutex, sleeps until notified (or `timeout`), and takes the mutex again
   * before returning (also when it throws for an abort). It is the one wait that returns
   * `"timed-out"` instead of throwing: a timed-out condition wait is ordinary control flow. It
   * checks `signal` on entry only (the thread is blocked meanwhile). `guard` may come from another
   * copy of the library in this process.
   *
   * @example
   * ```ts
   * import { Condition, Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * const changed = new Condition();
   * using guard = mutex.lock();
   * console.log(changed.wait(guard, { timeout: 10 })); // "timed-out": nobody notified
   * ```
   * @throws {TypeError} if `guard` is not a held `MutexGuard`; `signal.reason` if already aborted
   */
  wait(guard: MutexGuard, options?: WaitOptions): "ok" | "timed-out" {
    const where = "Condition.wait";
    const { mutex, link, deadline, rules } = this.#suspend(where, guard, options);
    try {
      return waitFor(this.#w, where, deadline, rules);
    } finally {
      this.#w.add(WAITERS, -1);
      if (relock(mutex, where, FOREVER).ownerDied) link.markOwnerDied();
    }
  }

  /**
   * As {@link Condition.wait}, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { Condition, Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * const changed = new Condition();
   * await using guard = await mutex.lockAsync();
   * console.log(await changed.waitAsync(guard, { timeout: 10 })); // "timed-out"
   * ```
   */
  async waitAsync(guard: MutexGuard, options?: WaitOptions): Promise<"ok" | "timed-out"> {
    const where = "Condition.waitAsync";
    const { mutex, link, deadline, rules } = this.#suspend(where, guard, options);
    // An async hold lets the next task of this thread have the lock meanwhile, and queues again.
    link.passTurn?.();
    try {
      return await waitForAsync(this.#w, where, deadline, rules);
    } finally {
      this.#w.add(WAITERS, -1);
      const ownerDied = link.relockAsync !== undefined
        ? await link.relockAsync()
        : (await relockAsync(mutex, where, FOREVER)).ownerDied;
      if (ownerDied) link.markOwnerDied();
    }
  }

  /**
   * The start of every wait (blocking or async): checks the guard and options, counts a waiter,
   * reads the sequence word and gives the guard's mutex up. Each form then sleeps and takes the
   * mutex back in its own way (blocking, or queued behind this thread's tasks).
   */
  #suspend(where: string, guard: MutexGuard, options: WaitOptions | undefined) {
    const { mutex, link } = guardLink(where, guard);
    const deadline: Deadline = deadlineOf(where, options);
    checkAbort(deadline);
    const w = this.#w;
    const seq = w.load(SEQ);
    w.add(WAITERS, 1);
    link.suspend();
    return { mutex, link, deadline, rules: changedFrom(w, seq) };
  }

  /**
   * Wakes one waiter; returns how many were woken (0 or 1).
   *
   * @example
   * ```ts
   * import { Condition } from "@atomicx/atomicx";
   *
   * new Condition().notifyOne(); // 0: nobody waits
   * ```
   */
  notifyOne(): number {
    const w = this.#w;
    w.add(SEQ, 1);
    const live = w.load(WAITERS);
    // `notify` also wakes abandoned waiters queued ahead (they pass nothing on): count live ones.
    return Math.min(w.notify(SEQ, 1), live, 1);
  }

  /**
   * Wakes every waiter; returns how many were woken.
   *
   * @example
   * ```ts
   * import { Condition } from "@atomicx/atomicx";
   *
   * new Condition().notifyAll(); // 0
   * ```
   */
  notifyAll(): number {
    const w = this.#w;
    w.add(SEQ, 1);
    const live = w.load(WAITERS);
    return Math.min(w.notify(SEQ, Infinity), live);
  }
}
