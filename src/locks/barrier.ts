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
 * Broken rounds (regions): each waiting arrival names itself and its round in the holder table
 * (`_holders.ts`). A waiter whose slice ran out and finds a dead party of its round breaks the
 * round: it starts the next round with bit 30 set ("started by a break") and writes word 2 = the
 * broken round + 1. The first arrival of that next round writes word 2 too before it clears
 * bit 30, and a leader clears word 2 if it names the round it completes; so a waiter woken by a
 * round change knows whether its round broke: bit 30 of the next round, or word 2. Every waiter of
 * a broken round throws {@link BrokenBarrierError}; the next round runs as usual.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { sizedFrom, sizedWords, sizeOf } from "./_config.ts";
import {
  type Acquire,
  checkAbort,
  type Deadline,
  deadlineOf,
  rejecting,
  Sleep,
  thenCleanUp,
  waitFor,
  waitForAsync,
  type WaitOptions,
} from "./_wait.ts";
import { givenWords, type Words } from "./_words.ts";
import { construct } from "../_storage.ts";
import type { LockHandle } from "../handle.ts";
import { HOLDERS } from "./_holders.ts";

const STATE = 0;
const PARTIES = 1;
/** The last broken round + 1 (0: none); see the module documentation. */
const BROKE = 2;
const ARRIVED = 0xffff;
const ROUND_SHIFT = 16;
const ROUNDS = 0x3fff;
/** Bit of word 0: this round was started by breaking the one before. */
const BROKEN = 0x4000_0000;

/**
 * The error of every waiter of a region {@link Barrier} round in which a party died (its thread
 * or process ended while it waited): the round can never complete. The barrier itself is usable
 * again: the next round starts with no party arrived.
 *
 * @example
 * ```ts
 * import { BrokenBarrierError, SharedMemory } from "@atomicx/atomicx";
 *
 * using region = SharedMemory.open("barrier-demo");
 * const barrier = region.barrier("step", 1);
 * try {
 *   barrier.wait({ timeout: 1000 });
 * } catch (error) {
 *   if (!(error instanceof BrokenBarrierError)) throw error;
 *   console.log("a party died; start the step again");
 * }
 * SharedMemory.unlink("barrier-demo");
 * ```
 */
export class BrokenBarrierError extends Error {
  /** A new error; `message` says where. */
  constructor(message: string) {
    super(message);
    this.name = "BrokenBarrierError";
  }
}

/** The round of a word-0 value. */
function roundOf(s: number): number {
  return (s >>> ROUND_SHIFT) & ROUNDS;
}

/** Where the size lives and its range. */
const LIMITS = { i: PARTIES, min: 1, max: ARRIVED };

/** The barrier on `words` (configured, or configured here with `parties`). */
export function barrierOn(words: Words, parties: number): Barrier {
  return construct(Barrier, [parties], words);
}

/**
 * Arrives; the round to wait for, or `true` if this arrival completed the round (leader). `entry`
 * is this arrival's holder-table entry (-1 in-process): it names the round before the arrival.
 */
function arrive(w: Words, entry: number): number | true {
  const parties = sizeOf(w, PARTIES);
  for (;;) {
    const s = w.load(STATE);
    const round = roundOf(s);
    const arrived = s & ARRIVED;
    const last = arrived + 1 === parties;
    if (entry >= 0) w.holders!.set(entry, round + 1);
    // The round before this one broke: say so in word 2 before bit 30 goes.
    if ((s & BROKEN) !== 0) w.store(BROKE, ((round - 1) & ROUNDS) + 1);
    if (last) w.compareExchange(BROKE, round + 1, 0);
    const next = last ? ((round + 1) & ROUNDS) << ROUND_SHIFT : (s & ~BROKEN) + 1;
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
    if (roundOf(s) !== round) return false;
    if (w.compareExchange(STATE, s, s - 1) === s) return true;
  }
}

