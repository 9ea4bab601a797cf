/**
 * Handles: the plain, structured-cloneable data that says where an atomic, array, counter or lock
 * primitive lives (the engine's memory, a SharedArrayBuffer, or a region entry), with the one check
 * of a handle's kind ({@link checkHandle}) and the one builder ({@link handleFor}). Turning a
 * handle into storage is `src/_from_handle.ts`'s job; this module imports no storage.
 *
 * @module
 */

import type { WasmMemory } from "../engine/_webassembly.ts";
import { type AtomicKind, cellSize } from "../engine/_ops.ts";
import { describe } from "./_errors.ts";

export type { AtomicKind } from "../engine/_ops.ts";

/**
 * Where an atomic made with `new` lives: an offset in this process's shared WebAssembly memory.
 * Plain data that `postMessage` carries to a Worker (the memory is shared, not copied); there,
 * `X.from(handle)` gives the same atomic.
 *
 * @example
 * ```ts
 * import { AtomicInt, type MemoryHandle } from "@atomicx/atomicx";
 *
 * const jobs = new AtomicInt(3);
 * const handle = jobs.handle as MemoryHandle<"int">; // worker.postMessage(handle)
 * console.log(handle.memory instanceof WebAssembly.Memory, handle.byteOffset % 8); // true 0
 * AtomicInt.from(handle).dec(); // in the Worker: AtomicInt.from(event.data)
 * console.log(jobs.load()); // 2
 * ```
 */
export interface MemoryHandle<K extends AtomicKind = AtomicKind> {
  /** Which class the atomic belongs to. */
  readonly kind: K;
  /** The engine's shared memory: a `WebAssembly.Memory` with `shared: true`. */
  readonly memory: WasmMemory;
  /** Offset of the value in `memory`. */
  readonly byteOffset: number;
  /** Absent: lets code test `handle.buffer` on any handle without narrowing first. */
  readonly buffer?: undefined;
  /** Absent, as `buffer`. */
  readonly region?: undefined;
}

/**
 * Where an atomic lives inside a `SharedArrayBuffer` of your own. Plain data: `X.from(handle)`
 * places an atomic there (through the built-in `Atomics`; no native code), and `postMessage` carries
 * it to a Worker.
 *
 * @example
 * ```ts
 * import { AtomicBool, AtomicInt, type BufferHandle } from "@atomicx/atomicx";
 *
 * // Two atomics side by side in one buffer: an int at offset 0, a bool at offset 8.
 * const buffer = new SharedArrayBuffer(16);
 * const count = AtomicInt.from({ kind: "int", buffer, byteOffset: 0 } satisfies BufferHandle<"int">);
 * const done = AtomicBool.from({ kind: "bool", buffer, byteOffset: 8 });
 * count.add(3);
 * done.store(true);
 * console.log(new BigInt64Array(buffer, 0, 1)[0]); // 3n: the same memory
 * ```
 */
export interface BufferHandle<K extends AtomicKind = AtomicKind> {
  /** Which class the atomic belongs to. */
  readonly kind: K;
  /** The memory that holds the value. */
  readonly buffer: SharedArrayBuffer;
  /** Offset of the value in `buffer`: a multiple of 8 (4 for `bool`). */
  readonly byteOffset: number;
  /** Absent: lets code test `handle.region` on any handle without narrowing first. */
  readonly region?: undefined;
  /** Absent, as `region`. */
  readonly memory?: undefined;
}

/**
 * Where an atomic lives inside a named shared-memory region (`SharedMemory`). Plain data: a Worker
 * (or, with the same two names, another process) rebuilds the atomic with `AtomicInt.from(handle)`,
 * attaching the region in its own thread if it has not opened it.
 *
 * @example
 * ```ts
 * import { AtomicInt, SharedMemory } from "@atomicx/atomicx";
 *
 * using region = SharedMemory.open("handles-demo");
 * const handle = region.int("jobs").handle; // { kind: "int", region: "handles-demo", slot: "jobs" }
 * AtomicInt.from(handle).inc(); // in a Worker: AtomicInt.from(event.data)
 * SharedMemory.unlink("handles-demo");
 * ```
 */
export interface RegionHandle<K extends AtomicKind = AtomicKind> {
  /** Which class the atomic belongs to. */
  readonly kind: K;
  /** The region's name, as given to `SharedMemory.open`. */
  readonly region: string;
  /** The atomic's name inside the region. */
  readonly slot: string;
  /**
   * For an element of a region array (`region.intArray(slot, n).at(index)`): its index; `slot`
   * then names the array. Absent for an atomic of its own.
   */
  readonly index?: number;
  /**
   * `true` when the region was opened with `allowForeignOwner` (a region another, trusted user
   * created): rebuilding the atomic attaches the region with that option too. Absent otherwise.
   */
  readonly allowForeignOwner?: true;
  /** Absent: lets code test `handle.buffer` on any handle without narrowing first. */
  readonly buffer?: undefined;
  /** Absent, as `buffer`. */
  readonly memory?: undefined;
}

/**
 * Any atomic's handle: where it lives — the engine's memory ({@link MemoryHandle}, what
 * `new AtomicInt()` gives), a SharedArrayBuffer of yours ({@link BufferHandle}) or a named region
 * ({@link RegionHandle}). Plain, structured-cloneable data; `X.from(handle)` turns it back into
 * the same atomic, and the type parameter keeps an `"int"` handle away from `AtomicFloat.from`.
 *
 * @example
 * ```ts
 * import { AtomicInt, type AtomicHandle } from "@atomicx/atomicx";
 *
 * const hits = new AtomicInt();
 * const handle: AtomicHandle<"int"> = hits.handle; // worker.postMessage(handle)
 * AtomicInt.from(handle).inc(); // in the Worker: AtomicInt.from(event.data)
 * console.log(hits.load()); // 1
 * ```
 */
