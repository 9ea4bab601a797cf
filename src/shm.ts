/**
 * `SharedMemory`: a named shared-memory region holding named atomics, shared between processes —
 * of any runtime — that open the same name. Linux only for now (POSIX shared memory and futexes);
 * elsewhere `open` throws "not supported on this platform".
 *
 * @module
 */

import { Kind, OpenFlag, Status } from "../ffi/_codes.ts";
import { preloadNative } from "../ffi/mod.ts";
import { regionSpace } from "./_native_space.ts";
import { AtomicBigInt } from "./bigint.ts";
import { AtomicBool } from "./bool.ts";
import { AtomicFloat } from "./float.ts";
import type { AtomicKind } from "./handle.ts";
import { type Block, type Cell, cellInBlock, construct } from "./_storage.ts";
import { vouch } from "./_brands.ts";
import { cellSize } from "../engine/_ops.ts";
import { type ArrayKind, checkLength, elementKind } from "./arrays/_base.ts";
import { AtomicIntArray } from "./arrays/int.ts";
import { AtomicBigIntArray } from "./arrays/bigint.ts";
import { AtomicBoolArray } from "./arrays/bool.ts";
import { AtomicFloatArray } from "./arrays/float.ts";
import { Counter, FloatCounter, STRIPES } from "./counter.ts";
import { regionCounterStripe } from "./_counter_stripe.ts";
import { AtomicInt } from "./int.ts";
import { describe } from "./_errors.ts";
import type { RegionLink } from "./_link.ts";
import type {
  Barrier,
  Condition,
  Latch,
  LockKind,
  Mutex,
  Once,
  RwLock,
  Semaphore,
} from "./locks/mod.ts";
import type { Words } from "./locks/_words.ts";
import { onWords } from "./locks/_on_words.ts";
import { RegionWords } from "./_region_words.ts";
import { detachView, openView } from "./_region_view.ts";
import {
  arrayKinds,
  kindName,
  MAX_CAPACITY,
  type RegionEntryKind,
  SLOT_BYTES,
  slotsFor,
} from "./_shm_layout.ts";
import {
  checkRegionName,
  checkSlotName,
  native,
  out,
  readName,
  scratchAddress,
  writeName,
} from "./_shm_names.ts";
import { article, claimFailure, failure } from "./_shm_failure.ts";
import {
  attachedForHandle,
  forgetOpen,
  openHere,
  rememberOpen,
  unmapNow,
  unmapWhenUnreachable,
} from "./_shm_attach.ts";
import type { BlockKind } from "./handle.ts";
import { installRegionHook, type RegionRef } from "./_region_hook.ts";
import {
  claimRateLimiter,
  rateLimiterOptions,
  RegionRateLimiter,
  type RegionRateLimiterOptions,
} from "./rate_limiter.ts";

export type { RegionEntryKind } from "./_shm_layout.ts";

/**
 * One entry of a region's directory, as {@link SharedMemory.entries} lists it: its name, what it
 * holds and, for an array, its length.
 *
 * @example
 * ```ts
 * import type { RegionEntry } from "@atomicx/atomicx";
 *
 * const entry: RegionEntry = { name: "latency", kind: "intArray", length: 12 };
 * ```
 */
export interface RegionEntry {
  /** The entry's name (the `slot` argument it was made with). */
  readonly name: string;
  /** What it holds. */
  readonly kind: RegionEntryKind;
  /** An array's number of elements; absent for the other kinds. */
  readonly length?: number;
}

/**
 * Options of {@link SharedMemory.open}.
 *
 * @example
 * ```ts
 * import { SharedMemory, type SharedMemoryOptions } from "@atomicx/atomicx";
 *
 * const options: SharedMemoryOptions = { capacity: 8, only: "create", permissions: 0o640 };
 * using region = SharedMemory.open("options-demo", options);
 * SharedMemory.unlink("options-demo");
 * ```
 */