/** Whether `round`, which has ended, ended broken (word 0 now holding `s`). */
function brokeIn(w: Words, round: number, s: number): boolean {
  if ((s & BROKEN) !== 0 && roundOf(s) === ((round + 1) & ROUNDS)) return true;
  return w.load(BROKE) === round + 1;
}

/** Breaks `round` if it is still running: starts the next with bit 30 and wakes its waiters. */
function breakRound(w: Words, round: number): void {
  for (;;) {
    const s = w.load(STATE);
    if (roundOf(s) !== round) return;
    const next = (((round + 1) & ROUNDS) << ROUND_SHIFT) | BROKEN;
    if (w.compareExchange(STATE, s, next) !== s) continue;
    w.store(BROKE, round + 1);
    w.notify(STATE, Infinity);
    return;
  }
}

/**
 * Arrives on the first try, then sleeps until the round changes; true for the leader. In a region
 * `entry` is this arrival's holder-table entry, and a slice that ran out breaks the round if a
 * party of it died.
 */
function passage(w: Words, where: string, entry: number): Acquire<boolean> {
  let round: number | undefined;
  return {
    attempt() {
      if (round === undefined) {
        const r = arrive(w, entry);
        if (r === true) return true;
        round = r;
      }
      const s = w.load(STATE);
      if (roundOf(s) === round) return new Sleep(STATE, s);
      if (entry >= 0 && brokeIn(w, round, s)) {
        throw new BrokenBarrierError(
          `${where}: a party of this round died waiting (its thread or process ended), so the ` +
            "round cannot complete; the barrier is ready for the next round",
        );
      }
      return false;
    },
    onSlice() {
      if (round === undefined || w.holders === undefined) return undefined;
      const mine = round;
      let died = false;
      w.holders.reap((count) => {
        if (count === mine + 1) died = true;
      });
      if (died) breakRound(w, mine);
      return undefined;
    },
    cancel: () => round === undefined || withdraw(w, round) ? undefined : false,
  };
}

/**
 * Gives back the entries of parties that ended: a dead arrival breaks its round if that is still
 * the current one, as a waiter's slice would.
 */
function reapArrivals(w: Words): void {
  w.holders?.reap((count) => count > 0 && breakRound(w, count - 1));
}

/** This arrival's holder-table entry in a region (-1 in-process). */
function entryFor(w: Words, where: string): number {
  const holders = w.holders;
  if (holders === undefined) return -1;
  const entry = holders.claim(reapArrivals);
  if (entry < 0) {
    throw new Error(
      `${where}: ${HOLDERS} parties wait on this region barrier already, the most its holder ` +
        "table names",
    );
  }
  return entry;
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
  constructor(parties: number);
  constructor(parties: number, words?: unknown) {
    this.#w = sizedWords("new Barrier", "parties", "barrier", parties, LIMITS, givenWords(words));
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
   * already aborted (a blocking wait checks the signal on entry only; nothing arrives then);
   * {BrokenBarrierError} in a region when a party of this round died waiting (within a second);
   * {Error} when 32 parties of a region barrier wait already
   */
  wait(options?: WaitOptions): boolean {
    return this.#pass("Barrier.wait", options, waitFor);
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
    return rejecting(() => this.#pass("Barrier.waitAsync", options, waitForAsync));
  }

  /** A wait at the barrier through `loop` (`waitFor` or `waitForAsync`). */
  #pass<R extends boolean | Promise<boolean>>(
    where: string,
    options: WaitOptions | undefined,
    loop: (w: Words, where: string, deadline: Deadline, op: Acquire<boolean>) => R,
  ): R {
    const w = this.#w;
    const deadline = deadlineOf(where, options);
    checkAbort(deadline);
    const entry = entryFor(w, where);
    return thenCleanUp(
      () => loop(w, where, deadline, passage(w, where, entry)),
      () => entry >= 0 && w.holders!.free(entry),
    );
  }
}
