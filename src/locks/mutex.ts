/**
 * `Mutex`: mutual exclusion between Workers, and — in a shared-memory region — between processes
 * of any runtime, with recovery when a holding process dies.
 *
 * Protocol (a three-state futex mutex whose "locked" states also name the owner), on word 0:
 * `0` unlocked; `owner` locked; `owner | CONTENDED` locked with possible sleepers. The owner is this
 * thread's token in-process, the pid in a region. Unlocking wakes one sleeper only if the word said
 * contended. In a region, words 1–3 hold the holder's thread token and its process start time
 * (cleared before unlocking), so a waiter whose sleep ran out can tell a dead holder from a live one
 * and take the lock over with one compare-exchange (see docs/locks.md).
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { describe } from "../_errors.ts";
import { ID_MASK, ownerAlive, processIdentity, threadToken } from "./_owner.ts";
import {
  checkAbort,
  type Deadline,
  deadlineOf,
  runAsync,
  runBlocking,
  sliceOf,
  timeoutError,
  type WaitLoop,
  type WaitOptions,
} from "./_wait.ts";
import {
  LocalWords,
  type LockHandle,
  MUTEX_CONTENDED,
  newWords,
  type Words,
  wordsFromHandle,
} from "./_words.ts";

const CONTENDED = MUTEX_CONTENDED;
const STATE = 0;
const HOLDER = 1;
const START_LOW = 2;
const START_HIGH = 3;

let releaseMutex: (m: Mutex) => void;
let suspend: (g: MutexGuard) => Mutex;

/**
 * Releases the lock a guard holds while keeping the guard armed (a `Condition` wait); the caller
 * takes the lock again before returning. Returns the mutex.
 */
export function suspendGuard(guard: MutexGuard): Mutex {
  return suspend(guard);
}

/**
 * A held lock. `unlock()` (or the end of a `using` scope) releases it; calling it again does
 * nothing.
 *
 * @example
 * ```ts
 * import { Mutex } from "@atomicx/atomicx";
 *
 * const mutex = new Mutex();
 * {
 *   using guard = mutex.lock();
 *   console.log(guard.ownerDied); // false: nobody died holding it
 * } // unlocked here
 * ```
 */
export class MutexGuard {
  /** True if the previous holder's process died holding the lock (its data may be half-written). */
  readonly ownerDied: boolean;
  #mutex: Mutex | undefined;

  /** @internal Made by `Mutex`. */
  constructor(mutex: Mutex, ownerDied: boolean) {
    this.#mutex = mutex;
    this.ownerDied = ownerDied;
  }

  /** The mutex this guard holds, or `undefined` once unlocked. */
  get mutex(): Mutex | undefined {
    return this.#mutex;
  }

  /**
   * Releases the lock; does nothing if already released.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const guard = new Mutex().lock();
   * guard.unlock();
   * guard.unlock(); // no effect
   * ```
   */
  unlock(): void {
    const m = this.#mutex;
    if (m === undefined) return;
    this.#mutex = undefined;
    releaseMutex(m);
  }

  /** `using guard = mutex.lock()` unlocks at the end of the scope. */
  [Symbol.dispose](): void {
    this.unlock();
  }

  static {
    suspend = (g: MutexGuard) => {
      const m = g.#mutex!;
      releaseMutex(m);
      return m;
    };
  }

  /** `await using guard = await mutex.lockAsync()` unlocks at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    this.unlock();
    return Promise.resolve();
  }
}

/**
 * A mutual-exclusion lock for Workers (in-process) or processes (`region.mutex(name)`).
 *
 * @example
 * ```ts
 * import { Mutex } from "@atomicx/atomicx";
 *
 * const mutex = new Mutex(); // share mutex.handle with Workers; Mutex.from(handle) there
 * {
 *   using _ = mutex.lock({ timeout: 1000 });
 *   // … exclusive work …
 * }
 * await using _ = await mutex.lockAsync(); // never blocks the event loop
 * ```
 */
export class Mutex {
  readonly #w: Words;
  /** The in-process words' `Int32Array` (the fast paths use it directly), else `undefined`. */
  readonly #a: Int32Array | undefined;
  readonly #me: number;

