/**
 * `Mutex`: mutual exclusion between Workers, and — in a shared-memory region — between processes
 * of any runtime, with recovery when a holding process dies.
 *
 * Protocol (a three-state futex mutex whose "locked" states also name the owner), on word 0:
 * `0` unlocked; `owner` locked; `owner | CONTENDED` locked with possible sleepers. The owner is what
 * the word storage says (`words.me`: this thread's token in-process, the pid in a region, where
 * words 1–3 name the thread and the process start time so that a dead holder is taken over: see
 * `src/_region_words.ts` and docs/locks.md). Unlocking wakes one sleeper only if the word said
 * contended. The slow path is the one wait loop of `_wait.ts`.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { describe } from "../_errors.ts";
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
import { givenWords, LocalWords, MUTEX_CONTENDED, newWords, type Words } from "./_words.ts";
import { construct } from "../_storage.ts";
import type { LockHandle } from "../handle.ts";
import { wordsFromHandle } from "../_from_handle.ts";
import {
  holdsTurn,
  lineUp,
  passTurn,
  queueOf,
  runHolding,
  type TaskQueue,
  withTurn,
} from "./_tasks.ts";
import { markPending, misuse } from "./_pending.ts";

/** What an un-awaited acquisition's promise answers to `unlock`/`release`/dispose. */
const MISUSE_LOCKASYNC = misuse("Mutex.lockAsync");

const CONTENDED = MUTEX_CONTENDED;
const STATE = 0;

/**
 * The brand every copy of the library puts on its mutex guards (a `Symbol.for` key, so that a
 * `Condition` of one copy accepts a guard of another): a method returning the guard's link.
 */
const GUARD = Symbol.for("atomicx.MutexGuard");

/** What a guard's brand method gives: its mutex's handle, and suspending and marking it. */
interface GuardLink {
  readonly handle: LockHandle<"mutex">;
  /** Releases the lock, keeping the guard armed (the caller takes the lock again). */
  suspend(): void;
  /** Sets `ownerDied` (the lock was taken again from a dead holder). */
  markOwnerDied(): void;
  /** After `suspend`: an async hold gives its task's turn to the next task of this thread. */
  passTurn?(): void;
  /** Takes the lock again after a suspend (an async hold queues for its task's turn first). */
  relockAsync?(): Promise<boolean>;
}

let releaseMutex: (m: Mutex) => void;
let makeGuard: (m: Mutex, ownerDied: boolean, queue?: TaskQueue) => MutexGuard;
let guardMutex: (g: MutexGuard) => Mutex | undefined;
let wordsOfMutex: (m: Mutex) => Words;
let contended: (m: Mutex) => boolean;
let queueOfMutex: (m: Mutex) => TaskQueue;

