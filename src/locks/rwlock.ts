/**
 * `RwLock`: many readers or one writer, between Workers and — in a shared-memory region — between
 * processes of any runtime, with recovery when a writing process dies.
 *
 * Protocol (see docs/locks.md): words 0–3 are a {@link Mutex} that writers hold for the whole write
 * and that readers pass through only when a writer is in the way; word 4 counts the readers. A
 * reader adds 1 to word 4, then checks word 0: zero means no writer holds or wants the lock, and it
 * reads. Otherwise it takes its 1 back (waking the writer if it was the last), takes the mutex
 * (waiting behind the writer, with the mutex's timeouts and owner-death recovery), adds 1 to word 4
 * and releases the mutex. A writer takes the mutex, then waits until word 4 is 0. Once a writer
 * holds the mutex new readers wait, so a stream of readers cannot starve writers.
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { Mutex, type MutexGuard } from "./mutex.ts";
import {
  checkAbort,
  deadlineOf,
  timeoutError,
  type WaitOptions,
  waitWhile,
  waitWhileAsync,
} from "./_wait.ts";
import { type LockHandle, newWords, type Words, wordsFromHandle } from "./_words.ts";

const WRITER = 0;
const READERS = 4;

let releaseRead: (lock: RwLock) => void;

/**
 * A held read lock. `unlock()` (or the end of a `using` scope) releases it; calling it again does
 * nothing.
 *
 * @example
 * ```ts
 * import { RwLock } from "@atomicx/atomicx";
 *
 * const lock = new RwLock();
 * {
 *   using a = lock.read();
 *   using b = lock.read(); // readers share
 *   console.log(lock.readers); // 2
 * }
 * console.log(lock.readers); // 0
 * ```
 */
export class RwLockReadGuard {
  /** True if this reader found the lock held by a writer whose process died (data may be half-written). */
  readonly ownerDied: boolean;
  #lock: RwLock | undefined;

  /** @internal Made by `RwLock`. */
  constructor(lock: RwLock, ownerDied: boolean) {
    this.#lock = lock;
    this.ownerDied = ownerDied;
  }

  /**
   * Releases the read lock; does nothing if already released.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const guard = new RwLock().read();
   * guard.unlock();
   * guard.unlock(); // no effect
   * ```
   */
  unlock(): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    this.#lock = undefined;
    releaseRead(lock);
  }

  /** `using guard = lock.read()` unlocks at the end of the scope. */
  [Symbol.dispose](): void {
    this.unlock();
  }

  /** `await using guard = await lock.readAsync()` unlocks at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    this.unlock();
    return Promise.resolve();
  }
}

/**
 * A held write lock. `unlock()` (or the end of a `using` scope) releases it; calling it again
 * does nothing.
 *
 * @example
 * ```ts
 * import { RwLock } from "@atomicx/atomicx";
 *
 * const lock = new RwLock();
 * {
 *   using guard = lock.write();
 *   console.log(guard.ownerDied, lock.tryRead()); // false undefined
 * }
 * ```
 */
export class RwLockWriteGuard {
  /** True if the previous writer's process died holding the lock (the data may be half-written). */
  readonly ownerDied: boolean;
  readonly #guard: MutexGuard;

  /** @internal Made by `RwLock`. */
  constructor(guard: MutexGuard) {
    this.#guard = guard;
    this.ownerDied = guard.ownerDied;
  }

  /**
   * Releases the write lock; does nothing if already released.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const guard = new RwLock().write();
   * guard.unlock();
   * guard.unlock(); // no effect
   * ```
   */
  unlock(): void {
    this.#guard.unlock();
  }

  /** `using guard = lock.write()` unlocks at the end of the scope. */
  [Symbol.dispose](): void {
    this.unlock();
  }

  /** `await using guard = await lock.writeAsync()` unlocks at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    this.unlock();
    return Promise.resolve();
  }
}

/**
 * A readers–writer lock for Workers (in-process) or processes (`region.rwLock(name)`): any number
 * of readers at once, or one writer. Writers are not starved: once a writer waits, new readers wait
 * behind it.
 *
 * @example
 * ```ts
 * import { RwLock } from "@atomicx/atomicx";
 *
 * const lock = new RwLock(); // share lock.handle with Workers; RwLock.from(handle) there
 * const table = new Int32Array(new SharedArrayBuffer(8));
 * {
 *   using _ = lock.write({ timeout: 1000 });
 *   table[0] = table[1] = 42;
 * }
 * {
 *   using _ = lock.read();
 *   console.log(table[0] === table[1]); // true
 * }
 * await using _ = await lock.readAsync(); // never blocks the event loop
 * ```
 */
export class RwLock {
  readonly #w: Words;
  readonly #mutex: Mutex;

  /** A new, unlocked in-process readers–writer lock. */
  constructor(words?: Words) {
    this.#w = words ?? newWords("rwlock");
    this.#mutex = new Mutex(this.#w);
  }

  /**
   * The lock a handle names (from `lock.handle`, possibly in another Worker).
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const again = RwLock.from(new RwLock().handle);
   * ```
   * @throws {TypeError} for something that is not an rwlock handle
   * @throws {RangeError} for an offset outside its buffer
   */
  static from(handle: LockHandle): RwLock {
    return new RwLock(wordsFromHandle("RwLock.from", "rwlock", handle));
  }

  /** Plain data naming this lock; `postMessage` it and call `RwLock.from` on the other side. */
  get handle(): LockHandle {
    return this.#w.handle;
  }

  /** How many readers hold the lock now. */
  get readers(): number {
    return this.#w.load(READERS);
  }

