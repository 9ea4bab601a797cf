/**
 * `Once`: runs a function once across Workers or processes.
 *
 * Protocol: word 0 is `0` new, `DONE` (−1) done, else the runner's id (thread token in-process,
 * pid in a region) while it runs; in a region words 2–3 hold the runner's process start time, as
 * in `Mutex`. Others sleep until the word leaves the running state. A run that throws resets the
 * word to 0 (a later `run` tries again); a region runner that died is detected like a dead mutex
 * holder and the run is retried.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { describe } from "../_errors.ts";
import { ID_MASK, ownerAlive, processIdentity, threadToken } from "./_owner.ts";
import { deadlineOf, waitWhile, waitWhileAsync } from "./_wait.ts";
import { type LockHandle, newWords, type Words, wordsFromHandle } from "./_words.ts";

const STATE = 0;
const START_LOW = 2;
const START_HIGH = 3;
const DONE = -1;

/**
 * A one-time initialisation.
 *
 * @example
 * ```ts
 * import { Once } from "@atomicx/atomicx";
 *
 * const init = new Once(); // share init.handle
 * console.log(init.run(() => console.log("setting up"))); // true: ran here
 * console.log(init.run(() => {}), init.done); // false true
 * ```
 */
export class Once {
  readonly #w: Words;
  readonly #me: number;

  /** A new in-process once-cell. */
  constructor(words?: Words) {
    this.#w = words ?? newWords("once");
    this.#me = this.#w.inRegion ? processIdentity().pid : threadToken;
  }

  /**
   * The once-cell a handle names.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * const again = Once.from(new Once().handle);
   * ```
   */
  static from(handle: LockHandle): Once {
    return new Once(wordsFromHandle("Once.from", "once", handle));
  }

  /** Plain data naming this once-cell. */
  get handle(): LockHandle {
    return this.#w.handle;
  }

  /** True once a run finished without throwing. */
  get done(): boolean {
    return this.#w.load(STATE) === DONE;
  }

  /** Claims the run: true if this caller must run `fn`, false if it is done already. */
  #claim(): boolean | number {
    const w = this.#w;
    const s = w.compareExchange(STATE, 0, this.#me);
    if (s === 0) {
      if (w.inRegion) {
        const id = processIdentity();
        w.store(START_LOW, id.startLow);
        w.store(START_HIGH, id.startHigh);
      }
      return true;
    }
    if (s === DONE) return false;
    return s;
  }

  #finish(ok: boolean): void {
    const w = this.#w;
    w.store(START_LOW, 0);
    w.store(START_HIGH, 0);
    w.store(STATE, ok ? DONE : 0);
    w.notify(STATE, Infinity);
  }

  /** After a sleep ran out: resets the cell if its runner's process died. */
  #resetIfRunnerDied(): void {
    const w = this.#w;
    if (!w.inRegion) return;
    const s = w.load(STATE);
    const low = w.load(START_LOW);
    const high = w.load(START_HIGH);
    if (w.load(STATE) !== s || s === 0 || s === DONE) return;
    if (ownerAlive(s & ID_MASK, low, high)) return;
    w.store(START_LOW, 0);
    w.store(START_HIGH, 0);
    if (w.compareExchange(STATE, s, 0) === s) w.notify(STATE, Infinity);
  }

  /**
   * Runs `fn` if no run has finished yet; otherwise waits for the running one. Returns true for
   * the caller that ran it. If `fn` throws, the error goes to this caller and a later `run` tries
   * again.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * const once = new Once();
   * once.run(() => {}); // true
   * ```
   * @throws {TypeError} if `fn` is not a function; whatever `fn` throws
   */
  run(fn: () => void): boolean {
    if (typeof fn !== "function") {
      throw new TypeError(`Once.run: expected a function, got ${describe(fn)}`);
    }
    const deadline = deadlineOf("Once.run", undefined);
    for (;;) {
      const c = this.#claim();
      if (c === false) return false;
      if (c === true) {
        try {
          fn();
        } catch (error) {
          this.#finish(false);
          throw error;
        }
        this.#finish(true);
        return true;
      }
      if ((c & ID_MASK) === this.#me && !this.#w.inRegion) {
        throw new Error("Once.run: called again from inside its own function");
      }
      waitWhile(
        this.#w,
        STATE,
        (s) => s !== 0 && s !== DONE,
        deadline,
        () => this.#resetIfRunnerDied(),
      );
    }
  }

  /**
   * As {@link Once.run} for an async `fn`, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * await new Once().runAsync(async () => {}); // true
   * ```
   */
  async runAsync(fn: () => unknown): Promise<boolean> {
    if (typeof fn !== "function") {
      throw new TypeError(`Once.runAsync: expected a function, got ${describe(fn)}`);
    }
    const deadline = deadlineOf("Once.runAsync", undefined);
    for (;;) {
      const c = this.#claim();
      if (c === false) return false;
      if (c === true) {
        try {
          await fn();
        } catch (error) {
          this.#finish(false);
          throw error;
        }
        this.#finish(true);
        return true;
      }
      await waitWhileAsync(
        this.#w,
        STATE,
        (s) => s !== 0 && s !== DONE,
        deadline,
        () => this.#resetIfRunnerDied(),
      );
    }
  }
}