  /** A new, unlocked in-process mutex. */
  constructor(words?: Words) {
    this.#w = words ?? newWords("mutex");
    this.#a = this.#w instanceof LocalWords ? this.#w.a : undefined;
    this.#me = this.#w.inRegion ? processIdentity().pid : threadToken;
  }

  /**
   * The mutex a handle names (from `mutex.handle`, possibly in another Worker).
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const again = Mutex.from(new Mutex().handle);
   * ```
   * @throws {TypeError} for something that is not a mutex handle
   * @throws {RangeError} for an offset outside its buffer
   */
  static from(handle: LockHandle): Mutex {
    return new Mutex(wordsFromHandle("Mutex.from", "mutex", handle));
  }

  /** Plain data naming this mutex; `postMessage` it and call `Mutex.from` on the other side. */
  get handle(): LockHandle {
    return this.#w.handle;
  }

  /** True while some thread or process holds the lock. */
  get locked(): boolean {
    return this.#w.load(STATE) !== 0;
  }

  #acquired(ownerDied: boolean): MutexGuard {
    const w = this.#w;
    if (w.inRegion) {
      const id = processIdentity();
      w.store(HOLDER, threadToken);
      w.store(START_LOW, id.startLow);
      w.store(START_HIGH, id.startHigh);
    }
    return new MutexGuard(this, ownerDied);
  }

  /** True if this thread holds the lock. */
  #heldHere(): boolean {
    const w = this.#w;
    if ((w.load(STATE) & ID_MASK) !== this.#me) return false;
    return !w.inRegion || w.load(HOLDER) === threadToken;
  }

