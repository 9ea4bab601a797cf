/**
 * `Semaphore`: at most `permits` holders at once, across Workers or processes.
 *
 * Protocol: word 0 counts permits taken (may go below zero when more are released than taken: the
 * semaphore then has more permits), word 1 is `permits + 1` (all-zero memory: unconfigured). An
 * acquirer takes `n` with a compare-exchange while `permits − taken ≥ n`, else sleeps on word 0
 * (the one wait loop of `_wait.ts`), counted in word 3 while asleep; every release changes word 0
 * and wakes the sleepers (each rechecks its own `n`) — in a region only when word 3 counts one
 * (see {@link wake}). A release that would leave more than 2^30−1 permits free is refused.
 *
 * In a region each thread's permits are also counted in the holder table (`_holders.ts`): a
 * waiter whose slice ran out gives back the permits of threads that ended, sets word 2, and the
 * next permit taken says `ownerDied`.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { describe } from "../_errors.ts";
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
import { HOLDERS } from "./_holders.ts";
import { passTurn, queueOf, takeTurn, type TaskQueue } from "./_tasks.ts";
import { markPending, misuse } from "./_pending.ts";

/** What an un-awaited acquisition's promise answers to `unlock`/`release`/dispose. */
const MISUSE_ACQUIREASYNC = misuse("Semaphore.acquireAsync");

const TAKEN = 0;
const PERMITS = 1;
/** Set when a dead holder's permits were given back; cleared by the next permit taken. */
const DIED = 2;
/** Threads asleep on word 0 (the wait loop adds 1 around each sleep). */
const SLEEPERS = 3;
const MAX = 0x3fff_ffff;

/** Where the size lives and its range. */
const LIMITS = { i: PERMITS, min: 0, max: MAX };

let makePermit: (s: Semaphore, n: number, ownerDied: boolean) => Permit;
let forget: (s: Semaphore, n: number) => void;

/** The semaphore on `words` (configured, or configured here with `permits`). */
export function semaphoreOn(words: Words, permits: number): Semaphore {
  return construct(Semaphore, [permits], words);
}

/** Takes `n` of `permits` if free: true on success. */
function take(w: Words, permits: number, n: number): boolean {
  for (;;) {
    const taken = w.load(TAKEN);
    if (permits - taken < n) return false;
    if (w.compareExchange(TAKEN, taken, taken + n) === taken) return true;
  }
}

/**
 * Wakes the sleepers after word 0 changed. A sleeper counts itself in word 3 before its sleep
 * compares word 0, and the change came before this read, so a sleeper that this read misses sees
 * the new word 0 and does not sleep. In a region a wake is a system call even with nobody asleep,
 * so it is made only for a counted sleeper; a waiter of an atomicx that does not count (0.1.0)
 * then still sees the change at the end of its 100 ms slice. In-process the wake costs little and
 * is always made: a copy of another version sharing the semaphore in this process waits without
 * slices.
 */
function wake(w: Words): void {
  if (w.sliceMs === Infinity || w.load(SLEEPERS) !== 0) w.notify(TAKEN, Infinity);
}

/**
 * Takes `n` of `permits` if free: the permit, or undefined. In a region they are counted in this
 * thread's holder entry, made ready before the take so that one word operation separates the take
 * from its record (`_holders.ts`), and the permit says `ownerDied` if a dead holder's permits were
 * given back since the last permit.
 * @throws {Error} if the holder table is full (nothing taken)
 */
function takePermit(
  s: Semaphore,
  w: Words,
  where: string,
  permits: number,
  n: number,
): Permit | undefined {
  const holders = w.holders;
  if (holders === undefined) return take(w, permits, n) ? makePermit(s, n, false) : undefined;
  const entry = holders.reserve(reapDead);
  if (entry < 0) {
    throw new Error(
      `${where}: ${HOLDERS} threads hold permits of this region semaphore already, the most its ` +
        "holder table names; release some first",
    );
  }
  if (!take(w, permits, n)) {
    holders.tidy();
    return undefined;
  }
  holders.addTo(entry, n);
  const died = w.load(DIED) !== 0 && w.exchange(DIED, 0) !== 0;
  return makePermit(s, n, died);
}

/**
 * Gives back the permits of holders that ended (region); wakes the waiters if any. A count the
 * words cannot hold (a tampered table) gives back only what keeps the range.
 */