  /** True while a writer holds the lock (or waits for the readers to leave). */
  get writeLocked(): boolean {
    return this.#w.load(WRITER) !== 0;
  }

  /** The reader fast path: counts this reader in unless a writer holds or waits. */
  #enter(): boolean {
    const w = this.#w;
    w.add(READERS, 1);
    if (w.load(WRITER) === 0) return true;
    this.#leave();
    return false;
  }

  /** Takes one reader out; the last one out wakes a writer waiting for the readers to leave. */
  #leave(): void {
    const w = this.#w;
    if (w.add(READERS, -1) === 1 && w.load(WRITER) !== 0) w.notify(READERS, Infinity);
  }

  /** Counts a reader in while holding the writers' mutex (so no writer is inside), then lets go. */
  #enterPast(guard: MutexGuard): RwLockReadGuard {
    this.#w.add(READERS, 1);
    guard.unlock();
    return new RwLockReadGuard(this, guard.ownerDied);
  }

  /**
   * Takes a read lock if no writer holds or waits for the lock.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const lock = new RwLock();
   * const reader = lock.tryRead(); // an RwLockReadGuard
   * console.log(lock.tryWrite()); // undefined: a reader holds it
   * reader?.unlock();
   * ```
   */
  tryRead(): RwLockReadGuard | undefined {
    if (this.#enter()) return new RwLockReadGuard(this, false);
    const guard = this.#mutex.tryLock(); // succeeds if the writer's process died
    return guard && this.#enterPast(guard);
  }

  /**
   * Takes a read lock, blocking while a writer holds or waits for it.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const lock = new RwLock();
   * using guard = lock.read({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` when `timeout` passes
   * @throws {Error} if this thread holds the write lock, or `signal.reason` if aborted
   */
  read(options?: WaitOptions): RwLockReadGuard {
    const where = "RwLock.read";
    const deadline = deadlineOf(where, options);
    checkAbort(deadline);
    if (this.#enter()) return new RwLockReadGuard(this, false);
    return this.#enterPast(this.#mutex.lockAs(where, deadline));
  }

  /**
   * As {@link RwLock.read}, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * await using guard = await new RwLock().readAsync({ timeout: 1000 });
   * ```
   * @throws {DOMException} (rejects) named `"TimeoutError"`; `signal.reason` if aborted
   */
  async readAsync(options?: WaitOptions): Promise<RwLockReadGuard> {
    const where = "RwLock.readAsync";
    const deadline = deadlineOf(where, options);
    checkAbort(deadline);
    if (this.#enter()) return new RwLockReadGuard(this, false);
    return this.#enterPast(await this.#mutex.lockAsyncAs(where, deadline));
  }

  /**
   * Takes the write lock if nobody reads or writes.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const lock = new RwLock();
   * const writer = lock.tryWrite(); // an RwLockWriteGuard
   * console.log(lock.tryRead()); // undefined: a writer holds it
   * writer?.unlock();
   * ```
   */
  tryWrite(): RwLockWriteGuard | undefined {
    const guard = this.#mutex.tryLock(); // succeeds if the writer's process died
    if (guard === undefined) return undefined;
    if (this.#w.load(READERS) === 0) return new RwLockWriteGuard(guard);
    guard.unlock();
    return undefined;
  }

  /**
   * Takes the write lock, blocking until no reader or writer holds it.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const lock = new RwLock();
   * using guard = lock.write({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` when `timeout` passes
   * @throws {Error} if this thread already holds the write lock, or `signal.reason` if aborted
   */
  write(options?: WaitOptions): RwLockWriteGuard {
    const where = "RwLock.write";
    const deadline = deadlineOf(where, options);
    const guard = this.#mutex.lockAs(where, deadline);
    let drained: "ok" | "timed-out" = "timed-out";
    try {
      drained = waitWhile(this.#w, READERS, (n) => n !== 0, deadline);
    } finally {
      if (drained !== "ok") guard.unlock();
    }
    return this.#written(guard, drained, where);
  }

  /**
   * As {@link RwLock.write}, without blocking the event loop.
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * await using guard = await new RwLock().writeAsync({ timeout: 1000 });
   * ```
   * @throws {DOMException} (rejects) named `"TimeoutError"`; `signal.reason` if aborted
   */
  async writeAsync(options?: WaitOptions): Promise<RwLockWriteGuard> {
    const where = "RwLock.writeAsync";
    const deadline = deadlineOf(where, options);
    checkAbort(deadline);
    const guard = await this.#mutex.lockAsyncAs(where, deadline);
    let drained: "ok" | "timed-out" = "timed-out";
    try {
      drained = await waitWhileAsync(this.#w, READERS, (n) => n !== 0, deadline);
    } finally {
      if (drained !== "ok") guard.unlock();
    }
    return this.#written(guard, drained, where);
  }

  /** The write guard once the readers left, or the timeout (the mutex released already). */
  #written(guard: MutexGuard, drained: "ok" | "timed-out", where: string): RwLockWriteGuard {
    if (drained === "timed-out") throw timeoutError(where);
    return new RwLockWriteGuard(guard);
  }

  /** `RwLock(unlocked)`, `RwLock(2 readers)` or `RwLock(write-locked)`. */
  toString(): string {
    if (this.writeLocked) return "RwLock(write-locked)";
    const n = this.readers;
    return n === 0 ? "RwLock(unlocked)" : `RwLock(${n} reader${n === 1 ? "" : "s"})`;
  }

  static {
    releaseRead = (lock: RwLock) => lock.#leave();
  }
}