export type AtomicHandle<K extends AtomicKind = AtomicKind> =
  | MemoryHandle<K>
  | BufferHandle<K>
  | RegionHandle<K>;

/**
 * What a lock primitive is, as its handle says.
 *
 * @example
 * ```ts
 * import { type LockKind, Mutex } from "@atomicx/atomicx";
 *
 * const kind: LockKind = new Mutex().handle.kind; // "mutex"
 * ```
 */
export type LockKind =
  | "mutex"
  | "rwlock"
  | "semaphore"
  | "condition"
  | "barrier"
  | "latch"
  | "once";

/**
 * A lock primitive's handle: plain, structured-cloneable data naming its words — in-process memory
 * (`memory` + `byteOffset`: the engine's WebAssembly memory; `buffer` + `byteOffset` under the native
 * engine) or a region slot (`region` + `slot`). Pass it to a Worker and rebuild the primitive there
 * with `X.from(handle)`. Typed by kind: `Mutex.from(semaphore.handle)` does not compile.
 *
 * @example
 * ```ts
 * import { Mutex, type LockHandle } from "@atomicx/atomicx";
 *
 * const handle: LockHandle<"mutex"> = new Mutex().handle; // postMessage(handle) to a Worker
 * const same = Mutex.from(handle);
 * ```
 */
export type LockHandle<K extends LockKind = LockKind> =
  | { readonly kind: K; readonly memory: WasmMemory; readonly byteOffset: number }
  | { readonly kind: K; readonly buffer: SharedArrayBuffer; readonly byteOffset: number }
  | { readonly kind: K; readonly region: string; readonly slot: string };

/** The region entries that are blocks: arrays and counters. */
export type BlockKind =
  | "intArray"
  | "bigintArray"
  | "boolArray"
  | "floatArray"
  | "counter"
  | "floatCounter";

/** Everything a handle can name: an atomic, an array, a counter or a lock primitive's words. */
export type HandleKind = AtomicKind | BlockKind | LockKind;

/**
 * Where a handle points, as {@link handleFor} reads it: a region entry (`region`), or an offset in
 * the engine's memory (`memory`) or a SharedArrayBuffer (`buffer`).
 */
export interface HandlePlace {
  /** The engine's memory holding it, or */
  readonly memory: WasmMemory | undefined;
  /** the SharedArrayBuffer holding it. */
  readonly buffer: SharedArrayBuffer | undefined;
  /** Its offset in `memory` or `buffer`. */
  readonly byteOffset: number;
  /**
   * The region entry holding it (`memory` and `buffer` are then absent), or absent; `index` when
   * it is one element of the region array `slot`.
   */
  readonly region?: {
    readonly name: string;
    readonly slot: string;
    readonly index?: number;
    readonly allowForeignOwner?: true;
  };
}

/** The class each handle kind belongs to, for the message of a handle of another kind. */
const classOfKind: Readonly<Record<string, string>> = {
  int: "AtomicInt",
  bigint: "AtomicBigInt",
  bool: "AtomicBool",
  float: "AtomicFloat",
  intArray: "AtomicIntArray",
  bigintArray: "AtomicBigIntArray",
  boolArray: "AtomicBoolArray",
  floatArray: "AtomicFloatArray",
  counter: "Counter",
  floatCounter: "FloatCounter",
  mutex: "Mutex",
  rwlock: "RwLock",
  semaphore: "Semaphore",
  condition: "Condition",
  barrier: "Barrier",
  latch: "Latch",
  once: "Once",
};

/**
 * `handle`'s fields after checking that it is an object describing something of `kind`: the
 * first step of every `X.from(handle)`.
 */
export function checkHandle(
  where: string,
  kind: HandleKind,
  handle: unknown,
): Record<string, unknown> {
  if (typeof handle !== "object" || handle === null) {
    throw new TypeError(`${where}: expected a handle object, got ${describe(handle)}`);
  }
  const actual = (handle as Record<string, unknown>).kind;
  if (actual === undefined) {
    const noun = kind in cellSize
      ? "atomic"
      : kind.endsWith("Array")
      ? "array"
      : kind.endsWith("ounter")
      ? "counter"
      : kind;
    throw new TypeError(
      `${where}: this object has no kind, so it is not a handle. Did you post the ${noun} ` +
        `itself instead of its handle? Send \`${noun}.handle\` and call ${where}(event.data).`,
    );
  }
  if (actual !== kind) {
    const owner = typeof actual === "string" && Object.hasOwn(classOfKind, actual)
      ? classOfKind[actual]
      : undefined;
    throw new TypeError(
      `${where}: this handle is for kind ${
        typeof actual === "string" ? JSON.stringify(actual.slice(0, 40)) : describe(actual)
      }${owner === undefined ? "" : ` (${owner}.from takes it)`}, not "${kind}"`,
    );
  }
  return handle as Record<string, unknown>;
}

/**
 * The one handle builder: the frozen handle of what lives `offset` bytes into `block`, with an
 * array's `length` or an element's `index` when given.
 */
export function handleFor<H>(
  kind: HandleKind,
  block: HandlePlace,
  offset: number,
  extra: { readonly length?: number; readonly index?: number } = {},
): H {
  const { region, memory, buffer } = block;
  const where = region !== undefined
    ? {
      region: region.name,
      slot: region.slot,
      ...(region.allowForeignOwner ? { allowForeignOwner: true } : {}),
    }
    : memory !== undefined
    ? { memory, byteOffset: block.byteOffset + offset }
    : { buffer: buffer!, byteOffset: block.byteOffset + offset };
  return Object.freeze({ kind, ...where, ...extra }) as H;
}
