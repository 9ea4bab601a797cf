/**
 * `SharedMemory`: a named shared-memory region holding named atomics, shared between processes —
 * of any runtime — that open the same name. Linux only for now (POSIX shared memory and futexes);
 * elsewhere `open` throws "not supported on this platform".
 *
 * @module
 */

import { Errno, Kind, OpenFlag, Status } from "../ffi/_codes.ts";
import { loadNative, preloadNative } from "../ffi/mod.ts";
import type { NativeOps } from "../ffi/_symbols.ts";
import { regionSpace } from "./_native_space.ts";
import { AtomicBigInt } from "./bigint.ts";
import { AtomicBool } from "./bool.ts";
import { AtomicFloat } from "./float.ts";
import {
  type AtomicKind,
  type Block,
  Cell,
  cellInBlock,
  construct,
  type RegionHandle,
  setRegionBlockResolver,
  setRegionResolver,
} from "./handle.ts";
import { type ArrayKind, checkLength, elementKind, regionArrayBlock } from "./arrays/_base.ts";
import { AtomicIntArray } from "./arrays/int.ts";
import { AtomicBigIntArray } from "./arrays/bigint.ts";
import { AtomicBoolArray } from "./arrays/bool.ts";
import { AtomicFloatArray } from "./arrays/float.ts";
import { Counter, FloatCounter, regionCounterBlock, STRIPES } from "./counter.ts";
import { AtomicInt } from "./int.ts";
import { describe, isWellFormedName } from "./_errors.ts";
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
import { setLockSlotResolver, type Words } from "./locks/_words.ts";
import { onWords } from "./locks/_on_words.ts";
import { processIdentity, RegionWords } from "./_region_words.ts";

/** Longest region name in UTF-8 bytes (the file name under /dev/shm may have 255). */
export const MAX_REGION_NAME_BYTES = 240;
/** Longest slot name in UTF-8 bytes. */
export const MAX_SLOT_NAME_BYTES = 48;
/** Most slots a region may have. */
export const MAX_CAPACITY = 65_536;
/** The layout version this atomicx reads and writes (native/src/shm.rs). */
export const LAYOUT_VERSION = 2;
/** Bytes of one slot: an array's elements are packed across a run of them, a counter's stripes
 * take one each. */
const SLOT_BYTES = 128;

/**
 * What a region entry holds, as {@link SharedMemory.entries} names it: an atomic (`"int"`,
 * `"bigint"`, `"bool"`, `"float"`), an array (`"intArray"`, …), a counter (`"counter"`,
 * `"floatCounter"`) or a lock primitive (`"mutex"`, `"semaphore"`, …).
 *
 * @example
 * ```ts
 * import type { RegionEntryKind } from "@atomicx/atomicx";
 *
 * const kind: RegionEntryKind = "counter";
 * ```
 */
export type RegionEntryKind =
  | "int"
  | "bigint"
  | "bool"
  | "float"
  | "intArray"
  | "bigintArray"
  | "boolArray"
  | "floatArray"
  | "counter"
  | "floatCounter"
  | LockKind;

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

/** Every kind a region entry can have. */
type SlotKind = RegionEntryKind;

const arrayKinds: ReadonlySet<string> = new Set([
  "intArray",
  "bigintArray",
  "boolArray",
  "floatArray",
]);

let counterStripe: number | undefined;

/**
 * The stripe this thread adds to in every region counter: its process's pid plus the thread's
 * place in the process (0 on the main thread, the Node thread id or a random 1..7 in a Worker),
 * so that processes with consecutive pids, and a process's Workers, take different stripes.
 */
function regionCounterStripe(): number {
  if (counterStripe !== undefined) return counterStripe;
  const g = globalThis as {
    WorkerGlobalScope?: unknown;
    process?: { getBuiltinModule?: (name: string) => { threadId?: unknown } | undefined };
  };
  const inWebWorker = typeof g.WorkerGlobalScope === "function" &&
    globalThis instanceof (g.WorkerGlobalScope as new () => object);
  let nodeThread: unknown;
  try {
    nodeThread = g.process?.getBuiltinModule?.("node:worker_threads")?.threadId;
  } catch {
    nodeThread = undefined;
  }
  const thread = typeof nodeThread === "number" && nodeThread > 0
    ? nodeThread
    : inWebWorker
    ? 1 + Math.floor(Math.random() * (STRIPES - 1))
    : 0;
  return counterStripe = (processIdentity().pid + thread) % STRIPES;
}

