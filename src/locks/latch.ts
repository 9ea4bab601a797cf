/**
 * `Latch`: waits until `count` count-downs have happened (a one-shot countdown).
 *
 * Protocol: word 0 counts the count-downs so far, word 1 is `count + 1`. Waiters sleep on word 0
 * until it reaches the count (the one wait loop of `_wait.ts`); the count-down that reaches it wakes
 * them all.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { checkSize, sizedFrom, sizedWords, sizeOf } from "./_config.ts";
import {
  type Acquire,
  deadlineOf,
  Sleep,
  waitFor,
  waitForAsync,
  type WaitOptions,
} from "./_wait.ts";
import { givenWords, type Words } from "./_words.ts";
import { construct } from "../_storage.ts";
import type { LockHandle } from "../handle.ts";

const DONE = 0;
const COUNT = 1;
const MAX = 0x3fff_ffff;

/** Where the size lives and its range. */
const LIMITS = { i: COUNT, min: 0, max: MAX };

/** The latch on `words` (configured, or configured here with `count`). */
export function latchOn(words: Words, count: number): Latch {
  return construct(Latch, [count], words);
}

/** Sleeps until the count-downs reach the count. */
function opened(w: Words): Acquire<true> {
  const count = sizeOf(w, COUNT);
  return {
    attempt() {
      const done = w.load(DONE);
      return done >= count ? true : new Sleep(DONE, done);
    },
  };
}

/**
 * A countdown latch.
 *
 * @example
 * ```ts
 * import { Latch } from "@atomicx/atomicx";
 *
 * const started = new Latch(2); // Workers call started.countDown()
 * started.countDown(2);
 * started.wait(); // returns at once: the count is 0
 * ```
 */
export class Latch {
  readonly #w: Words;

  /**
   * A new in-process latch that opens after `count` count-downs.
   *
   * @throws {TypeError} / {RangeError} unless `count` is an integer in 0..2^30−1
   */
  constructor(count: number);
  constructor(count: number, words?: unknown) {
    this.#w = sizedWords("new Latch", "count", "latch", count, LIMITS, givenWords(words));
  }

  /**
   * The latch a handle names.
   *
   * @example
   * ```ts
   * import { Latch } from "@atomicx/atomicx";
   *
   * console.log(Latch.from(new Latch(3).handle).count); // 3
   * ```
   */
  static from(handle: LockHandle<"latch">): Latch {
    const { words, size } = sizedFrom("Latch.from", "latch", handle, LIMITS);
    return latchOn(words, size);
  }

  /** Plain data naming this latch. */
  get handle(): LockHandle<"latch"> {
    return this.#w.handle as LockHandle<"latch">;
  }

  /** Count-downs still needed (0: open). */
  get count(): number {
    return Math.max(0, sizeOf(this.#w, COUNT) - this.#w.load(DONE));
  }

  /**
   * Counts down `n`; opens the latch when the count reaches 0.
   *
   * @example
   * ```ts
   * import { Latch } from "@atomicx/atomicx";
   *
   * const l = new Latch(1);
   * l.countDown();
   * console.log(l.count); // 0
   * ```
   */
  countDown(n = 1): void {
    checkSize("Latch.countDown", "n", n, 1, MAX);
    const count = sizeOf(this.#w, COUNT);
    // Never past the count, so the word cannot wrap however often it is called.
    for (;;) {
      const done = this.#w.load(DONE);
      if (done >= count) return;
      const next = Math.min(count, done + n);
      if (this.#w.compareExchange(DONE, done, next) === done) {
        if (next === count) this.#w.notify(DONE, Infinity);
        return;
      }
    }
  }

  /**
   * Blocks until the count is 0.
   *
   * @example
   * ```ts
   * import { Latch } from "@atomicx/atomicx";
   *
   * new Latch(0).wait({ timeout: 10 });
   * ```
   * @throws {DOMException} named `"TimeoutError"`; `signal.reason` if already aborted (a
   * blocking wait checks the signal on entry only)
   */
  wait(options?: WaitOptions): void {
    const where = "Latch.wait";
    waitFor(this.#w, where, deadlineOf(where, options), opened(this.#w));
  }

  /**
   * As {@link Latch.wait}, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { Latch } from "@atomicx/atomicx";
   *
   * await new Latch(0).waitAsync();
   * ```
   */
  async waitAsync(options?: WaitOptions): Promise<void> {
    const where = "Latch.waitAsync";
    await waitForAsync(this.#w, where, deadlineOf(where, options), opened(this.#w));
  }
}