export interface SharedMemoryOptions {
  /**
   * Number of 128-byte slots when this call creates the region (default
   * {@link SharedMemory.DEFAULT_CAPACITY}, 1024: e.g. 1024 atomics or mutexes, or 128 counters): an
   * atomic or lock primitive takes one (a semaphore, rwlock or barrier 6: its table of holders), an
   * array its elements packed 16 to a slot (32 for bools), a counter 8. A region's capacity is fixed when it is created; attaching with a `capacity` other
   * than the region's own is a `RangeError` (omit it to attach whatever the region has).
   */
  readonly capacity?: number;
  /** `"create"`: fail if the region exists; `"attach"`: fail if it does not (default: either). */
  readonly only?: "create" | "attach";
  /**
   * Permission bits when this call creates the region (default `0o600`: owner only); attaching
   * ignores them (the file keeps the mode it was created with).
   */
  readonly permissions?: number;
  /**
   * Attach even if the region's file belongs to another user (default `false`: refused). Whoever
   * can write a region's file can read and change its atomics and can crash every process that
   * has it open (by truncating it); only allow owners you trust.
   */
  readonly allowForeignOwner?: boolean;
}

/**
 * A named shared-memory region: a small mapped file (under `/dev/shm` on Linux) with a header, a
 * directory of named entries and the slots holding their values: an atomic or lock primitive in one
 * 128-byte slot (two cache lines of its own), an array or a counter in a run of them. Every process —
 * Deno, Bun or Node — that opens the same name sees the same atomics. Close it with `close()` or
 * `using`; after that, every operation on its atomics throws.
 *
 * Whoever can write the region's file can crash the processes using it (truncating it under a
 * live mapping makes the next access fault). Opening checks what can be checked: the file is a
 * regular file of this user (see `allowForeignOwner`), not shorter than its header says, and its
 * pages are reserved at creation so a full `/dev/shm` is an `Error`.
 *
 * @example
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 *
 * using region = SharedMemory.open("my-app"); // creates it, or attaches to it
 * const visits = region.int("visits"); // an AtomicInt other processes see too
 * visits.inc();
 * console.log(visits.load());
 * SharedMemory.unlink("my-app"); // removes the name once no process needs it any more
 * ```
 */
export class SharedMemory {
  /**
   * The capacity, in 128-byte slots, of a region created without one: 1024 slots (1024 atomics or
   * mutexes, 170 semaphores, 128 counters, or arrays of 16 384 numbers in all), 256 KiB of shared memory
   * with the directory.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("default-capacity-demo", { only: "create" });
   * console.log(region.capacity === SharedMemory.DEFAULT_CAPACITY); // true
   * SharedMemory.unlink("default-capacity-demo");
   * ```
   */
  static readonly DEFAULT_CAPACITY: number = 1024;

  /** The region's name. */
  readonly name: string;
  /** How many 128-byte slots it has (an atomic takes one, an array or counter a run of them). */
  readonly capacity: number;
  readonly #link: RegionLink;

  private constructor(
    name: string,
    capacity: number,
    pointer: number,
    allowForeignOwner: boolean,
  ) {
    this.name = name;
    this.capacity = capacity;
    this.#link = {
      name,
      pointer,
      closed: false,
      pending: new Set(),
      view: openView(pointer),
      allowForeignOwner,
    };
    unmapWhenUnreachable(this.#link, true);
  }