/** The slots an entry of `kind` with `length` elements or stripes takes (native `slots_for`). */
function slotsFor(kind: SlotKind, length: number): number {
  if (kind === "counter" || kind === "floatCounter") return length;
  if (!arrayKinds.has(kind)) return 1;
  return Math.max(1, Math.ceil((length * (kind === "boolArray" ? 4 : 8)) / SLOT_BYTES));
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
   * Number of 128-byte slots when this call creates the region (default 64): an atomic or lock
   * primitive takes one, an array its elements packed 16 to a slot (32 for bools), a counter 8.
   */
  readonly capacity?: number;
  /** `"create"`: fail if the region exists; `"attach"`: fail if it does not (default: either). */
  readonly only?: "create" | "attach";
  /** Permission bits when this call creates the region (default `0o600`: owner only). */
  readonly permissions?: number;
  /**
   * Attach even if the region's file belongs to another user (default `false`: refused). Whoever
   * can write a region's file can read and change its atomics and can crash every process that
   * has it open (by truncating it); only allow owners you trust.
   */
  readonly allowForeignOwner?: boolean;
}

const kindName: readonly string[] = Object.entries(Kind).filter(([k]) => k !== "word").reduce<
  string[]
>((names, [k, code]) => {
  names[code] = k;
  return names;
}, []);

// One scratch area per thread: three result words, then the name's UTF-8 bytes.
const scratch = new SharedArrayBuffer(32 + 256);
const out = new Float64Array(scratch, 0, 3);
const nameBytes = new Uint8Array(scratch, 32, 256);
let outAddress = 0;
let nameAddress = 0;

/** The native library (loaded on first use) with the scratch area's addresses taken. */
function native(): NativeOps {
  const ops = loadNative();
  if (outAddress === 0) {
    outAddress = ops.addressOf(out);
    nameAddress = ops.addressOf(nameBytes);
  }
  return ops;
}
const encoder = new TextEncoder();

/** UTF-8 length of `name` after checking it is a valid region name; throws otherwise. */
function checkRegionName(where: string, name: unknown): string {
  if (typeof name !== "string") {
    throw new TypeError(`${where}: the region name must be a string, got ${describe(name)}`);
  }
  if (name.length === 0) throw new RangeError(`${where}: the region name is empty`);
  if (!isWellFormedName(name)) {
    throw new RangeError(
      `${where}: the region name contains a lone surrogate (it is not well-formed UTF-16)`,
    );
  }
  if (/[/\\\0]/.test(name) || name === "." || name === "..") {
    throw new RangeError(
      `${where}: the region name ${
        JSON.stringify(name)
      } must not contain a path separator ("/" or "\\"), NUL, or be "." or ".."`,
    );
  }
  if (encoder.encode(name).length > MAX_REGION_NAME_BYTES) {
    throw new RangeError(
      `${where}: the region name is longer than ${MAX_REGION_NAME_BYTES} UTF-8 bytes`,
    );
  }
  return name;
}

/** Checks that `slot` is a valid slot name; throws `TypeError` or `RangeError` otherwise. */
function checkSlotName(where: string, slot: unknown): void {
  if (typeof slot !== "string") {
    throw new TypeError(`${where}: the slot name must be a string, got ${describe(slot)}`);
  }
  if (!isWellFormedName(slot)) {
    throw new RangeError(
      `${where}: the slot name contains a lone surrogate (it is not well-formed UTF-16)`,
    );
  }
  const length = encoder.encode(slot).length;
  if (length === 0 || length > MAX_SLOT_NAME_BYTES) {
    throw new RangeError(
      `${where}: the slot name must have 1 to ${MAX_SLOT_NAME_BYTES} UTF-8 bytes, got ${length}`,
    );
  }
}

/** Writes `name` into the scratch area; returns its byte length. */
function writeName(name: string): number {
  return encoder.encodeInto(name, nameBytes).written;
}

