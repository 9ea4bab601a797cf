/**
 * Handles: the structured-cloneable description of where an atomic lives, and turning one back
 * into an address.
 *
 * @module
 */

import { native } from "../ffi/mod.ts";
import type { RegionLink } from "./link.ts";

/**
 * The four kinds of atomic, as a handle names them: `"int"` ({@link AtomicInt}), `"bigint"`,
 * `"bool"` and `"float"`.
 *
 * @example
 * ```ts
 * import { AtomicFloat, type AtomicKind } from "@atomicx/atomicx";
 *
 * const kind: AtomicKind = new AtomicFloat(1.5).handle.kind; // "float"
 * ```
 */
export type AtomicKind = "int" | "bigint" | "bool" | "float";

/**
 * Where an atomic lives inside a `SharedArrayBuffer`. Plain data: send it to a Worker with
 * `postMessage(atomic.handle)` and rebuild the same atomic there with `AtomicInt.from(handle)`.
 * It also places atomics in a `SharedArrayBuffer` of your own.
 *
 * @example
 * ```ts
 * import { AtomicBool, AtomicInt, type BufferHandle } from "@atomicx/atomicx";
 *
 * // Two atomics side by side in one buffer: an int at offset 0, a bool at offset 8.
 * const buffer = new SharedArrayBuffer(16);
 * const count = AtomicInt.from({ kind: "int", buffer, byteOffset: 0 } satisfies BufferHandle);
 * const done = AtomicBool.from({ kind: "bool", buffer, byteOffset: 8 });
 * count.add(3);
 * done.store(true);
 * console.log(new BigInt64Array(buffer, 0, 1)[0]); // 3n: the same memory
 * ```
 */
export interface BufferHandle {
  /** Which class the atomic belongs to. */
  readonly kind: AtomicKind;
  /** The memory that holds the value. */
  readonly buffer: SharedArrayBuffer;
  /** Offset of the value in `buffer`: a multiple of 8 (4 for `bool`). */
  readonly byteOffset: number;
  /** Absent: lets code test `handle.region` on any handle without narrowing first. */
  readonly region?: undefined;
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
export interface RegionHandle {
  /** Which class the atomic belongs to. */
  readonly kind: AtomicKind;
  /** The region's name, as given to `SharedMemory.open`. */
  readonly region: string;
  /** The atomic's name inside the region. */
  readonly slot: string;
  /** Absent: lets code test `handle.buffer` on any handle without narrowing first. */
  readonly buffer?: undefined;
  /** Absent, as `buffer`. */
  readonly byteOffset?: undefined;
}

/**
 * Any atomic's handle: where it lives ({@link BufferHandle} or {@link RegionHandle}). Plain,
 * structured-cloneable data; every class's `from(handle)` turns it back into the same atomic.
 *
 * @example
 * ```ts
 * import { AtomicInt, type AtomicHandle } from "@atomicx/atomicx";
 *
 * const hits = new AtomicInt();
 * const handle: AtomicHandle = hits.handle; // worker.postMessage(handle)
 * AtomicInt.from(handle).inc(); // in the Worker: AtomicInt.from(event.data)
 * console.log(hits.load()); // 1
 * ```
 */
export type AtomicHandle = BufferHandle | RegionHandle;

/** Bytes of storage per kind: 64-bit words, and a 32-bit word for `bool` (futex-sized). */
export const storageSize: Readonly<Record<AtomicKind, number>> = {
  int: 8,
  bigint: 8,
  bool: 4,
  float: 8,
};

/** An atomic's storage as the classes use it: the address for the native calls, and the handle. */
export interface Cell {
  readonly address: number;
  readonly handle: AtomicHandle;
  /** The region holding the atomic; `undefined` for a SharedArrayBuffer. */
  readonly region?: RegionLink;
}

/** Resolves a region handle to a cell (installed by `src/shm.ts`). */
type RegionResolver = (handle: RegionHandle, kind: AtomicKind, className: string) => Cell;
let resolveRegion: RegionResolver | undefined;

/** Installs the function that turns region handles into cells. */
export function setRegionResolver(resolver: RegionResolver): void {
  resolveRegion = resolver;
}

/** New zeroed storage of `kind` in a SharedArrayBuffer of its own. */
export function allocateCell(kind: AtomicKind): Cell {
  // 8 bytes for every kind keeps the buffer's start 8-byte aligned and the size uniform.
  return cellOf({ kind, buffer: new SharedArrayBuffer(8), byteOffset: 0 });
}

/** The storage `handle` names, after checking it describes an atomic of `kind`. */
export function cellFromHandle(handle: unknown, kind: AtomicKind, className: string): Cell {
  if (typeof handle !== "object" || handle === null) {
    throw new TypeError(`${className}.from: expected a handle object, got ${describe(handle)}`);
  }
  const { kind: actual, buffer, byteOffset } = handle as Partial<BufferHandle>;
  if (actual !== kind) {
    throw new TypeError(
      `${className}.from: this handle is for kind ${JSON.stringify(actual)}, not "${kind}"`,
    );
  }
  if ((handle as { region?: unknown }).region !== undefined && resolveRegion) {
    return resolveRegion(handle as RegionHandle, kind, className);
  }
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `${className}.from: handle.buffer must be a SharedArrayBuffer, got ${describe(buffer)}`,
    );
  }
  const size = storageSize[kind];
  if (typeof byteOffset !== "number") {
    throw new TypeError(
      `${className}.from: handle.byteOffset must be a number, got ${describe(byteOffset)}`,
    );
  }
  if (
    !Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset % size !== 0 ||
    byteOffset + size > buffer.byteLength
  ) {
    throw new RangeError(
      `${className}.from: handle.byteOffset ${byteOffset} must be a multiple of ${size} with ` +
        `${size} bytes inside the ${buffer.byteLength}-byte buffer`,
    );
  }
  return cellOf({ kind, buffer, byteOffset });
}

function cellOf(handle: BufferHandle): Cell {
  const view = new Uint8Array(handle.buffer, handle.byteOffset, storageSize[handle.kind]);
  return { address: native.addressOf(view), handle: Object.freeze(handle) };
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return `bigint ${value}n`;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "object" || typeof value === "function") {
    return (value as { constructor?: { name?: string } }).constructor?.name ?? typeof value;
  }
  return `${typeof value} ${String(value)}`;
}

let adopted: Cell | undefined;

/**
 * Runs `construct` so that the constructor it calls takes `cell` (see {@link takeAdoptedCell})
 * instead of allocating: how `from(handle)` builds an instance with its private fields.
 */
export function adopt<T>(cell: Cell, construct: () => T): T {
  adopted = cell;
  try {
    return construct();
  } finally {
    adopted = undefined;
  }
}

/** The cell passed to {@link adopt}, once; `undefined` for an ordinary `new`. */
export function takeAdoptedCell(): Cell | undefined {
  const cell = adopted;
  adopted = undefined;
  return cell;
}