function reapDead(w: Words): void {
  w.holders?.reap((count) => {
    if (!(count > 0)) return; // ended between claiming its entry and counting in it
    const permits = sizeOf(w, PERMITS);
    for (;;) {
      const taken = w.load(TAKEN);
      const back = Math.min(count, Math.max(0, MAX - (permits - taken)));
      if (back === 0) return;
      if (w.compareExchange(TAKEN, taken, taken - back) !== taken) continue;
      w.store(DIED, 1);
      w.notify(TAKEN, Infinity);
      return;
    }
  });
}

/**
 * `n` permits of a {@link Semaphore}; `release()` (or disposal) gives them back once.
 *
 * @example
 * ```ts
 * import { Semaphore } from "@atomicx/atomicx";
 *
 * const slots = new Semaphore(2);
 * {
 *   using permit = slots.acquire();
 *   console.log(permit.n, slots.available); // 1 1
 * }
 * ```
 */
export class Permit {
  /** How many permits this holds. */
  readonly n: number;
  /**
   * True if, before these permits were taken, a region holder's thread or process ended holding
   * permits, which were given back (what it guarded may be half-done).
   */
  readonly ownerDied: boolean;
  #semaphore: Semaphore | undefined;

  private constructor(semaphore: Semaphore, n: number, ownerDied: boolean) {
    this.#semaphore = semaphore;
    this.n = n;
    this.ownerDied = ownerDied;
  }

  /**
   * Gives the permits back; does nothing the second time.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const permit = new Semaphore(1).acquire();
   * permit.release();
   * ```
   */
  release(): void {
    const s = this.#semaphore;
    if (s === undefined) return;
    this.#semaphore = undefined;
    s.release(this.n);
  }

  /**
   * Keeps these permits taken for good (a semaphore used as a signal: one side releases, the other
   * acquires and keeps): `release()` and disposal then do nothing, and in a region they stop being
   * this thread's, so its death gives nothing back. Calling it after `release()` does nothing.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const jobs = new Semaphore(0);
   * jobs.release(); // a producer adds a job
   * jobs.acquire().keep(); // a consumer takes it for good
   * console.log(jobs.available); // 0
   * ```
   */
  keep(): void {
    const s = this.#semaphore;
    if (s === undefined) return;
    this.#semaphore = undefined;
    forget(s, this.n);
  }

  /** `using permit = semaphore.acquire()` releases at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** `await using permit = await semaphore.acquireAsync()`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  static {
    makePermit = (s, n, ownerDied) => new Permit(s, n, ownerDied);
  }
}

/**
 * A counting semaphore.
 *
 * @example
 * ```ts
 * import { Semaphore } from "@atomicx/atomicx";
 *
 * const connections = new Semaphore(4);
 * await using permit = await connections.acquireAsync(1, { timeout: 1000 });
 * ```
 */
export class Semaphore {
  readonly #w: Words;
  /** This thread's task queue for it (made on first async use). */
  #q: TaskQueue | undefined;

  /**
   * A new in-process semaphore with `permits` permits.
   *
   * @throws {TypeError} / {RangeError} unless `permits` is an integer in 0..2^30−1
   */
  constructor(permits: number);
  constructor(permits: number, words?: unknown) {
    this.#w = sizedWords(
      "new Semaphore",
      "permits",
      "semaphore",
      permits,
      LIMITS,
      givenWords(words),
    );
  }

  /**
   * The semaphore a handle names.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const s = new Semaphore(3);
   * console.log(Semaphore.from(s.handle).available); // 3
   * ```
   */
  static from(handle: LockHandle<"semaphore">): Semaphore {
    const { words, size } = sizedFrom("Semaphore.from", "semaphore", handle, LIMITS);
    return semaphoreOn(words, size);
  }

  /** Plain data naming this semaphore. */
  get handle(): LockHandle<"semaphore"> {
    return this.#w.handle as LockHandle<"semaphore">;
  }

  /** Permits free now. */
  get available(): number {
    return sizeOf(this.#w, PERMITS) - this.#w.load(TAKEN);
  }

  static {
    forget = (s, n) => s.#w.holders?.remove(n);
  }

  #checkN(where: string, n: unknown): number {
    return checkSize(where, "n", n, 1, MAX);
  }

