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
 * Each thread counts its own read holds (in a table on `globalThis` under a `Symbol.for` key, shared
 * by every copy of the library): a thread that reads already takes another read at once (it is one
 * of the readers a waiting writer waits for), and `write` while it reads is an `Error` instead of a
 * wait for itself.
 *
 * In a region each thread's read holds are also counted in the holder table (`_holders.ts`): a
 * writer waiting for the readers to leave gives back, after a slice that ran out, the read holds
 * of threads that ended (word 5 notes it, and that writer's guard says `ownerDied`).
 *
 * Its `from`/`handle` (and its guards' unlock and dispose methods) are spelled out alike in every
 * primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { lockWith, lockWithAsync, type Mutex, type MutexGuard, mutexOn } from "./mutex.ts";
import {
  type Acquire,
  checkAbort,
  type Deadline,
  deadlineOf,
  Sleep,
  waitFor,
  waitForAsync,
  type WaitOptions,
} from "./_wait.ts";
import { givenWords, newWords, type Words } from "./_words.ts";
import { construct } from "../_storage.ts";
import type { LockHandle } from "../handle.ts";
import { wordsFromHandle } from "../_from_handle.ts";
import { HOLDERS } from "./_holders.ts";
import { markPending, misuse } from "./_pending.ts";

/** What an un-awaited acquisition's promise answers to `unlock`/`release`/dispose. */
const MISUSE_READASYNC = misuse("RwLock.readAsync");
const MISUSE_WRITEASYNC = misuse("RwLock.writeAsync");

const WRITER = 0;
const READERS = 4;
/** Set when a dead reader's holds were given back; cleared by the writer that then gets in. */
const DIED = 5;

let releaseRead: (lock: RwLock) => void;
let makeReadGuard: (lock: RwLock, ownerDied: boolean) => RwLockReadGuard;
let makeWriteGuard: (guard: MutexGuard, readerDied: boolean) => RwLockWriteGuard;

/** The lock on `words`. */
export function rwLockOn(words: Words): RwLock {
  return construct(RwLock, [], words);
}

/** This thread's read holds per lock, shared by every copy of the library in this thread. */
interface ReadHolds {
  readonly inMemory: WeakMap<object, Map<number | string, number>>;
  readonly inRegions: Map<string, Map<number | string, number>>;
}
const HOLDS = Symbol.for("atomicx.locks.readHolds");
const holds: ReadHolds =
  ((globalThis as unknown as Record<symbol, ReadHolds | undefined>)[HOLDS] ??= {
    inMemory: new WeakMap(),
    inRegions: new Map(),
  });

/** The read holds of `w`'s lock in this thread (created on demand when `create`). */
function holdsOf(w: Words, create: boolean): Map<number | string, number> | undefined {
  const place = w.place;
  let table = typeof place === "string" ? holds.inRegions.get(place) : holds.inMemory.get(place);
  if (table === undefined && create) {
    table = new Map();
    if (typeof place === "string") holds.inRegions.set(place, table);
    else holds.inMemory.set(place, table);
  }
  return table;
}

/** How many read holds this thread has on `w`'s lock. */
function readsHere(w: Words): number {
  return holdsOf(w, false)?.get(w.offset) ?? 0;
}

/** Counts one read hold of this thread up or down. */
function countRead(w: Words, delta: 1 | -1): void {
  const table = holdsOf(w, true)!;
  const n = (table.get(w.offset) ?? 0) + delta;
  if (n === 0) table.delete(w.offset);
  else table.set(w.offset, n);
}

/** Gives back the read holds of readers that ended (region), never below 0 readers. */
function reapReaders(w: Words): void {
  w.holders?.reap((count) => {
    if (!(count > 0)) return; // ended between claiming its entry and counting in it
    // Never below 0 readers, whatever a tampered table says.
    for (;;) {
      const n = w.load(READERS);
      const back = Math.min(count, n);
      if (back <= 0) return;
      if (w.compareExchange(READERS, n, n - back) !== n) continue;
      w.store(DIED, 1);
      return;
    }
  });
}

/**
 * Waits until the readers left (giving back dead readers' holds in a region); on timeout or
 * abort lets go of the writers' mutex.
 */
function drained(w: Words, guard: MutexGuard): Acquire<RwLockWriteGuard> {
  return {
    attempt() {
      const n = w.load(READERS);
      if (n !== 0) return new Sleep(READERS, n);
      const died = w.holders !== undefined && w.load(DIED) !== 0 && w.exchange(DIED, 0) !== 0;
      return makeWriteGuard(guard, died);
    },
    onSlice() {
      reapReaders(w);
      return undefined;
    },
    cancel() {
      guard.unlock();
      return undefined;
    },
  };
}

function readingError(where: string): Error {
  return new Error(
    `${where}: this thread holds a read lock on it; unlock its read guards first (a writer ` +
      "waits for every reader, itself included: that would deadlock)",
  );
}

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

  private constructor(lock: RwLock, ownerDied: boolean) {
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

  static {
    makeReadGuard = (lock, ownerDied) => new RwLockReadGuard(lock, ownerDied);
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
  /**
   * True if the previous writer's thread or process died holding the lock, or (in a region) a
   * reader's died holding a read hold that was given back: the data may be half-written.
   */
  readonly ownerDied: boolean;
  readonly #guard: MutexGuard;

  private constructor(guard: MutexGuard, readerDied: boolean) {
    this.#guard = guard;
    this.ownerDied = guard.ownerDied || readerDied;
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

  static {
    makeWriteGuard = (guard, readerDied) => new RwLockWriteGuard(guard, readerDied);
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
  constructor();
  constructor(words?: unknown) {
    this.#w = givenWords(words) ?? newWords("rwlock");
    this.#mutex = mutexOn(this.#w);
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
  static from(handle: LockHandle<"rwlock">): RwLock {
    return rwLockOn(wordsFromHandle("RwLock.from", "rwlock", handle));
  }

  /** Plain data naming this lock; `postMessage` it and call `RwLock.from` on the other side. */
  get handle(): LockHandle<"rwlock"> {
    return this.#w.handle as LockHandle<"rwlock">;
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
  #enter(): RwLockReadGuard | undefined {
    const w = this.#w;
    const entry = this.#reserve();
    // A thread that reads already is one of the readers any writer waits for: read again at once.
    if (readsHere(w) === 0) {
      w.add(READERS, 1);
      if (w.load(WRITER) !== 0) {
        this.#leave();
        w.holders?.tidy();
        return undefined;
      }
    } else {
      w.add(READERS, 1);
    }
    this.#record(entry);
    return makeReadGuard(this, false);
  }

  /**
   * In a region, this thread's holder entry, made ready before a read hold is taken (so that one
   * word operation separates the hold from its record, see `_holders.ts`); -1 in-process.
   * @throws {Error} if the holder table is full (nothing taken)
   */
  #reserve(): number {
    const holders = this.#w.holders;
    if (holders === undefined) return -1;
    const entry = holders.reserve(reapReaders);
    if (entry < 0) {
      throw new Error(
        `RwLock: ${HOLDERS} threads hold read locks on this region lock already, the most its ` +
          "holder table names; unlock some first",
      );
    }
    return entry;
  }

  /** Counts a read hold just taken for this thread (and in `entry` of a region's holder table). */
  #record(entry: number): void {
    const w = this.#w;
    if (entry >= 0) w.holders!.addTo(entry, 1);
    countRead(w, 1);
  }

  /** Takes one reader out; the last one out wakes a writer waiting for the readers to leave. */
  #leave(): void {
    const w = this.#w;
    if (w.add(READERS, -1) === 1 && w.load(WRITER) !== 0) w.notify(READERS, Infinity);
  }

  /** Counts a reader in while holding the writers' mutex (so no writer is inside), then lets go. */
  #enterPast(guard: MutexGuard): RwLockReadGuard {
    try {
      const entry = this.#reserve();
      this.#w.add(READERS, 1);
      this.#record(entry);
    } finally {
      guard.unlock();
    }
    return makeReadGuard(this, guard.ownerDied);
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
    const g = this.#enter();
    if (g !== undefined) return g;
    const guard = this.#mutex.tryLock(); // succeeds if the writer died
    return guard && this.#enterPast(guard);
  }

  /**
   * Takes a read lock, blocking while a writer holds or waits for it. A blocking wait checks
   * `signal` on entry only (the thread is blocked meanwhile).
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const lock = new RwLock();
   * using guard = lock.read({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` when `timeout` passes
   * @throws {Error} if this thread holds the write lock, or `signal.reason` if already aborted
   */
  read(options?: WaitOptions): RwLockReadGuard {
    const where = "RwLock.read";
    const deadline = this.#checked(where, options);
    return this.#enter() ?? this.#enterPast(lockWith(this.#mutex, where, deadline));
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
  readAsync(options?: WaitOptions): Promise<RwLockReadGuard> {
    return markPending(this.#readAsync(options), MISUSE_READASYNC, "unlock");
  }

  async #readAsync(options: WaitOptions | undefined): Promise<RwLockReadGuard> {
    const where = "RwLock.readAsync";
    const deadline = this.#checked(where, options);
    return this.#enter() ?? this.#enterPast(await lockWithAsync(this.#mutex, where, deadline));
  }

  /** The checked deadline; `signal.reason` if already aborted. */
  #checked(where: string, options: unknown): Deadline {
    const deadline = deadlineOf(where, options);
    checkAbort(deadline);
    return deadline;
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
    const guard = this.#mutex.tryLock(); // succeeds if the writer died
    if (guard === undefined) return undefined;
    if (this.#w.load(READERS) === 0) return makeWriteGuard(guard, false);
    guard.unlock();
    return undefined;
  }

  /**
   * Takes the write lock, blocking until no reader or writer holds it. A blocking wait checks
   * `signal` on entry only (the thread is blocked meanwhile).
   *
   * @example
   * ```ts
   * import { RwLock } from "@atomicx/atomicx";
   *
   * const lock = new RwLock();
   * using guard = lock.write({ timeout: 100 });
   * ```
   * @throws {DOMException} named `"TimeoutError"` when `timeout` passes
   * @throws {Error} if this thread already holds the lock (for writing or reading), or
   * `signal.reason` if already aborted
   */
  write(options?: WaitOptions): RwLockWriteGuard {
    const where = "RwLock.write";
    const deadline = this.#checked(where, options);
    if (readsHere(this.#w) > 0) throw readingError(where);
    const guard = lockWith(this.#mutex, where, deadline);
    return waitFor(this.#w, where, deadline, drained(this.#w, guard));
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
  writeAsync(options?: WaitOptions): Promise<RwLockWriteGuard> {
    return markPending(this.#writeAsync(options), MISUSE_WRITEASYNC, "unlock");
  }

  async #writeAsync(options: WaitOptions | undefined): Promise<RwLockWriteGuard> {
    const where = "RwLock.writeAsync";
    const deadline = this.#checked(where, options);
    // A writer task queues behind the writers and then the readers, this thread's tasks included
    // (they release at their next await).
    const guard = await lockWithAsync(this.#mutex, where, deadline);
    return await waitForAsync(this.#w, where, deadline, drained(this.#w, guard));
  }

  /** `RwLock(unlocked)`, `RwLock(2 readers)` or `RwLock(write-locked)`. */
  toString(): string {
    if (this.writeLocked) return "RwLock(write-locked)";
    const n = this.readers;
    return n === 0 ? "RwLock(unlocked)" : `RwLock(${n} reader${n === 1 ? "" : "s"})`;
  }

  static {
    releaseRead = (lock: RwLock) => {
      countRead(lock.#w, -1);
      // Forgotten before given back: a thread dying between the two leaves it held, never
      // given back twice. This thread's entry is freed after (`tidy`), not between the two.
      lock.#w.holders?.remove(1, false);
      lock.#leave();
      lock.#w.holders?.tidy();
    };
  }
}