/** The mutex at words 0–3 of `words` (an `RwLock`'s writers' side). */
export function mutexOn(words: Words): Mutex {
  return construct(Mutex, [], words);
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
  /** True if the previous holder (a process, or a thread) died holding the lock (its data may be half-written). */
  readonly ownerDied: boolean;
  #mutex: Mutex | undefined;
  /** The task queue whose turn an async hold has (passed on at unlock); `undefined` if blocking. */
  readonly #queue: TaskQueue | undefined;

  private constructor(mutex: Mutex, ownerDied: boolean, queue: TaskQueue | undefined) {
    this.#mutex = mutex;
    this.ownerDied = ownerDied;
    this.#queue = queue;
  }

  /** The mutex this guard holds, or `undefined` once unlocked. */
  get mutex(): Mutex | undefined {
    return this.#mutex;
  }

  /**
   * The brand a `Condition` of any copy of the library checks (a `Symbol.for` key): while the
   * guard holds its lock, an object naming the mutex and letting the condition suspend the hold.
   */
  [GUARD](): object | undefined {
    const m = this.#mutex;
    if (m === undefined) return undefined;
    const q = this.#queue;
    const link: GuardLink = {
      handle: m.handle,
      suspend: () => releaseMutex(m),
      markOwnerDied: () => Object.defineProperty(this, "ownerDied", { value: true }),
      passTurn: () => q !== undefined && passTurn(q),
      relockAsync: async () => {
        const where = "Condition.waitAsync";
        const g = q === undefined
          ? await relockAsync(m, where, FOREVER)
          : await withTurn(q, where, FOREVER, () => takeWords(m, where, FOREVER, q));
        return g.ownerDied;
      },
    };
    return link;
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
    const q = this.#queue;
    if (q === undefined) return releaseMutex(m);
    // The next task of this thread takes the words as they are, unless another thread waits for
    // them: then they are released (and that thread woken) and the next task competes for them.
    if (q.waiting.length > 0 && !contended(m)) q.handed = true;
    else releaseMutex(m);
    passTurn(q);
  }

  /** `using guard = mutex.lock()` unlocks at the end of the scope. */
  [Symbol.dispose](): void {
    this.unlock();
  }

  static {
    makeGuard = (m, ownerDied, queue) => new MutexGuard(m, ownerDied, queue);
    guardMutex = (g) => g.#mutex;
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
  /** This thread's task queue for it (made on first async use). */
  #q: TaskQueue | undefined;
  /** What a queued `lockAsync` without options does once handed the turn (made once). */
  #onTurn: (() => MutexGuard | Promise<MutexGuard>) | undefined;

  /** A new, unlocked in-process mutex. */
  constructor();
  constructor(words?: unknown) {
    this.#w = givenWords(words) ?? newWords("mutex");
    this.#a = this.#w instanceof LocalWords ? this.#w.a : undefined;
    this.#me = this.#w.me;
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
  static from(handle: LockHandle<"mutex">): Mutex {
    return mutexOn(wordsFromHandle("Mutex.from", "mutex", handle));
  }

  /** Plain data naming this mutex; `postMessage` it and call `Mutex.from` on the other side. */
  get handle(): LockHandle<"mutex"> {
    return this.#w.handle as LockHandle<"mutex">;
  }

  /** True while some thread or process holds the lock. */
  get locked(): boolean {
    return this.#w.load(STATE) !== 0;
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
    const w = this.#w;
    if (w.mutexEnter() === 0) return makeGuard(this, false);
    // In a region, a dead holder's lock is free to take.
    const c = w.load(STATE);
    if (c === 0 || !w.takeOverDead(c, this.#me | CONTENDED)) return undefined;
    w.claim();
    return makeGuard(this, true);
  }

  /**
   * Takes the lock, blocking until it is free. A blocking wait checks `signal` on entry only: the
   * thread is blocked, so an abort cannot fire while it waits (use `lockAsync` to be abortable,
   * and `timeout` to bound a blocking wait).
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * using guard = mutex.lock({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` when `timeout` passes
   * @throws {Error} if this thread already holds it, or `signal.reason` if already aborted
   */
  lock(options?: WaitOptions): MutexGuard {
    if (options === undefined) {
      // The guard first: a garbage collection its allocation may start then runs before the lock
      // is taken, not while other threads wait for it. Then the words' one compare-exchange.
      const guard = makeGuard(this, false);
      if (this.#w.mutexEnter() === 0) return guard;
    }
    // Held (or options to check): the re-entry check, then the one wait loop.
    return lockWith(this, "Mutex.lock", deadlineOf("Mutex.lock", options));
  }

  /**
   * Takes the lock (blocking, as `lock`), runs `fn` and releases the lock when `fn` returns or
   * throws; returns `fn`'s value. The guard-free form: no guard object is made, the fastest way
   * to hold the lock for a synchronous `fn` (use `runExclusive` for an async one — a promise `fn`
   * returns would outlive the hold).
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * const counts = new Int32Array(new SharedArrayBuffer(4)); // share with Workers
   * console.log(mutex.withLock(() => ++counts[0])); // 1
   * ```
   * @throws {DOMException} named `"TimeoutError"`; `signal.reason` if already aborted; what `fn`
   * throws
   * @throws {Error} if this thread already holds it
   */
  withLock<R>(fn: () => R, options?: WaitOptions): R {
    const where = "Mutex.withLock";
    const deadline = deadlineOf(where, options);
    if (enterBare(this, where, deadline) !== 0) {
      waitFor(this.#w, where, deadline, this.#bare ??= bareRules(this));
    }
    try {
      return fn();
    } finally {
      releaseMutex(this);
    }
  }

  /** The wait loop's rules for a hold without a guard (`withLock`), made once. */
  #bare: Acquire<true> | undefined;

  /**
   * Takes the lock without blocking the event loop. The hold belongs to the async task that
   * awaited it: other tasks of this thread queue behind it, first come first served, and get it
   * as it is unlocked; other threads and processes wait on the lock's words.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * let count = 0;
   * async function handler() {
   *   const guard = await mutex.lockAsync({ timeout: 1000 });
   *   try {
   *     const seen = count;
   *     await new Promise((resolve) => setTimeout(resolve, 1));
   *     count = seen + 1; // exact: no other handler ran in between
   *   } finally {
   *     guard.unlock();
   *   }
   * }
   * await Promise.all([handler(), handler(), handler(), handler()]);
   * console.log(count); // 4
   * ```
   * @throws {DOMException} (rejects) named `"TimeoutError"`; `signal.reason` if aborted
   * @throws {Error} (rejects) inside this mutex's own `runExclusive` (a task waiting for itself),
   * where the runtime can tell (Deno, Bun, Node)
   */
  lockAsync(options?: WaitOptions): Promise<MutexGuard> {
    let p: Promise<MutexGuard>;
    const q = this.#q ??= queueOf(this.#w);
    if (options === undefined && !q.busy && this.#w.mutexEnter() === 0) {
      q.busy = true;
      p = Promise.resolve(makeGuard(this, false, q));
    } else if (options === undefined && q.busy && !holdsTurn(q)) {
      // Behind another task of this thread, with nothing to time out or abort.
      p = lineUp(q, this.#onTurn ??= () => takeWords(this, "Mutex.lockAsync", FOREVER, q));
    } else {
      try {
        p = lockWithAsync(this, "Mutex.lockAsync", deadlineOf("Mutex.lockAsync", options));
      } catch (error) {
        p = Promise.reject(error);
      }
    }
    return markPending(p, MISUSE_LOCKASYNC, "unlock");
  }

  /**
   * Takes the lock as `lockAsync` does, runs `fn`, and releases the lock when `fn`'s promise
   * settles (also when it throws); resolves with `fn`'s value. The guard-free form: nothing to
   * forget to unlock. Inside `fn`, waiting for this same mutex again is an `Error` where the
   * runtime can tell (an `AsyncLocalStorage`: Deno, Bun, Node), not a deadlock.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * const value = await mutex.runExclusive(async () => {
   *   await new Promise((resolve) => setTimeout(resolve, 1));
   *   return 42;
   * }, { timeout: 1000 });
   * console.log(value, mutex.locked); // 42 false
   * ```
   * @throws {TypeError} (rejects) if `fn` is not a function; what `lockAsync` and `fn` throw
   */
  async runExclusive<R>(fn: () => R | PromiseLike<R>, options?: WaitOptions): Promise<Awaited<R>> {
    if (typeof fn !== "function") {
      throw new TypeError(`Mutex.runExclusive: expected a function, got ${describe(fn)}`);
    }
    const guard = await this.lockAsync(options);
    try {
      return await runHolding(this.#q!, fn);
    } finally {
      guard.unlock();
    }
  }

  /**
   * Resolves once the lock is free for this task: it waits its turn like `lockAsync` (behind the
   * tasks of this thread queued before it) and lets go at once. Nothing is held afterwards, so
   * another task or thread may take the lock before the caller's next step.
   *
   * @example
   * ```ts
   * import { Mutex } from "@atomicx/atomicx";
   *
   * const mutex = new Mutex();
   * await mutex.waitForUnlock({ timeout: 1000 });
   * console.log(mutex.locked); // false
   * ```
   * @throws {DOMException} (rejects) named `"TimeoutError"`; `signal.reason` if aborted
   */
  async waitForUnlock(options?: WaitOptions): Promise<void> {
    (await this.lockAsync(options)).unlock();
  }

  /** `Mutex(locked)` or `Mutex(unlocked)`. */
  toString(): string {
    return `Mutex(${this.locked ? "locked" : "unlocked"})`;
  }

  static {
    wordsOfMutex = (m) => m.#w;
    contended = (m) =>
      ((m.#a !== undefined ? Atomics.load(m.#a, STATE) : m.#w.load(STATE)) & CONTENDED) !== 0;
    queueOfMutex = (m) => m.#q ??= queueOf(m.#w);
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

/**
 * The slow path's rules: take word 0 (marking it contended), or sleep on it; `held(ownerDied)`
 * makes the result.
 */
function rulesOf<T>(m: Mutex, held: (ownerDied: boolean) => T): Acquire<T> {
  const w = wordsOfMutex(m);
  const me = w.me;
  return {
    attempt() {
      for (;;) {
        const c = w.load(STATE);
        if (c === 0) {
          if (w.compareExchange(STATE, 0, me | CONTENDED) !== 0) continue;
          w.claim();
          return held(false);
        }
        if ((c & CONTENDED) === 0 && w.compareExchange(STATE, c, c | CONTENDED) !== c) continue;
        return new Sleep(STATE, c | CONTENDED);
      }
    },
    onSlice() {
      const c = w.load(STATE);
      if (c === 0 || !w.takeOverDead(c, me | CONTENDED)) return undefined;
      w.claim();
      return held(true);
    },
  };
}

/** The rules for a guard (of task queue `q`, for an async hold). */
function acquireRules(m: Mutex, q?: TaskQueue): Acquire<MutexGuard> {
  return rulesOf(m, (ownerDied) => makeGuard(m, ownerDied, q));
}

/** The rules for a hold without a guard (`withLock`; a dead holder's data is `fn`'s to check). */
function bareRules(m: Mutex): Acquire<true> {
  return rulesOf(m, () => true as const);
}

/** The first try of `lockWith`: a guard, or `undefined` after a re-entry check. */
function enter(m: Mutex, where: string, deadline: Deadline): MutexGuard | undefined {
  return enterBare(m, where, deadline) === 0 ? makeGuard(m, false) : undefined;
}

/** The first try of a blocking hold: 0 if taken; else the word, after a re-entry check. */
function enterBare(m: Mutex, where: string, deadline: Deadline): number {
  const w = wordsOfMutex(m);
  checkAbort(deadline);
  const c = w.mutexEnter();
  if (c === 0) return 0;
  if (w.heldHere(c)) {
    throw new Error(
      `${where}: this thread already holds the lock (through a guard of lock() or of an async ` +
        "task); a blocking wait would block its own holder: unlock first, or use lockAsync, " +
        "whose tasks queue",
    );
  }
  return c;
}

/** `lock` with a checked deadline, naming `where` in errors (`RwLock` and `Condition` too). */
export function lockWith(m: Mutex, where: string, deadline: Deadline): MutexGuard {
  return enter(m, where, deadline) ??
    waitFor(wordsOfMutex(m), where, deadline, acquireRules(m));
}

/**
 * As {@link lockWith}, for an async task: it waits for its turn among this thread's tasks, then
 * for the lock's words; the guard passes the turn on at unlock.
 */
export function lockWithAsync(m: Mutex, where: string, deadline: Deadline): Promise<MutexGuard> {
  const q = queueOfMutex(m);
  if (q.busy && holdsTurn(q)) {
    return Promise.reject(
      new Error(
        `${where}: this task holds the lock already (inside its runExclusive): waiting for ` +
          "itself would never end",
      ),
    );
  }
  try {
    return withTurn(q, where, deadline, () => takeWords(m, where, deadline, q));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The lock's words for a task that has its turn: a guard now if free, else after a wait. */
function takeWords(
  m: Mutex,
  where: string,
  deadline: Deadline,
  q: TaskQueue,
): MutexGuard | Promise<MutexGuard> {
  if (q.handed) {
    q.handed = false;
    return makeGuard(m, false, q);
  }
  const w = wordsOfMutex(m);
  if (w.mutexEnter() === 0) return makeGuard(m, false, q);
  checkAbort(deadline);
  return waitForAsync(w, where, deadline, acquireRules(m, q));
}

/** Takes the lock again after a condition wait, with no re-entry check (the guard is ours). */
export function relock(m: Mutex, where: string, deadline: Deadline): MutexGuard {
  return waitFor(wordsOfMutex(m), where, deadline, acquireRules(m));
}

/** As {@link relock}, without blocking, for a task that has its turn (`q`) if it is async. */
export function relockAsync(
  m: Mutex,
  where: string,
  deadline: Deadline,
  q?: TaskQueue,
): Promise<MutexGuard> {
  const w = wordsOfMutex(m);
  checkAbort(deadline);
  if (w.mutexEnter() === 0) return Promise.resolve(makeGuard(m, false, q));
  return waitForAsync(w, where, deadline, acquireRules(m, q));
}

/** A held guard's link, of this copy of the library or another; `TypeError` for anything else. */
export function guardLink(where: string, guard: unknown): { mutex: Mutex; link: GuardLink } {
  const brand = typeof guard === "object" && guard !== null
    ? (guard as { [GUARD]?: unknown })[GUARD]
    : undefined;
  if (typeof brand !== "function") {
    throw new TypeError(`${where}: expected a MutexGuard, got ${describe(guard)}`);
  }
  const link = brand.call(guard) as GuardLink | undefined;
  if (link === undefined) throw new TypeError(`${where}: the guard was already unlocked`);
  // A guard of this copy names its mutex; another copy's is rebuilt from its handle.
  const own = guard instanceof MutexGuard ? guardMutex(guard) : undefined;
  return { mutex: own ?? Mutex.from(link.handle), link };
}