/** The `Error` for a failed native call. */
function failure(where: string, name: string, code: number, detail: number): Error {
  const quoted = JSON.stringify(name);
  switch (code) {
    case Status.UNSUPPORTED:
      return new Error(
        `${where}: named shared memory is not supported on this platform (atomicx implements it ` +
          "on Linux with POSIX shared memory and futexes)",
      );
    case Status.EXISTS:
      return new Error(`${where}: a region named ${quoted} exists already (only: "create")`);
    case Status.NOT_FOUND:
      return new Error(`${where}: there is no region named ${quoted} (only: "attach")`);
    case Status.NOT_ATOMICX:
      return new Error(
        `${where}: the shared-memory object ${quoted} is not an atomicx region (its header or ` +
          "directory holds values atomicx never writes: no magic value, an impossible size, or " +
          "an entry outside the region); refusing to use it",
      );
    case Status.LAYOUT_VERSION:
      return new Error(
        `${where}: the region ${quoted} has layout version ${detail}, but this atomicx reads ` +
          `layout version ${LAYOUT_VERSION}; open it with a matching atomicx, or use another name`,
      );
    case Status.NOT_INITIALISED:
      return new Error(
        `${where}: the region ${quoted} was never initialised (its creator may have died while ` +
          "creating it); remove it with SharedMemory.unlink and create it again",
      );
    case Status.FOREIGN_OWNER:
      return new Error(
        `${where}: the region ${quoted} belongs to another user (uid ${detail}); refusing to ` +
          "attach, since its owner could change or truncate it under this process. Pass " +
          "{ allowForeignOwner: true } if you trust that user",
      );
    case Status.NOT_REGULAR_FILE:
      return new Error(
        `${where}: ${quoted} is not a regular shared-memory file (a symbolic link, FIFO, ` +
          "directory or device has that name); refusing to open it",
      );
    case Status.TOO_SHORT:
      return new Error(
        `${where}: the region ${quoted} is shorter than its header says (its file was ` +
          "truncated); refusing to map it. Remove it with SharedMemory.unlink and create it again",
      );
    default: {
      const errno = code >= Status.OS_BASE ? code - Status.OS_BASE : undefined;
      const hint = errno === Errno.EACCES
        ? ": permission denied (regions are owner-only unless created with other permissions)"
        : errno === Errno.ENOSPC
        ? ": no space left for it in shared memory (/dev/shm is full)"
        : errno === Errno.EMFILE
        ? ": too many open files"
        : "";
      return new Error(`${where}: failed on ${quoted} (status ${code})${hint}`, {
        cause: { status: code, errno },
      });
    }
  }
}

/** `"an int"`, `"a bool"`. */
function article(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}

const decoder = new TextDecoder();

/**
 * Open regions of this thread by name (the latest one opened), for rebuilding handles without
 * mapping the region again. Weak: the map keeps nothing alive.
 */
const openByName = new Map<string, WeakRef<SharedMemory>>();

/**
 * The region `region` as this thread has it open, else a new attachment (unmapped once it and its
 * atomics are unreachable), after checking both names (before anything is opened).
 */
function attached(where: string, region: unknown, slot: unknown): SharedMemory {
  checkRegionName(where, region);
  checkSlotName(where, slot);
  const name = region as string;
  const memory = openByName.get(name)?.deref();
  return memory === undefined || memory.closed
    ? SharedMemory.open(name, { only: "attach" })
    : memory;
}

/**
 * Unmaps a region nobody can reach any more (neither its `SharedMemory` nor any of its atomics,
 * which all hold its link) and that was never closed — e.g. one a Worker attached to rebuild a
 * handle. Nothing can touch its memory then; a pending async waiter holds its own native reference.
 */