  /**
   * Creates the region `name` or attaches to it. The name is a file name (no `/` or `\`), at most
   * 240 UTF-8 bytes.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * const region = SharedMemory.open("jobs", { capacity: 16, permissions: 0o600 });
   * region.close();
   * SharedMemory.unlink("jobs");
   * ```
   * @throws {TypeError} for a name or option of the wrong type
   * @throws {RangeError} for an empty, over-long or path-like name, an option out of range, or a
   *   `capacity` other than that of the existing region it attached (nothing stays attached)
   * @throws {Error} if the object exists but is not an atomicx region or has another layout
   *   version, if `only` cannot be satisfied, or the system refuses (permissions, platform)
   */
  static open(name: string, options: SharedMemoryOptions = {}): SharedMemory {
    const where = "SharedMemory.open";
    checkRegionName(where, name);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    }
    const { capacity: asked, only, permissions = 0o600, allowForeignOwner = false } = options;
    const capacity = asked ?? SharedMemory.DEFAULT_CAPACITY;
    if (typeof capacity !== "number") {
      throw new TypeError(`${where}: capacity must be a number, got ${describe(capacity)}`);
    }
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new RangeError(`${where}: capacity must be an integer in 1..${MAX_CAPACITY}`);
    }
    if (only !== undefined && only !== "create" && only !== "attach") {
      throw new TypeError(`${where}: only must be "create" or "attach", got ${describe(only)}`);
    }
    if (typeof permissions !== "number") {
      throw new TypeError(`${where}: permissions must be a number, got ${describe(permissions)}`);
    }
    if (!Number.isSafeInteger(permissions) || permissions < 0 || permissions > 0o777) {
      throw new RangeError(`${where}: permissions must be an integer in 0..0o777`);
    }
    if (typeof allowForeignOwner !== "boolean") {
      throw new TypeError(
        `${where}: allowForeignOwner must be a boolean, got ${describe(allowForeignOwner)}`,
      );
    }
    const how = (only === "create" ? 1 : only === "attach" ? 2 : 0) +
      (allowForeignOwner ? OpenFlag.ALLOW_FOREIGN_OWNER : 0);
    const code = native().atomicx_shm_open(
      scratchAddress.name,
      writeName(name),
      capacity,
      how,
      permissions,
      scratchAddress.out,
    );
    if (code !== Status.OK) throw failure(where, name, code, out[2]);
    if (asked !== undefined && out[1] !== asked) {
      // It existed with another capacity: a caller who sized the region would otherwise run out
      // of slots later, far from the cause. Unmap it again: nothing stays attached.
      native().atomicx_shm_close(out[0]);
      throw new RangeError(
        `${where}: the region ${JSON.stringify(name)} already exists with capacity ${out[1]} ` +
          `(slots), not the ${asked} asked for; a region's capacity is fixed when it is created. ` +
          "Omit capacity to attach it as it is, or unlink it (once no process uses it) and " +
          "create it again.",
      );
    }
    const region = new SharedMemory(name, out[1], out[0], allowForeignOwner);
    rememberOpen(name, region);
    return region;
  }

  /**
   * Loads the native library that regions need, ahead of the first `open`. `open` loads it by
   * itself (synchronously) wherever the library can be found without waiting; this also covers
   * Deno running atomicx from JSR without a `node_modules` directory, where the library comes from
   * the platform package that Deno fetches from npm into its cache.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * await SharedMemory.load(); // then open() finds the library at once
   * using region = SharedMemory.open("load-demo");
   * SharedMemory.unlink("load-demo");
   * ```
   * @throws {Error} (rejects) when the library cannot be found or loaded
   */
  static async load(): Promise<void> {
    await preloadNative();
  }

  /**
   * Removes the region's name, so that the next `open` creates a new one. Processes that have it
   * open keep using it until they close it.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * SharedMemory.unlink("jobs"); // false if there was no such region
   * ```
   * @returns `true` if a region was removed, `false` if there was none
   */
  static unlink(name: string): boolean {
    checkRegionName("SharedMemory.unlink", name);
    const code = native().atomicx_shm_unlink(scratchAddress.name, writeName(name));
    if (code === Status.OK) return true;
    if (code === Status.NOT_FOUND) return false;
    throw failure("SharedMemory.unlink", name, code, 0);
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.#link.closed;
  }

  /**
   * The `AtomicInt` named `slot` in this region, created (at 0) if it does not exist.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("counters");
   * region.int("requests").inc();
   * SharedMemory.unlink("counters"); // removes the name once no process needs it any more
   * ```
   * @throws {TypeError} if `slot` exists with another type
   * @throws {RangeError} if the region is full, or the name is empty or over 48 UTF-8 bytes
   * @throws {Error} if the region is closed
   */
  int(slot: string): AtomicInt {
    return construct(AtomicInt, [undefined], this.#cell(slot, "int", "SharedMemory.int"));
  }

  /**
   * The `AtomicBigInt` named `slot`, created (at 0n) if it does not exist.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("counters");
   * region.bigint("bytes").add(1n << 40n);
   * SharedMemory.unlink("counters");
   * ```
   * @throws {TypeError} if `slot` exists with another type
   * @throws {RangeError} if the region is full or the name is invalid
   */
  bigint(slot: string): AtomicBigInt {
    return construct(AtomicBigInt, [undefined], this.#cell(slot, "bigint", "SharedMemory.bigint"));
  }

  /**
   * The `AtomicBool` named `slot`, created (false) if it does not exist.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("flags");
   * region.bool("shutdown").store(true);
   * SharedMemory.unlink("flags");
   * ```
   * @throws {TypeError} if `slot` exists with another type
   * @throws {RangeError} if the region is full or the name is invalid
   */
  bool(slot: string): AtomicBool {
    return construct(AtomicBool, [undefined], this.#cell(slot, "bool", "SharedMemory.bool"));
  }

  /**
   * The `AtomicFloat` named `slot`, created (0.0) if it does not exist.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("stats");
   * region.float("seconds").add(0.25);
   * SharedMemory.unlink("stats");
   * ```
   * @throws {TypeError} if `slot` exists with another type
   * @throws {RangeError} if the region is full or the name is invalid
   */
  float(slot: string): AtomicFloat {
    return construct(AtomicFloat, [undefined], this.#cell(slot, "float", "SharedMemory.float"));
  }

  /**
   * The `Mutex` named `slot`, shared by every process that opens this region (created unlocked).
   * If the process holding it dies, the next `lock` gets it with `guard.ownerDied === true`.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * const mutex = region.mutex("jobs");
   * {
   *   using guard = mutex.lock({ timeout: 1000 });
   *   if (guard.ownerDied) console.log("the previous holder died; check the data");
   * }
   * SharedMemory.unlink("locks-demo");
   * ```
   * @throws {TypeError} if `slot` holds another kind; {RangeError} if the region is full
   */
  mutex(slot: string): Mutex {
    return onWords.mutex(() => this.#words(slot, "mutex", "SharedMemory.mutex"));
  }

  /**
   * The `RwLock` named `slot`, shared by every process that opens this region (created unlocked).
   * If a process (or Worker) dies holding it for writing, the next reader or writer gets it with
   * `guard.ownerDied === true`; a dead reader's read hold is given back to the writer waiting for
   * it, whose guard says `ownerDied`. Takes 6 slots (its own and a table of 32 reader threads).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * const lock = region.rwLock("config");
   * {
   *   using guard = lock.write({ timeout: 1000 });
   *   if (guard.ownerDied) console.log("the previous writer died; check the data");
   * }
   * using reader = lock.read();
   * SharedMemory.unlink("locks-demo");
   * ```
   * @throws {TypeError} if `slot` holds another kind; {RangeError} if the region is full
   */
  rwLock(slot: string): RwLock {
    return onWords.rwlock(() => this.#words(slot, "rwlock", "SharedMemory.rwLock"));
  }

  /**
   * The `Semaphore` named `slot` with `permits` permits (the first opener sets them; later ones
   * must ask for the same number). Permits held by a process or Worker that dies are given back
   * within a second of a wait, and the next permit says `permit.ownerDied === true` (`keep()` a
   * permit taken for good). Takes 6 slots (its own and a table of 32 holder threads).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * using permit = region.semaphore("downloads", 4).acquire();
   * SharedMemory.unlink("locks-demo");
   * ```
   * @throws {RangeError} if it exists with another number of permits, or the region is full
   */
  semaphore(slot: string, permits: number): Semaphore {
    const where = "SharedMemory.semaphore";
    return onWords.semaphore(where, permits, () => this.#words(slot, "semaphore", where));
  }

  /**
   * The `Condition` named `slot`.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * region.condition("changed").notifyAll();
   * SharedMemory.unlink("locks-demo");
   * ```
   */
  condition(slot: string): Condition {
    return onWords.condition(() => this.#words(slot, "condition", "SharedMemory.condition"));
  }

  /**
   * The `Barrier` named `slot` for `parties` parties, at most 32 (the first opener sets them). If
   * a party dies while it waits, every waiter of that round throws a `BrokenBarrierError` within
   * a second, and the next round starts afresh. Takes 6 slots (its own and a table of 32 waiters).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * region.barrier("step", 1).wait(); // true
   * SharedMemory.unlink("locks-demo");
   * ```
   * @throws {RangeError} unless `parties` is an integer in 1..32, or if the region is full
   */
  barrier(slot: string, parties: number): Barrier {
    const where = "SharedMemory.barrier";
    return onWords.barrier(where, parties, () => this.#words(slot, "barrier", where));
  }

  /**
   * The `Latch` named `slot` opening after `count` count-downs (the first opener sets it).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * region.latch("ready", 1).countDown();
   * SharedMemory.unlink("locks-demo");
   * ```
   */
  latch(slot: string, count: number): Latch {
    const where = "SharedMemory.latch";
    return onWords.latch(where, count, () => this.#words(slot, "latch", where));
  }

  /**
   * The `Once` named `slot`: its function runs once among all processes.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * region.once("migrate").run(() => console.log("migrating"));
   * SharedMemory.unlink("locks-demo");
   * ```
   */
  once(slot: string): Once {
    return onWords.once(() => this.#words(slot, "once", "SharedMemory.once"));
  }

  /**
   * The `AtomicIntArray` named `slot` with `length` elements, created (all 0) if it does not
   * exist. Its elements are packed across a run of the region's 128-byte slots (8 bytes each, so
   * 16 per slot). Every process that opens the array must give the same length.
   *
   * @example A histogram shared by every process
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("histogram-demo");
   * const buckets = region.intArray("latency-ms", 4); // ≤1, ≤10, ≤100, more
   * buckets.inc(2);
   * console.log(buckets.toArray()); // [0, 0, 1, 0]
   * SharedMemory.unlink("histogram-demo");
   * ```
   * @throws {TypeError} if `slot` holds another kind, or `length` is not a number
   * @throws {RangeError} if it exists with another length, `length` is not an integer in
   *   [0, 2^27], or the region has too few free slots left
   */
  intArray(slot: string, length: number): AtomicIntArray {
    return this.#array(AtomicIntArray, slot, "intArray", length, "SharedMemory.intArray");
  }

  /**
   * The `AtomicBigIntArray` named `slot` with `length` elements (8 bytes each), created (all 0n)
   * if it does not exist.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("bigint-array-demo");
   * region.bigintArray("bytes", 2).add(0, 1n << 40n);
   * SharedMemory.unlink("bigint-array-demo");
   * ```
   * @throws {TypeError} / {RangeError} as {@link SharedMemory.intArray}
   */
  bigintArray(slot: string, length: number): AtomicBigIntArray {
    return this.#array(AtomicBigIntArray, slot, "bigintArray", length, "SharedMemory.bigintArray");
  }

  /**
   * The `AtomicBoolArray` named `slot` with `length` elements (4 bytes each, 32 per slot),
   * created (all false) if it does not exist.
   *
   * @example Flags per job
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("bool-array-demo");
   * region.boolArray("done", 100).store(7, true);
   * SharedMemory.unlink("bool-array-demo");
   * ```
   * @throws {TypeError} / {RangeError} as {@link SharedMemory.intArray}
   */
  boolArray(slot: string, length: number): AtomicBoolArray {
    return this.#array(AtomicBoolArray, slot, "boolArray", length, "SharedMemory.boolArray");
  }

  /**
   * The `AtomicFloatArray` named `slot` with `length` elements (8 bytes each), created (all 0.0)
   * if it does not exist.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("float-array-demo");
   * region.floatArray("seconds", 3).add(1, 0.5);
   * SharedMemory.unlink("float-array-demo");
   * ```
   * @throws {TypeError} / {RangeError} as {@link SharedMemory.intArray}
   */
  floatArray(slot: string, length: number): AtomicFloatArray {
    return this.#array(AtomicFloatArray, slot, "floatArray", length, "SharedMemory.floatArray");
  }

  /**
   * The `Counter` named `slot`, created (at 0) if it does not exist: 8 stripes of 128 bytes (8
   * slots), each thread of each process adding to its own, so that processes counting at once do
   * not fight over one cache line. `sum()` adds the stripes; `sumThenReset()` loses no add made
   * by any process.
   *
   * @example Requests counted by every worker process
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("counter-demo");
   * const requests = region.counter("requests");
   * requests.inc();
   * console.log(requests.sum()); // 1 (plus what other processes added)
   * SharedMemory.unlink("counter-demo");
   * ```
   * @throws {TypeError} if `slot` holds another kind
   * @throws {RangeError} if the region has fewer than 8 free slots left, or the name is invalid
   */
  counter(slot: string): Counter {
    const block = this.#stripedBlock(slot, "counter", "SharedMemory.counter");
    return construct(Counter, [], block);
  }

  /**
   * The `FloatCounter` named `slot`, created (at 0) if it does not exist (8 stripes, as
   * {@link SharedMemory.counter}).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("float-counter-demo");
   * region.floatCounter("seconds").add(0.25);
   * SharedMemory.unlink("float-counter-demo");
   * ```
   * @throws {TypeError} / {RangeError} as {@link SharedMemory.counter}
   */
  floatCounter(slot: string): FloatCounter {
    const block = this.#stripedBlock(slot, "floatCounter", "SharedMemory.floatCounter");
    return construct(FloatCounter, [], block);
  }

  /**
   * The rate limiter `name` of this region, made if it does not exist: GCRA buckets per key,
   * exact across every process and Worker that opens the region (see {@link RegionRateLimiter}).
   * Keys hold a table entry only while their bucket is not full, so any number of distinct keys
   * pass through; `keys` (default 1024) is how many can hold tokens at once, 16 per region slot.
   *
   * @example 100 requests a second per client IP, in every worker of a server
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("rate-limit-demo");
   * const limiter = region.rateLimiter("api", { limit: 100, windowMs: 1_000 });
   * const { allowed, retryAfterMs } = limiter.take("203.0.113.7");
   * if (!allowed) console.log(`429, Retry-After: ${Math.ceil(retryAfterMs / 1000)}`);
   * SharedMemory.unlink("rate-limit-demo");
   * ```
   * @throws {TypeError} / {RangeError} for a bad name or option (nothing is made)
   * @throws {RangeError} if the limiter exists with another limit, window or `keys`, or the region
   *   has too few free slots left
   */
  rateLimiter(name: string, options: RegionRateLimiterOptions): RegionRateLimiter {
    const where = "SharedMemory.rateLimiter";
    const checked = rateLimiterOptions(where, name, options);
    const table = this.intArray(checked.slot, checked.length);
    claimRateLimiter(where, name, table, checked.options.limit, checked.options.windowMs);
    return new RegionRateLimiter(name, checked.options, table);
  }

  /**
   * Every entry of the region, in the order they were added (by any process): its name, kind and,
   * for an array, its length.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("entries-demo");
   * region.int("jobs");
   * region.floatArray("load", 3);
   * region.mutex("lock");
   * console.log(region.entries());
   * // [{ name: "jobs", kind: "int" }, { name: "load", kind: "floatArray", length: 3 },
   * //  { name: "lock", kind: "mutex" }]
   * SharedMemory.unlink("entries-demo");
   * ```
   * @throws {Error} if the region is closed
   */
  entries(): RegionEntry[] {
    const where = "SharedMemory.entries";
    const link = this.#open(where);
    const ops = native();
    const entries: RegionEntry[] = [];
    for (let i = 0;; i++) {
      const code = ops.atomicx_shm_entry(link.pointer, i, scratchAddress.name, scratchAddress.out);
      if (code === Status.NOT_FOUND) return entries;
      if (code !== Status.OK) throw failure(where, this.name, code, 0);
      const name = readName(out[2]);
      const kind = kindName[out[0]] as RegionEntryKind;
      entries.push(arrayKinds.has(kind) ? { name, kind, length: out[1] } : { name, kind });
    }
  }

  /**
   * A plain object of every value in the region, by entry name: atomics their value, arrays a
   * plain array of their elements, counters their sum; lock primitives are left out. Each value is
   * read on its own (not one atomic snapshot of the region) — what a metrics scrape needs.
   *
   * @example Metrics from every process, without IPC
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("snapshot-demo");
   * region.counter("requests").add(3);
   * region.intArray("status", 2).inc(0);
   * region.bool("healthy").store(true);
   * region.mutex("lock");
   * console.log(region.snapshot()); // { requests: 3, status: [1, 0], healthy: true }
   * SharedMemory.unlink("snapshot-demo");
   * ```
   * @throws {Error} if the region is closed
   */
  snapshot(): Record<string, number | bigint | boolean | number[] | bigint[] | boolean[]> {
    const values: Record<string, number | bigint | boolean | number[] | bigint[] | boolean[]> = {};
    for (const { name, kind, length } of this.entries()) {
      switch (kind) {
        case "int":
          values[name] = this.int(name).load();
          break;
        case "bigint":
          values[name] = this.bigint(name).load();
          break;
        case "bool":
          values[name] = this.bool(name).load();
          break;
        case "float":
          values[name] = this.float(name).load();
          break;
        case "intArray":
          values[name] = this.intArray(name, length!).toArray();
          break;
        case "bigintArray":
          values[name] = this.bigintArray(name, length!).toArray();
          break;
        case "boolArray":
          values[name] = this.boolArray(name, length!).toArray();
          break;
        case "floatArray":
          values[name] = this.floatArray(name, length!).toArray();
          break;
        case "counter":
          values[name] = this.counter(name).sum();
          break;
        case "floatCounter":
          values[name] = this.floatCounter(name).sum();
          break;
        default: // lock primitives hold no value
      }
    }
    return values;
  }

  #array<T>(
    ctor: new (length: number) => T,
    slot: string,
    kind: ArrayKind,
    length: number,
    where: string,
  ): T {
    checkSlotName(where, slot);
    checkLength(where, length);
    return construct(ctor, [length], this.#block(slot, kind, length, where));
  }

  /** The link of this region, after checking it is open. */
  #open(where: string): RegionLink {
    const link = this.#link;
    if (link.closed) {
      throw new Error(`${where}: the region ${JSON.stringify(this.name)} is closed`);
    }
    return link;
  }

  /**
   * Finds or adds the entry `slot` of `kind` with `length` elements or stripes (0 for atomics and
   * lock primitives): the address of its run of slots. The one way an entry is claimed.
   */
  #claim(slot: string, kind: RegionEntryKind, length: number, where: string): number {
    checkSlotName(where, slot);
    const link = this.#open(where);
    const slots = slotsFor(kind, length);
    const what = arrayKinds.has(kind) ? `${article(kind)} of ${length} elements` : article(kind);
    if (slots > this.capacity) {
      throw new RangeError(
        `${where}: ${what} needs ${slots} slots, more than the ${this.capacity} the region ` +
          `${JSON.stringify(this.name)} has; open a new region with a larger capacity`,
      );
    }
    const code = native().atomicx_shm_slot(
      link.pointer,
      scratchAddress.name,
      writeName(slot),
      Kind[kind],
      length,
      scratchAddress.out,
    );
    if (code === Status.OK) return out[0];
    const detail = out[2];
    throw claimFailure(
      where,
      this.name,
      slot,
      code,
      detail,
      { kind, what, slots, length },
      this.capacity,
      kindName[detail],
    ) ??
      failure(where, this.name, code, 0);
  }

  /**
   * The entry `slot` as a handle names it, after checking it exists (a handle attaches, never
   * creates): its kind and length.
   */
  #existing(slot: string, where: string): RegionEntry {
    const entry = this.entries().find((e) => e.name === slot);
    if (entry === undefined) {
      throw new TypeError(
        `${where}: the region ${JSON.stringify(this.name)} has no entry named ${
          JSON.stringify(slot)
        } (a handle names an entry that exists; it never creates one)`,
      );
    }
    return entry;
  }

  #words(slot: string, kind: LockKind, where: string): Words {
    return new RegionWords(kind, this.#claim(slot, kind, 0, where), this.#link, slot);
  }

  #cell(slot: string, kind: AtomicKind, where: string): Cell {
    return cellInBlock(kind, this.#block(slot, kind, 0, where), 0, undefined);
  }

  /** The run of slots of the entry `slot` (an atomic, array or counter), as a block. */
  #block(slot: string, kind: RegionEntryKind, length: number, where: string): Block {
    const base = this.#claim(slot, kind, length, where);
    return vouch({
      space: regionSpace(this.#link),
      base,
      memory: undefined,
      buffer: undefined,
      byteOffset: 0,
      bytes: slotsFor(kind, length) * SLOT_BYTES,
      home: undefined,
      region: { name: this.name, slot, ...this.#foreign() },
    });
  }

  /** What a handle carries of how this region was opened: `allowForeignOwner` when given. */
  #foreign(): { allowForeignOwner?: true } {
    return this.#link.allowForeignOwner ? { allowForeignOwner: true } : {};
  }

  /** The stripes of the counter `slot`, as a block naming this thread's stripe. */
  #stripedBlock(slot: string, kind: "counter" | "floatCounter", where: string): Block {
    return vouch({ ...this.#block(slot, kind, STRIPES, where), stripe: regionCounterStripe() });
  }

  /** Element `index` of the existing array `slot` (any array kind of `kind` elements). */
  #element(slot: string, kind: AtomicKind, index: unknown, where: string): Block {
    const arrayKind = (Object.keys(elementKind) as ArrayKind[]).find((k) =>
      elementKind[k] === kind
    )!;
    const entry = this.#existing(slot, where);
    if (entry.kind !== arrayKind) {
      throw new TypeError(
        `${where}: the slot ${JSON.stringify(slot)} of region ${JSON.stringify(this.name)} holds ${
          article(entry.kind)
        }, not ${article(arrayKind)}`,
      );
    }
    const length = entry.length!;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= length) {
      throw new RangeError(
        `${where}: handle.index ${describe(index)} is not an integer in [0, ${length})`,
      );
    }
    const size = kind === "bool" ? 4 : 8;
    const array = this.#block(slot, arrayKind, length, where);
    return vouch({
      ...array,
      base: array.base + index * size,
      bytes: size,
      region: { name: this.name, slot, index, ...this.#foreign() },
    });
  }

  /**
   * Unmaps the region from this thread. Every operation on its atomics throws from now on, and
   * pending `waitAsync` Promises on them reject. Other processes and Workers are not affected.
   * Closing twice does nothing. (A region that is never closed is unmapped once neither it nor any
   * of its atomics is reachable, with a warning once per thread; closing it, or `using`, releases
   * it at a known time.)
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * const region = SharedMemory.open("temp");
   * region.close();
   * SharedMemory.unlink("temp");
   * ```
   */
  close(): void {
    const link = this.#link;
    if (link.closed) return;
    link.closed = true;
    forgetOpen(this.name, this);
    detachView(link.view); // first: from here on a stale view can only throw
    unmapNow(link);
    const error = new Error(`the shared-memory region ${JSON.stringify(this.name)} was closed`);
    for (const reject of link.pending) reject(error);
    link.pending.clear();
  }

  /** `using region = SharedMemory.open(...)` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `SharedMemory("name", capacity 1024)`, or `closed`. */
  toString(): string {
    return `SharedMemory(${JSON.stringify(this.name)}, ${
      this.closed ? "closed" : `capacity ${this.capacity}`
    })`;
  }

  /** `console.log(region)` on Node and Bun: the same as `toString()`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** `console.log(region)` on Deno: the same as `toString()`. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  static {
    // What a region handle names (`AtomicInt.from(handle)`, `Mutex.from(handle)`, …): an entry
    // that exists in the region this thread has open under that name, else in a new attachment
    // (unmapped once it and its atomics are unreachable).
    const existing = (where: string, handle: RegionRef, checkEntry: boolean) => {
      const region = checkRegionName(where, handle.region);
      const slot = checkSlotName(where, handle.slot);
      const { allowForeignOwner = false } = handle;
      if (typeof allowForeignOwner !== "boolean") {
        throw new TypeError(
          `${where}: handle.allowForeignOwner must be a boolean or absent, got ${
            describe(allowForeignOwner)
          }`,
        );
      }
      let memory = openHere<SharedMemory>(region);
      if (memory === undefined) {
        memory = SharedMemory.open(region, { only: "attach", allowForeignOwner });
        attachedForHandle(memory.#link);
      }
      if (checkEntry) memory.#existing(slot, where);
      return { memory, slot };
    };
    installRegionHook({
      block(where: string, kind: AtomicKind | BlockKind, handle: RegionRef, length: number): Block {
        if (handle.index !== undefined && Object.hasOwn(cellSize, kind)) {
          const { memory, slot } = existing(where, handle, false);
          return memory.#element(slot, kind as AtomicKind, handle.index, where);
        }
        const { memory, slot } = existing(where, handle, true);
        return kind === "counter" || kind === "floatCounter"
          ? memory.#stripedBlock(slot, kind, where)
          : memory.#block(slot, kind, length, where);
      },
      words(where: string, kind: LockKind, handle: RegionRef): Words {
        const { memory, slot } = existing(where, handle, true);
        return memory.#words(slot, kind, where);
      },
    });
  }
}
