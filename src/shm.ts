/**
 * `SharedMemory`: a named shared-memory region holding named atomics, shared between processes —
 * of any runtime — that open the same name. Linux only for now (POSIX shared memory and futexes);
 * elsewhere `open` throws "not supported on this platform".
 *
 * @module
 */

import { Errno, Kind, OpenFlag, Status } from "../ffi/codes.ts";
import { loadNative, preloadNative } from "../ffi/mod.ts";
import type { NativeOps } from "../ffi/symbols.ts";
import { regionSpace } from "./_native_space.ts";
import { AtomicBigInt } from "./bigint.ts";
import { AtomicBool } from "./bool.ts";
import { AtomicFloat } from "./float.ts";
import {
  type AtomicKind,
  Cell,
  construct,
  type RegionHandle,
  setRegionResolver,
} from "./handle.ts";
import { AtomicInt } from "./int.ts";
import { describe, isWellFormedName } from "./errors.ts";
import type { RegionLink } from "./link.ts";
import {
  Barrier,
  Condition,
  Latch,
  type LockKind,
  Mutex,
  Once,
  RwLock,
  Semaphore,
} from "./locks/mod.ts";
import { RegionWords, setLockSlotResolver, type Words } from "./locks/_words.ts";

/** Longest region name in UTF-8 bytes (the file name under /dev/shm may have 255). */
export const MAX_REGION_NAME_BYTES = 240;
/** Longest slot name in UTF-8 bytes. */
export const MAX_SLOT_NAME_BYTES = 48;
/** Most slots a region may have. */
export const MAX_CAPACITY = 65_536;
/** The layout version this atomicx reads and writes (native/src/shm.rs). */
export const LAYOUT_VERSION = 1;

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
  /** Number of named atomics the region can hold when this call creates it (default 64). */
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
        `${where}: the shared-memory object ${quoted} is not an atomicx region (its header has ` +
          "no atomicx magic value or an impossible size); refusing to use it",
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
  return `${kind === "int" || kind === "once" ? "an" : "a"} ${kind}`;
}

/**
 * Open regions of this thread by name (the latest one opened), for rebuilding handles without
 * mapping the region again. Weak: the map keeps nothing alive.
 */
const openByName = new Map<string, WeakRef<SharedMemory>>();

/**
 * Unmaps a region nobody can reach any more (neither its `SharedMemory` nor any of its atomics,
 * which all hold its link) and that was never closed — e.g. one a Worker attached to rebuild a
 * handle. Nothing can touch its memory then; a pending async waiter holds its own native reference.
 */
const unreachable = new FinalizationRegistry<number>((handle) => {
  native().atomicx_shm_close(handle);
});

/**
 * A named shared-memory region: a small mapped file (under `/dev/shm` on Linux) with a header, a
 * directory of named slots and one value per slot, each on its own cache lines. Every process —
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
  /** How many named atomics it can hold. */
  readonly capacity: number;
  readonly #link: RegionLink;

  private constructor(name: string, capacity: number, handle: number) {
    this.name = name;
    this.capacity = capacity;
    this.#link = { name, native: handle, closed: false, pending: new Set() };
    unreachable.register(this.#link, handle, this.#link);
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
    return new Mutex(this.#words(slot, "mutex", "SharedMemory.mutex"));
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
    return new RwLock(this.#words(slot, "rwlock", "SharedMemory.rwLock"));
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
    return new Semaphore(permits, this.#words(slot, "semaphore", "SharedMemory.semaphore"));
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
    return new Condition(this.#words(slot, "condition", "SharedMemory.condition"));
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
    return new Barrier(parties, this.#words(slot, "barrier", "SharedMemory.barrier"));
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
    return new Latch(count, this.#words(slot, "latch", "SharedMemory.latch"));
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
    return new Once(this.#words(slot, "once", "SharedMemory.once"));
  }

  #words(slot: string, kind: LockKind, where: string): Words {
    checkSlotName(where, slot);
    const link = this.#link;
    if (link.closed) {
      throw new Error(`${where}: the region ${JSON.stringify(this.name)} is closed`);
    }
    const code = native().atomicx_shm_slot(
      link.native,
      nameAddress,
      writeName(slot),
      Kind[kind],
      outAddress,
    );
    if (code === Status.KIND_MISMATCH) {
      throw new TypeError(
        `${where}: the slot ${JSON.stringify(slot)} of region ${JSON.stringify(this.name)} holds ${
          article(kindName[out[2]] ?? "?")
        }, not ${article(kind)}`,
      );
    }
    if (code === Status.FULL) {
      throw new RangeError(
        `${where}: the region ${JSON.stringify(this.name)} is full (all ${this.capacity} slots ` +
          "are taken); open a new region with a larger capacity",
      );
    }
    if (code !== Status.OK) throw failure(where, this.name, code, 0);
    return new RegionWords(kind, out[0], link, slot);
  }

  #cell(slot: string, kind: AtomicKind, where: string): Cell {
    checkSlotName(where, slot);
    const link = this.#link;
    if (link.closed) {
      throw new Error(`${where}: the region ${JSON.stringify(this.name)} is closed`);
    }
    const code = native().atomicx_shm_slot(
      link.native,
      nameAddress,
      writeName(slot),
      Kind[kind],
      outAddress,
    );
    if (code === Status.KIND_MISMATCH) {
      throw new TypeError(
        `${where}: the slot ${JSON.stringify(slot)} of region ${JSON.stringify(this.name)} holds ${
          article(kindName[out[2]] ?? "?")
        }, not ${article(kind)}`,
      );
    }
    if (code === Status.CLAIM_STUCK) {
      throw new Error(
        `${where}: the slot ${JSON.stringify(slot)} of region ${
          JSON.stringify(this.name)
        } could not be added: directory entry ${out[2]} has been claimed for too long by a ` +
          "process that is alive but does not finish (stopped, or in another pid namespace)",
      );
    }
    if (code === Status.FULL) {
      throw new RangeError(
        `${where}: the region ${
          JSON.stringify(this.name)
        } is full (all ${this.capacity} slots are taken); open a new region with a larger capacity`,
      );
    }
    if (code !== Status.OK) throw failure(where, this.name, code, 0);
    const handle: RegionHandle = Object.freeze({ kind, region: this.name, slot });
    return new Cell(kind, regionSpace(link), out[0], handle);
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
    native().atomicx_shm_close(link.native);
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
      const { region, slot } = handle;
      checkRegionName(where, region);
      checkSlotName(where, slot); // before anything is opened
      let memory = openByName.get(region)?.deref();
      if (memory === undefined || memory.closed) {
        memory = SharedMemory.open(region, { only: "attach" });
      }
      return memory.#cell(slot, kind, where);
    });
    // The same for the lock primitives (`Mutex.from(handle)`).
    setLockSlotResolver((region: string, slot: string, kind: LockKind, where: string): Words => {
      checkRegionName(where, region);
      checkSlotName(where, slot);
      let memory = openByName.get(region)?.deref();
      if (memory === undefined || memory.closed) {
        memory = SharedMemory.open(region, { only: "attach" });
      }
      return memory.#words(slot, kind, where);
    });
  }
}