const unreachable = new FinalizationRegistry<number>((pointer) => {
  native().atomicx_shm_close(pointer);
});

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
  /** The region's name. */
  readonly name: string;
  /** How many 128-byte slots it has (an atomic takes one, an array or counter a run of them). */
  readonly capacity: number;
  readonly #link: RegionLink;

  private constructor(name: string, capacity: number, pointer: number) {
    this.name = name;
    this.capacity = capacity;
    this.#link = { name, pointer, closed: false, pending: new Set() };
    unreachable.register(this.#link, pointer, this.#link);
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
   * @throws {RangeError} for an empty, over-long or path-like name, or an option out of range
   * @throws {Error} if the object exists but is not an atomicx region or has another layout
   *   version, if `only` cannot be satisfied, or the system refuses (permissions, platform)
   */
  static open(name: string, options: SharedMemoryOptions = {}): SharedMemory {
    const where = "SharedMemory.open";
    checkRegionName(where, name);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    }
    const { capacity = 64, only, permissions = 0o600, allowForeignOwner = false } = options;
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
      nameAddress,
      writeName(name),
      capacity,
      how,
      permissions,
      outAddress,
    );
    if (code !== Status.OK) throw failure(where, name, code, out[2]);
    const region = new SharedMemory(name, out[1], out[0]);
    openByName.set(name, new WeakRef(region));
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
    const code = native().atomicx_shm_unlink(nameAddress, writeName(name));
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
    return construct(AtomicInt, this.#cell(slot, "int", "SharedMemory.int"));
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
    return construct(AtomicBigInt, this.#cell(slot, "bigint", "SharedMemory.bigint"));
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
    return construct(AtomicBool, this.#cell(slot, "bool", "SharedMemory.bool"));
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
    return construct(AtomicFloat, this.#cell(slot, "float", "SharedMemory.float"));
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
   * If a process dies holding it for writing, the next reader or writer gets it with
   * `guard.ownerDied === true`.
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
   * must ask for the same number).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * using permit = region.semaphore("downloads", 4).acquire();
   * SharedMemory.unlink("locks-demo");
   * ```
   * @throws {RangeError} if it exists with another number of permits
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
   * The `Barrier` named `slot` for `parties` parties (the first opener sets them).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("locks-demo");
   * region.barrier("step", 1).wait(); // true
   * SharedMemory.unlink("locks-demo");
   * ```
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
    return Reflect.construct(Counter, [regionCounterBlock(block)]) as Counter;
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
    return Reflect.construct(FloatCounter, [regionCounterBlock(block)]) as FloatCounter;
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
      const code = ops.atomicx_shm_entry(link.pointer, i, nameAddress, outAddress);
      if (code === Status.NOT_FOUND) return entries;
      if (code !== Status.OK) throw failure(where, this.name, code, 0);
      const name = decoder.decode(nameBytes.slice(0, out[2]));
      const kind = kindName[out[0]] as SlotKind;
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
    return Reflect.construct(ctor, [
      length,
      regionArrayBlock(this.#block(slot, kind, length, where)),
    ]);
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
  #claim(slot: string, kind: SlotKind, length: number, where: string): number {
    checkSlotName(where, slot);
    const link = this.#open(where);
    const needed = slotsFor(kind, length);
    const quoted = `the slot ${JSON.stringify(slot)} of region ${JSON.stringify(this.name)}`;
    const what = arrayKinds.has(kind) ? `${article(kind)} of ${length} elements` : article(kind);
    if (needed > this.capacity) {
      throw new RangeError(
        `${where}: ${what} needs ${needed} slots, more than the ${this.capacity} the region ` +
          `${JSON.stringify(this.name)} has; open a new region with a larger capacity`,
      );
    }
    const code = native().atomicx_shm_slot(
      link.pointer,
      nameAddress,
      writeName(slot),
      Kind[kind],
      length,
      outAddress,
    );
    switch (code) {
      case Status.OK:
        return out[0];
      case Status.KIND_MISMATCH:
        throw new TypeError(
          `${where}: ${quoted} holds ${article(kindName[out[2]] ?? "?")}, not ${article(kind)}`,
        );
      case Status.LENGTH_MISMATCH:
        throw new RangeError(
          `${where}: ${quoted} holds ${article(kind)} of length ${out[2]}, not ${length}; every ` +
            "process must open it with the same length",
        );
      case Status.CLAIM_STUCK:
        throw new Error(
          `${where}: ${quoted} could not be added: directory entry ${
            out[2]
          } has been claimed for ` +
            "too long by a process that is alive but does not finish (stopped, or in another pid " +
            "namespace)",
        );
      case Status.FULL:
        throw new RangeError(
          `${where}: the region ${JSON.stringify(this.name)} is full: ${what} needs ${needed} ` +
            `slot${needed === 1 ? "" : "s"} but ${out[2]} of its ${this.capacity} are free; open ` +
            "a new region with a larger capacity",
        );
      default:
        throw failure(where, this.name, code, 0);
    }
  }

  #words(slot: string, kind: LockKind, where: string): Words {
    return new RegionWords(kind, this.#claim(slot, kind, 0, where), this.#link, slot);
  }

  #cell(slot: string, kind: AtomicKind, where: string): Cell {
    const address = this.#claim(slot, kind, 0, where);
    const handle: RegionHandle = Object.freeze({ kind, region: this.name, slot });
    return new Cell(kind, regionSpace(this.#link), address, handle);
  }

  /** The run of slots of the array or counter `slot`, as a block. */
  #block(slot: string, kind: SlotKind, length: number, where: string): Block {
    const base = this.#claim(slot, kind, length, where);
    return {
      space: regionSpace(this.#link),
      base,
      memory: undefined,
      buffer: undefined,
      byteOffset: 0,
      home: undefined,
      region: { name: this.name, slot },
    };
  }

  /** The stripes of the counter `slot`, as a block naming this thread's stripe. */
  #stripedBlock(slot: string, kind: "counter" | "floatCounter", where: string): Block {
    return { ...this.#block(slot, kind, STRIPES, where), stripe: regionCounterStripe() };
  }

  /** Element `index` of the array `slot` (any array kind of `kind` elements), for a handle. */
  #element(slot: string, kind: AtomicKind, index: unknown, where: string): Cell {
    const arrayKind = (Object.keys(elementKind) as ArrayKind[]).find((k) =>
      elementKind[k] === kind
    )!;
    checkSlotName(where, slot);
    const entry = this.entries().find((e) => e.name === slot);
    if (entry === undefined || entry.kind !== arrayKind) {
      throw new TypeError(
        `${where}: the region ${JSON.stringify(this.name)} has no ${arrayKind} named ${
          JSON.stringify(slot)
        }`,
      );
    }
    const length = entry.length!;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= length) {
      throw new RangeError(
        `${where}: handle.index ${describe(index)} is not an integer in [0, ${length})`,
      );
    }
    const block = this.#block(slot, arrayKind, length, where);
    return cellInBlock(kind, block, index * (kind === "bool" ? 4 : 8));
  }

  /**
   * Unmaps the region from this thread. Every operation on its atomics throws from now on, and
   * pending `waitAsync` Promises on them reject. Other processes and Workers are not affected.
   * Closing twice does nothing. (A region that is never closed is unmapped once neither it nor any
   * of its atomics is reachable; closing it, or `using`, releases it at a known time.)
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
    if (openByName.get(this.name)?.deref() === this) openByName.delete(this.name);
    unreachable.unregister(link);
    native().atomicx_shm_close(link.pointer);
    const error = new Error(`the shared-memory region ${JSON.stringify(this.name)} was closed`);
    for (const reject of link.pending) reject(error);
    link.pending.clear();
  }

  /** `using region = SharedMemory.open(...)` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `SharedMemory("name", capacity 64)`, or `closed`. */
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
    // Rebuilding a region handle (`AtomicInt.from(handle)`): the region this thread has open
    // under that name, else a new attachment (unmapped once it and its atomics are unreachable).
    setRegionResolver((handle: RegionHandle, kind: AtomicKind, className: string): Cell => {
      const where = `${className}.from`;
      const { region, slot, index } = handle;
      const memory = attached(where, region, slot);
      return index === undefined
        ? memory.#cell(slot, kind, where)
        : memory.#element(slot, kind, index, where);
    });
    // The same for the lock primitives (`Mutex.from(handle)`).
    setLockSlotResolver((region: string, slot: string, kind: LockKind, where: string): Words =>
      attached(where, region, slot).#words(slot, kind, where)
    );
    // And for arrays and counters (`AtomicIntArray.from(handle)`, `Counter.from(handle)`).
    setRegionBlockResolver((where, { region, slot }, kind, length): Block => {
      const memory = attached(where, region, slot);
      return kind === "counter" || kind === "floatCounter"
        ? memory.#stripedBlock(slot as string, kind, where)
        : memory.#block(slot as string, kind as SlotKind, length, where);
    });
  }
}
