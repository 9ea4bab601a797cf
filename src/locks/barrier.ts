/**
 * `Barrier`: `parties` threads or processes wait for each other, round after round.
 *
 * Protocol: word 0 packs the round (bits 16–29) and the parties arrived in it (bits 0–15); word 1
 * is `parties + 1`. An arrival increments word 0 with a compare-exchange; the last one of a round
 * instead starts the next round (arrived 0) and wakes everybody — it is that round's leader. The
 * others sleep until the round changes (the one wait loop of `_wait.ts`). A wait that times out or
 * is aborted withdraws its arrival unless the round completed meanwhile (then it counts as passed);
 * an already-aborted signal arrives nowhere.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { sizedFrom, sizedWords, sizeOf } from "./_config.ts";
import {
  type Acquire,
  deadlineOf,
  Sleep,
  waitFor,
  waitForAsync,
  type WaitOptions,
} from "./_wait.ts";
import { adoptedWords, adopting, type LockHandle, type Words } from "./_words.ts";

const STATE = 0;
const PARTIES = 1;
const ARRIVED = 0xffff;
const ROUND_SHIFT = 16;
const ROUNDS = 0x3fff;

/** Where the size lives and its range. */
const LIMITS = { i: PARTIES, min: 1, max: ARRIVED };

/** The barrier on `words` (configured, or configured here with `parties`). */
export function barrierOn(words: Words, parties: number): Barrier {
  return adopting(words, () => new Barrier(parties));
}

/** Arrives; the round to wait for, or `true` if this arrival completed the round (leader). */
function arrive(w: Words): number | true {
  const parties = sizeOf(w, PARTIES);
  for (;;) {
    const s = w.load(STATE);
    const round = s >>> ROUND_SHIFT;
    const arrived = s & ARRIVED;
    const last = arrived + 1 === parties;
    const next = last ? ((round + 1) & ROUNDS) << ROUND_SHIFT : s + 1;
    if (w.compareExchange(STATE, s, next) !== s) continue;
    if (!last) return round;
    w.notify(STATE, Infinity);
    return true;
  }
}

/** After a timeout or abort: withdraws the arrival; false if the round completed anyway. */
function withdraw(w: Words, round: number): boolean {
  for (;;) {
    const s = w.load(STATE);
    if (s >>> ROUND_SHIFT !== round) return false;
    if (w.compareExchange(STATE, s, s - 1) === s) return true;
  }
}

/** Arrives on the first try, then sleeps until the round changes; true for the leader. */
function passage(w: Words): Acquire<boolean> {
  let round: number | undefined;
  return {
    attempt() {
      if (round === undefined) {
        const r = arrive(w);
        if (r === true) return true;
        round = r;
      }
      const s = w.load(STATE);
      return s >>> ROUND_SHIFT !== round ? false : new Sleep(STATE, s);
    },
    cancel: () => round === undefined || withdraw(w, round) ? undefined : false,
  };
}

/**
 * A reusable barrier for `parties` participants.
 *
 * @example
 * ```ts
 * import { Barrier } from "@atomicx/atomicx";
 *
 * const barrier = new Barrier(1); // pass barrier.handle to the other parties
 * console.log(barrier.wait()); // true: the leader of this round (the only party here)
 * ```
 */
export class Barrier {
  readonly #w: Words;

  /**
   * A new in-process barrier.
   *
   * @throws {TypeError} / {RangeError} unless `parties` is an integer in 1..65535
   */
  constructor(parties: number) {
    this.#w = sizedWords("new Barrier", "parties", "barrier", parties, LIMITS, adoptedWords());
  }

  /**
   * The barrier a handle names.
   *
   * @example
   * ```ts
   * import { Barrier } from "@atomicx/atomicx";
   *
   * console.log(Barrier.from(new Barrier(4).handle).parties); // 4
   * ```
   */
  static from(handle: LockHandle<"barrier">): Barrier {
    const { words, size } = sizedFrom("Barrier.from", "barrier", handle, LIMITS);
    return barrierOn(words, size);
  }

  /** Plain data naming this barrier. */
  get handle(): LockHandle<"barrier"> {
    return this.#w.handle as LockHandle<"barrier">;
  }

  /** How many parties each round waits for. */
  get parties(): number {
    return sizeOf(this.#w, PARTIES);
  }

  /**
   * Waits until every party arrived; `true` for exactly one party per round.
   *
   * @example
   * ```ts
   * import { Barrier } from "@atomicx/atomicx";
   *
   * const b = new Barrier(1);
   * b.wait({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` (the arrival is withdrawn); `signal.reason` if
   * already aborted (a blocking wait checks the signal on entry only; nothing arrives then)
   */
  wait(options?: WaitOptions): boolean {
    const where = "Barrier.wait";
    return waitFor(this.#w, where, deadlineOf(where, options), passage(this.#w));
  }

  /**
   * As {@link Barrier.wait}, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { Barrier } from "@atomicx/atomicx";
   *
   * console.log(await new Barrier(1).waitAsync()); // true
   * ```
   */
  waitAsync(options?: WaitOptions): Promise<boolean> {
    const where = "Barrier.waitAsync";
    try {
      return waitForAsync(this.#w, where, deadlineOf(where, options), passage(this.#w));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
