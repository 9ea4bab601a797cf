/**
 * `Latch`: waits until `count` count-downs have happened (a one-shot countdown).
 *
 * Protocol: word 0 counts the count-downs so far, word 1 is `count + 1`. Waiters sleep on word 0
 * until it reaches the count; the count-down that reaches it wakes them all.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { checkSize, sizedFrom, sizedWords, sizeOf } from "./_config.ts";
import { deadlineOf, timeoutError, type WaitOptions, waitWhile, waitWhileAsync } from "./_wait.ts";
import type { LockHandle, Words } from "./_words.ts";

const DONE = 0;
const COUNT = 1;
const MAX = 0x3fff_ffff;

/** Where the size lives and its range. */
const LIMITS = { i: COUNT, min: 0, max: MAX };

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
  constructor(count: number, words?: Words) {
    this.#w = sizedWords("new Latch", "count", "latch", count, LIMITS, words);
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
  static from(handle: LockHandle): Latch {
    const { words, size } = sizedFrom("Latch.from", "latch", handle, LIMITS);
    return new Latch(size, words);
  }

  /** Plain data naming this latch. */
  get handle(): LockHandle {
    return this.#w.handle;
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
   * @throws {DOMException} named `"TimeoutError"`; `signal.reason` if aborted
   */
  wait(options?: WaitOptions): void {
    const deadline = deadlineOf("Latch.wait", options);
    const count = sizeOf(this.#w, COUNT);
    if (waitWhile(this.#w, DONE, (d) => d < count, deadline) === "timed-out") {
      throw timeoutError("Latch.wait");
    }
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
    const deadline = deadlineOf("Latch.waitAsync", options);
    const count = sizeOf(this.#w, COUNT);
    if ((await waitWhileAsync(this.#w, DONE, (d) => d < count, deadline)) === "timed-out") {
      throw timeoutError("Latch.waitAsync");
    }
  }
}
