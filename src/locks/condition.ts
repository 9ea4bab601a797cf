/**
 * `Condition`: waiting for a change that another thread or process makes under a `Mutex`.
 *
 * Protocol: word 0 is a sequence number. A waiter reads it while still holding the mutex, then
 * unlocks and sleeps while the sequence is unchanged; `notifyOne`/`notifyAll` increment it before
 * waking. A notify that lands between the unlock and the sleep changes the word, so the futex
 * sleep returns at once: no lost wakeups. Spurious wake-ups are possible (wait in a loop on the
 * predicate, as with every condition variable).
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { checkGuard, type MutexGuard, suspendGuard } from "./mutex.ts";
import { type Deadline, deadlineOf, type WaitOptions, waitWhile, waitWhileAsync } from "./_wait.ts";
import { type LockHandle, newWords, type Words, wordsFromHandle } from "./_words.ts";

const SEQ = 0;

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
  constructor(words?: Words) {
    this.#w = words ?? newWords("condition");
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
  static from(handle: LockHandle): Condition {
    return new Condition(wordsFromHandle("Condition.from", "condition", handle));
  }

  /** Plain data naming this condition. */
  get handle(): LockHandle {
    return this.#w.handle;
  }

  /**
   * Releases `guard`'s mutex, sleeps until notified (or `timeout`), and takes the mutex again
   * before returning (also when it throws for an abort).
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
   * @throws {TypeError} if `guard` is not a held `MutexGuard`; `signal.reason` if aborted
   */
  wait(guard: MutexGuard, options?: WaitOptions): "ok" | "timed-out" {
    const where = "Condition.wait";
    checkGuard(where, guard);
    const deadline = deadlineOf(where, options);
    const seq = this.#w.load(SEQ);
    const mutex = suspendGuard(guard);
    const relock = () => {
      const again = mutex.lockSlow({ at: Infinity, signal: undefined }, where);
      if (again.ownerDied) markOwnerDied(guard);
    };
    try {
      return waitWhile(this.#w, SEQ, (v) => v === seq, deadline);
    } finally {
      relock();
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
    checkGuard(where, guard);
    const deadline: Deadline = deadlineOf(where, options);
    const seq = this.#w.load(SEQ);
    const mutex = suspendGuard(guard);
    try {
      return await waitWhileAsync(this.#w, SEQ, (v) => v === seq, deadline);
    } finally {
      const again = await mutex.lockSlowAsync({ at: Infinity, signal: undefined }, where);
      if (again.ownerDied) markOwnerDied(guard);
    }
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
    this.#w.add(SEQ, 1);
    return this.#w.notify(SEQ, 1);
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
    this.#w.add(SEQ, 1);
    return this.#w.notify(SEQ, Infinity);
  }
}

/** A re-taken lock whose holder died: the guard keeps saying so. */
function markOwnerDied(guard: MutexGuard): void {
  Object.defineProperty(guard, "ownerDied", { value: true });
}