  /**
   * Takes the lock if nobody holds it.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * const guard = mutex.tryLock(); // a MutexGuard
   * console.log(mutex.tryLock()); // undefined: held
   * guard?.unlock();
   * ```
   */
  tryLock(): MutexGuard | undefined {
    if (this.#w.mutexEnter(this.#me) === 0) return new MutexGuard(this, false);
    return this.#takeOverDead(); // in a region, a dead holder's lock is free to take
  }

  /**
   * One attempt of the slow path: a guard, or the word to sleep on. Marks the lock contended.
   */
  #attempt(): MutexGuard | number {
    const w = this.#w;
    const c = w.load(STATE);
    if (c === 0) {
      return w.compareExchange(STATE, 0, this.#me | CONTENDED) === 0 ? this.#acquired(false) : -1;
    }
    if ((c & CONTENDED) === 0 && w.compareExchange(STATE, c, c | CONTENDED) !== c) return -1;
    return c | CONTENDED;
  }

  /** After a sleep ran out in a region: takes the lock over if its holder's process died. */
  #takeOverDead(): MutexGuard | undefined {
    const w = this.#w;
    if (!w.inRegion) return undefined;
    const c1 = w.load(STATE);
    const low = w.load(START_LOW);
    const high = w.load(START_HIGH);
    if (w.load(STATE) !== c1 || c1 === 0) return undefined;
    if (ownerAlive(c1 & ID_MASK, low, high)) return undefined;
    // Clear the dead holder's start time first: words 2–3 are always 0 or the start of the pid in
    // word 0, so no later check can compare a live holder with a dead one's start time.
    w.store(START_LOW, 0);
    w.store(START_HIGH, 0);
    if (w.compareExchange(STATE, c1, this.#me | CONTENDED) !== c1) return undefined;
    return this.#acquired(true);
  }

  #checkReentry(where: string): void {
    if (this.#heldHere()) {
      throw new Error(
        `${where}: this thread already holds the lock; unlock its guard first (locks are not ` +
          "re-entrant, and waiting for itself would deadlock)",
      );
    }
  }

  /**
   * Takes the lock, blocking until it is free.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * using guard = mutex.lock({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` when `timeout` passes
   * @throws {Error} if this thread already holds it, or `signal.reason` if aborted
   */
  lock(options?: WaitOptions): MutexGuard {
    // The uncontended path without options: one compare-exchange and the guard.
    const a = this.#a;
    if (a !== undefined && options === undefined) {
      // The guard first: a garbage collection its allocation may start then runs before the lock
      // is taken, not while other threads wait for it.
      const guard = new MutexGuard(this, false);
      const c = Atomics.compareExchange(a, STATE, 0, this.#me);
      if (c === 0) return guard;
      if ((c & ID_MASK) !== this.#me) return this.#lockLocal(a, c);
    }
    return this.lockAs("Mutex.lock", deadlineOf("Mutex.lock", options));
  }

  /**
   * The in-process slow path without a deadline or signal: `Atomics` straight on the array. It
   * sleeps at once, as the hand-written futex mutex does (spinning first measured no better on a
   * busy 2-core machine).
   */
  #lockLocal(a: Int32Array, c: number): MutexGuard {
    const me = this.#me;
    for (;;) {
      if (c === 0) {
        c = Atomics.compareExchange(a, STATE, 0, me | CONTENDED);
        if (c === 0) return new MutexGuard(this, false);
        continue;
      }
      if ((c & CONTENDED) === 0) {
        const seen = Atomics.compareExchange(a, STATE, c, c | CONTENDED);
        if (seen !== c) {
          c = seen;
          continue;
        }
        c |= CONTENDED;
      }
      Atomics.wait(a, STATE, c);
      c = Atomics.load(a, STATE);
    }
  }

  /** @internal `lock` with a checked deadline, naming `where` in errors (also used by `RwLock`). */
  lockAs(where: string, deadline: Deadline): MutexGuard {
    checkAbort(deadline);
    if (this.#w.mutexEnter(this.#me) === 0) return new MutexGuard(this, false);
    this.#checkReentry(where);
    return this.lockSlow(deadline, where);
  }

  /** The slow path, written once for {@link Mutex.lockSlow} and {@link Mutex.lockSlowAsync}. */
  *#slowLoop(deadline: Deadline, where: string): WaitLoop<MutexGuard> {
    for (;;) {
      checkAbort(deadline);
      const r = this.#attempt();
      if (r instanceof MutexGuard) return r;
      if (r === -1) continue;
      const ms = sliceOf(deadline, this.#w.sliceMs);
      if (ms === 0) throw timeoutError(where);
      if ((yield { i: STATE, value: r, ms }) === "timed-out") {
        const g = this.#takeOverDead();
        if (g) return g;
      }
    }
  }

  /** @internal The blocking slow path (also used by `Condition`). */
  lockSlow(deadline: Deadline, where: string): MutexGuard {
    return runBlocking(this.#w, this.#slowLoop(deadline, where));
  }

  /**
   * Takes the lock without blocking the event loop.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * await using guard = await mutex.lockAsync({ timeout: 1000 });
   * ```
   * @throws {DOMException} (rejects) named `"TimeoutError"`; `signal.reason` if aborted
   */
  lockAsync(options?: WaitOptions): Promise<MutexGuard> {
    let deadline: Deadline;
    try {
      deadline = deadlineOf("Mutex.lockAsync", options);
      checkAbort(deadline);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.lockAsyncAs("Mutex.lockAsync", deadline);
  }

  /** @internal `lockAsync` with a checked deadline, naming `where` in errors (`RwLock`). */
  lockAsyncAs(where: string, deadline: Deadline): Promise<MutexGuard> {
    if (this.#w.mutexEnter(this.#me) === 0) return Promise.resolve(new MutexGuard(this, false));
    return this.lockSlowAsync(deadline, where);
  }

  /** @internal The asynchronous slow path (also used by `Condition`). */
  lockSlowAsync(deadline: Deadline, where: string): Promise<MutexGuard> {
    return runAsync(this.#w, this.#slowLoop(deadline, where), deadline.signal);
  }

  /** `Mutex(locked)` or `Mutex(unlocked)`. */
  toString(): string {
    return `Mutex(${this.locked ? "locked" : "unlocked"})`;
  }

  static {
    releaseMutex = (m: Mutex) => {
      const a = m.#a;
      if (a !== undefined) {
        if ((Atomics.exchange(a, STATE, 0) & CONTENDED) !== 0) m.#w.notify(STATE, 1);
        return;
      }
      m.#w.mutexLeave();
    };
  }
}

/** `TypeError` unless `guard` is a guard of a held mutex. */
export function checkGuard(where: string, guard: unknown): Mutex {
  if (!(guard instanceof MutexGuard)) {
    throw new TypeError(`${where}: expected a MutexGuard, got ${describe(guard)}`);
  }
  const m = guard.mutex;
  if (m === undefined) throw new TypeError(`${where}: the guard was already unlocked`);
  return m;
}