  /** The acquire rules for `n` permits. */
  #rules(where: string, n: number): Acquire<Permit> {
    const w = this.#w;
    const permits = sizeOf(w, PERMITS);
    return {
      attempt: () =>
        takePermit(this, w, where, permits, n) ?? new Sleep(TAKEN, w.load(TAKEN), SLEEPERS),
      onSlice: () => {
        reapDead(w);
        return undefined;
      },
    };
  }

  /**
   * Takes `n` permits if that many are free now.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const s = new Semaphore(1);
   * const p = s.tryAcquire(); // a Permit
   * console.log(s.tryAcquire()); // undefined
   * ```
   */
  tryAcquire(n = 1): Permit | undefined {
    const where = "Semaphore.tryAcquire";
    this.#checkN(where, n);
    const w = this.#w;
    return takePermit(this, w, where, sizeOf(w, PERMITS), n);
  }

  /**
   * Takes `n` permits, blocking until they are free. A blocking wait checks `signal` on entry
   * only (the thread is blocked meanwhile).
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * using permit = new Semaphore(2).acquire(2, { timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"`; `signal.reason` if already aborted
   */
  acquire(n = 1, options?: WaitOptions): Permit {
    const where = "Semaphore.acquire";
    this.#checkN(where, n);
    if (options === undefined) {
      // Free permits are taken before a wait is set up (its deadline and rules), as its first try.
      const w = this.#w;
      const permit = takePermit(this, w, where, sizeOf(w, PERMITS), n);
      if (permit !== undefined) return permit;
    }
    return waitFor(this.#w, where, deadlineOf(where, options), this.#rules(where, n));
  }

  /**
   * As {@link Semaphore.acquire}, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const permit = await new Semaphore(1).acquireAsync();
   * permit.release();
   * ```
   */
  acquireAsync(n = 1, options?: WaitOptions): Promise<Permit> {
    return markPending(this.#acquireAsync(n, options), MISUSE_ACQUIREASYNC, "release");
  }

  async #acquireAsync(n: number, options: WaitOptions | undefined): Promise<Permit> {
    const where = "Semaphore.acquireAsync";
    this.#checkN(where, n);
    const deadline = deadlineOf(where, options);
    // Tasks of this thread line up (first come first served); the first one waits on the words.
    const q = this.#q ??= queueOf(this.#w);
    await takeTurn(q, where, deadline);
    try {
      return await waitForAsync(this.#w, where, deadline, this.#rules(where, n));
    } finally {
      passTurn(q);
    }
  }

  /**
   * Takes `n` permits as `acquireAsync` does, runs `fn`, and gives them back when `fn`'s promise
   * settles (also when it throws); resolves with `fn`'s value.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const pool = new Semaphore(4);
   * const rows = await pool.runExclusive(async () => ["row"], 2, { timeout: 1000 });
   * console.log(rows, pool.available); // [ "row" ] 4
   * ```
   * @throws {TypeError} (rejects) if `fn` is not a function; what `acquireAsync` and `fn` throw
   */
  async runExclusive<R>(
    fn: () => R | PromiseLike<R>,
    n = 1,
    options?: WaitOptions,
  ): Promise<Awaited<R>> {
    if (typeof fn !== "function") {
      throw new TypeError(`Semaphore.runExclusive: expected a function, got ${describe(fn)}`);
    }
    const permit = await this.acquireAsync(n, options);
    try {
      return await fn();
    } finally {
      permit.release();
    }
  }

  /**
   * Gives `n` permits back (or adds them) and wakes waiters. In a region, up to `n` of the permits
   * this thread holds are no longer counted as its own.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@atomicx/atomicx";
   *
   * const s = new Semaphore(0);
   * s.release(2);
   * console.log(s.available); // 2
   * ```
   * @throws {RangeError} if more than 2^30−1 permits would be free (nothing changes)
   */
  release(n = 1): void {
    const where = "Semaphore.release";
    this.#checkN(where, n);
    const w = this.#w;
    const permits = sizeOf(w, PERMITS);
    // Forgotten before given back: a thread dying between the two leaves them taken, never
    // given back twice. This thread's entry is freed after (`tidy`), not between the two.
    const mine = w.holders?.remove(n, false) ?? 0;
    for (;;) {
      const taken = w.load(TAKEN);
      if (permits - (taken - n) > MAX) {
        if (mine > 0) w.holders!.add(mine, reapDead);
        w.holders?.tidy();
        throw new RangeError(
          `${where}: ${permits - taken} permits are free; ${n} more would exceed ${MAX}`,
        );
      }
      if (w.compareExchange(TAKEN, taken, taken - n) === taken) break;
    }
    wake(w);
    w.holders?.tidy();
  }
}
