/**
 * Handles — the structured-cloneable description of where an atomic lives — and cells, the
 * checked (engine table, location) pair a handle turns into.
 *
 * @module
 */

import { type WasmMemory, WebAssemblyApi } from "../engine/_webassembly.ts";
import { atomicsSpace } from "../engine/_buffer.ts";
import { type EngineName, inProcessEngine } from "../engine/mod.ts";
import { type AtomicKind, cellSize, type Space } from "../engine/_ops.ts";
import { homeSpace, type MemoryHandle, spaceOf, type WasmSpace } from "../wasm/_engine.ts";
import { describe } from "./_errors.ts";
import { type BlockKind, regionHook } from "./_region_hook.ts";
import type { LockKind } from "./locks/_words.ts";

export type { AtomicKind } from "../engine/_ops.ts";
export type { MemoryHandle } from "../wasm/_engine.ts";

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
 * A checked place for one atomic: the engine table of its memory and its location there. Only this
 * module and `SharedMemory` make cells; the classes' constructors accept nothing else (a brand
 * check), so no caller can hand them a forged location.
 */
export class Cell {
  // Cells are made for every `new AtomicInt()`: a class brand costs nothing there, where an entry
  // in the registry below (a WeakSet) would cost more than the rest of the construction.
  readonly #brand = true;
  /** The atomic's kind. */
  readonly kind: AtomicKind;
  /** The engine tables of its memory. */
  readonly space: Space;
  /** Its location in that memory. */
  readonly loc: number;
  /** Its handle, when known up front (buffers and regions); wasm cells make it on demand. */
  readonly handle: AtomicHandle | undefined;
  /** Where it was just allocated for the object about to be built, to reclaim it later. */
  readonly fresh: { readonly space: WasmSpace; readonly offset: number } | undefined;

  constructor(
    kind: AtomicKind,
    space: Space,
    loc: number,
    handle: AtomicHandle | undefined,
    fresh?: { readonly space: WasmSpace; readonly offset: number },
  ) {
    this.kind = kind;
    this.space = space;
    this.loc = loc;
    this.handle = handle;
    this.fresh = fresh;
  }

  /** Whether `value` is a cell this module made. */
  static isCell(value: unknown): value is Cell {
    return typeof value === "object" && value !== null && #brand in value;
  }

  /** `value` if it is a genuine cell of `kind`; `TypeError` otherwise. */
  static check(value: unknown, kind: AtomicKind): Cell {
    if (!Cell.isCell(value) || value.kind !== kind) {
      throw new TypeError("atomicx: not a cell made by atomicx");
    }
    return value;
  }

  /**
   * Binds the cell to the atomic built on it: a fresh cell is reused after `owner` is collected,
   * and a cell that came with a handle keeps it for `owner.handle` (see {@link handleOf}).
   */
  adoptedBy(owner: object): void {
    this.fresh?.space.track(owner, this.fresh.offset);
    if (this.handle !== undefined) knownHandles.set(owner, this.handle);
  }
}

/**
 * The handles of atomics built from one (regions, SharedArrayBuffers, received handles), by atomic.
 * Atomics made with `new` have none here: their handle is made when first asked for, which keeps
 * each of them to two fields.
 */
const knownHandles = new WeakMap<object, AtomicHandle>();

/**
 * `atomic.handle`: the one it was built from, else a new handle into the engine memory — which
 * marks the cell as shared, never to be reused (another thread may hold it).
 */
export function handleOf(atomic: object, ops: object, loc: number): AtomicHandle {
  const known = knownHandles.get(atomic);
  if (known !== undefined) return known;
  const handle = (ops as { share(loc: number): AtomicHandle }).share(loc);
  knownHandles.set(atomic, handle);
  return handle;
}

/**
 * Builds an atomic of class `ctor` on `cell` (the constructors take a cell as a second argument,
 * which their public signature does not show).
 */
export function construct<T>(ctor: new (initial?: never) => T, cell: Cell): T {
  return Reflect.construct(ctor, [undefined, cell]) as T;
}

/**
 * What the native library adds to in-process atomics (`ATOMICX_ENGINE=native`, Bun's `wasm+ffi`),
 * installed by `src/_native_space.ts` when the full entry (`mod.ts`) is loaded. The browser entry
 * never loads it, so nothing it imports reaches the FFI code.
 */
export interface NativeHooks {
  /** The native tables for addresses outside any region. */
  nativeSpace(): Space;
  /** The address of a view of a SharedArrayBuffer. */
  addressOf(view: ArrayBufferView): number;
  /** Native calls on a WebAssembly engine memory. */
  nativeOnWasm(space: WasmSpace): Space;
  /** The address of byte 0 of `space`'s memory. */
  wasmBase(space: WasmSpace): number;
}
let native: NativeHooks | undefined;

/** Installs the native hooks (see {@link NativeHooks}). */
export function installNative(hooks: NativeHooks): void {
  native = hooks;
}

/** The native hooks, or an error saying this entry has no native engine. */
function nativeHooks(): NativeHooks {
  if (native === undefined) {
    throw new Error(
      'atomicx: ATOMICX_ENGINE=native needs the full entry ("atomicx" / mod.ts); this entry ' +
        "(the browser one) has no native library",
    );
  }
  return native;
}

/** New storage of `kind` for an atomic being constructed, in this thread's engine. */
export function newCell(kind: AtomicKind): Cell {
  if (inProcessEngine() === "native") {
    return cellInBlock(kind, nativeBufferBlock(new SharedArrayBuffer(8), 0, 8), 0, undefined);
  }
  const space = homeSpace();
  const offset = space.allocate(8);
  const ffi = withFfi(space);
  const fresh = { space, offset };
  if (ffi === undefined) return new Cell(kind, space, offset, undefined, fresh);
  return new Cell(kind, ffi, offset + native!.wasmBase(space), undefined, fresh);
}

let ffiFailed = false;

/** The engine in-process atomics of this thread use: `ATOMICX_ENGINE`'s, after any fallback. */
export function activeEngine(): EngineName {
  const engine = inProcessEngine();
  return engine === "wasm+ffi" && ffiFailed ? "wasm" : engine;
}

/** The `wasm+ffi` tables for `space` when that engine is chosen and the library loads. */
function withFfi(space: WasmSpace): Space | undefined {
  if (ffiFailed || native === undefined || inProcessEngine() !== "wasm+ffi") return undefined;
  try {
    return native.nativeOnWasm(space);
  } catch {
    ffiFailed = true; // no native library: plain wasm (info() tells)
    return undefined;
  }
}

const nativeOnBuffers = new WeakMap<SharedArrayBuffer, Space>();

/**
 * The native tables for atomics in `buffer` (whose byte 0 is at `base`), with the built-in
 * `Atomics` waits of that buffer: every in-process waiter then sleeps in `Atomics.wait`, which a
 * terminated Worker and an exiting process interrupt, and agrees with every other thread's waits.
 */
function nativeWithAtomicsWaits(buffer: SharedArrayBuffer, base: number): Space {
  let space = nativeOnBuffers.get(buffer);
  if (space !== undefined) return space;
  const tables = nativeHooks().nativeSpace();
  const waits = atomicsSpace(buffer);
  const shifted = (kind: "int" | "bool") => ({
    wait: (loc: number, e: number, t: number) => waits[kind].wait(loc - base, e, t),
    waitAsync: (loc: number, e: number, t: number) => waits[kind].waitAsync(loc - base, e, t),
    notify: (loc: number, count: number) => waits[kind].notify(loc - base, count),
  });
  space = {
    engine: "native",
    int: { ...tables.int, ...shifted("int") },
    bigint: tables.bigint,
    bool: { ...tables.bool, ...shifted("bool") },
    float: tables.float,
  };
  nativeOnBuffers.set(buffer, space);
  return space;
}

const sabByteLength = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")!
  .get!;
const memoryBuffer = Object.getOwnPropertyDescriptor(WebAssemblyApi.Memory.prototype, "buffer")!
  .get!;

/** The byte length of a genuine SharedArrayBuffer, or `undefined` for anything else. */
function sharedByteLength(value: unknown): number | undefined {
  try {
    return sabByteLength.call(value) as number;
  } catch {
    return undefined;
  }
}

/** The buffer of a genuine `WebAssembly.Memory`, or `undefined` for anything else. */
function memoryBufferOf(value: unknown): ArrayBufferLike | undefined {
  try {
    return memoryBuffer.call(value) as ArrayBufferLike;
  } catch {
    return undefined;
  }
}

/**
 * A checked block of consecutive cells (an array, a counter's stripes): the engine tables of its
 * memory, the location of its first byte, and where it lives for its handle.
 */
export interface Block {
  /** The engine tables of its memory. */
  readonly space: Space;
  /** The location of its first byte (an offset, or an address for the native tables). */
  readonly base: number;
  /** The engine's memory holding it, or */
  readonly memory: WasmMemory | undefined;
  /** the SharedArrayBuffer holding it. */
  readonly buffer: SharedArrayBuffer | undefined;
  /** Its offset in `memory` or `buffer`. */
  readonly byteOffset: number;
  /** Its size in bytes: what an array or counter built on it may use, no more. */
  readonly bytes: number;
  /** The engine space it was just allocated in, to reclaim or retain it. */
  readonly home: WasmSpace | undefined;
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
  /** For a counter in a region: the stripe this thread of this process adds to. */
  readonly stripe?: number;
}

/**
 * A new block of `bytes` bytes (a multiple of 8) aligned to `align` in this thread's engine,
 * filled with zeros; call `home.track(owner, byteOffset, size)` to reuse it once its owner is collected.
 */
export function newBlock(bytes: number, align: number = 8): Block {
  if (inProcessEngine() === "native") {
    return vouch(nativeBufferBlock(new SharedArrayBuffer(Math.max(bytes, 8)), 0, bytes));
  }
  const space = homeSpace();
  const size = Math.max(bytes, 8);
  const offset = space.allocate(size, align);
  // A reused block holds its last owner's values; no other thread can reach it yet.
  new Uint8Array(space.memory.buffer, offset, size).fill(0);
  const ffi = withFfi(space);
  return vouch({
    space: ffi ?? space,
    base: ffi === undefined ? offset : offset + native!.wasmBase(space),
    memory: space.memory,
    buffer: undefined,
    byteOffset: offset,
    bytes: size,
    home: space,
  });
}

function nativeBufferBlock(buffer: SharedArrayBuffer, byteOffset: number, bytes: number): Block {
  const view = new Uint8Array(buffer, byteOffset, Math.max(bytes, 1));
  // The buffer was brand-checked; this guards the address taken below all the same.
  if (view.buffer !== buffer) throw new TypeError("atomicx: not a SharedArrayBuffer");
  const address = nativeHooks().addressOf(view);
  const space = nativeWithAtomicsWaits(buffer, address - byteOffset);
  return { space, base: address, memory: undefined, buffer, byteOffset, bytes, home: undefined };
}

/** Everything a handle can name: an atomic, an array, a counter or a lock primitive's words. */
export type HandleKind = AtomicKind | BlockKind | LockKind;

/** What a handle's block must hold: `bytes` bytes from an offset that is a multiple of `align`. */
export interface BlockShape {
  readonly bytes: number;
  readonly align: number;
  /** An array's elements or a counter's stripes (what a region entry of that kind has). */
  readonly length?: number;
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
 * The one handle parser: the block of `shape` that `handle` names, after checking it describes
 * something of `kind` — in a region (`{ region, slot }`, attached, never created), in the engine's
 * memory or another shared `WebAssembly.Memory` (`{ memory, byteOffset }`), or in a
 * SharedArrayBuffer (`{ buffer, byteOffset }`).
 */
export function blockFromHandle(
  where: string,
  kind: AtomicKind | BlockKind,
  handle: unknown,
  shape: BlockShape,
): Block {
  const h = checkHandle(where, kind, handle);
  if (h.memory === undefined && h.buffer === undefined && h.region !== undefined) {
    return vouch(regionHook(where).block(where, kind, h, shape.length ?? 0));
  }
  return vouch(placeBlock(where, h, shape));
}

/**
 * The block a handle `{ memory | buffer, byteOffset }` names, after checking that `bytes` bytes
 * from `byteOffset` (a multiple of `align`) lie inside the memory it names.
 */
export function placeBlock(
  where: string,
  handle: { readonly memory?: unknown; readonly buffer?: unknown; readonly byteOffset?: unknown },
  { bytes, align }: BlockShape,
): Block {
  const { memory, buffer, byteOffset } = handle;
  if (memory !== undefined) {
    const length = sharedByteLength(memoryBufferOf(memory));
    if (length === undefined) {
      throw new TypeError(
        `${where}: handle.memory must be a shared WebAssembly.Memory, got ${describe(memory)}`,
      );
    }
    const loc = checkBlockOffset(where, byteOffset, align, bytes, length);
    // The engine of this very memory object (see wasm/_engine.ts): offsets checked above against
    // the memory the handle names are used on that memory only.
    const space = spaceOf(memory as WasmMemory);
    const ffi = withFfi(space);
    return {
      space: ffi ?? space,
      base: ffi === undefined ? loc : loc + native!.wasmBase(space),
      memory: space.memory,
      buffer: undefined,
      byteOffset: loc,
      bytes,
      home: undefined,
    };
  }
  const length = sharedByteLength(buffer);
  if (length === undefined) {
    throw new TypeError(
      buffer === undefined && (handle as { region?: unknown }).region === undefined
        ? `${where}: a handle names a memory (or buffer) and byteOffset, or a region and slot`
        : `${where}: handle.buffer must be a SharedArrayBuffer, got ${describe(buffer)}`,
    );
  }
  const loc = checkBlockOffset(where, byteOffset, align, bytes, length);
  const sab = buffer as SharedArrayBuffer;
  if (inProcessEngine() === "native") return nativeBufferBlock(sab, loc, bytes);
  return {
    space: atomicsSpace(sab),
    base: loc,
    memory: undefined,
    buffer: sab,
    byteOffset: loc,
    bytes,
    home: undefined,
  };
}

/** Checks a block's `byteOffset`: a multiple of `align` with `bytes` bytes inside `byteLength`. */
function checkBlockOffset(
  where: string,
  byteOffset: unknown,
  align: number,
  bytes: number,
  byteLength: number,
): number {
  if (typeof byteOffset !== "number") {
    throw new TypeError(
      `${where}: handle.byteOffset must be a number, got ${describe(byteOffset)}`,
    );
  }
  if (
    !Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset % align !== 0 ||
    byteOffset + bytes > byteLength
  ) {
    throw new RangeError(
      `${where}: handle.byteOffset ${byteOffset} must be a multiple of ${align} with ` +
        `${bytes} bytes inside the ${byteLength}-byte memory`,
    );
  }
  return byteOffset;
}

/** The blocks and cells atomicx made: constructors accept no other (the one brand registry). */
const made = new WeakSet<object>();

/** Marks `value` (a block or cell this module or `SharedMemory` just made) as genuine. */
export function vouch<T extends object>(value: T): T {
  made.add(value);
  return value;
}

/**
 * `value` if atomicx made it (a block {@link vouch}ed for); `TypeError` naming `what` otherwise.
 * (Cells, made for every `new AtomicInt()`, carry a class brand instead: {@link Cell.check}.)
 */
export function vouched<T extends object>(value: unknown, what: string): T {
  if (typeof value !== "object" || value === null || !made.has(value)) {
    throw new TypeError(`atomicx: not ${what} made by atomicx`);
  }
  return value as T;
}

/**
 * The one handle builder: the frozen handle of what lives `offset` bytes into `block`, with an
 * array's `length` or an element's `index` when given.
 */
export function handleFor<H>(
  kind: HandleKind,
  block: Block,
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

/**
 * A cell of `kind` `offset` bytes into `block`, with its handle: element `index` of an array's
 * block (`at(i)`), or the whole of a scalar's block (`index` then only for a region element).
 */
export function cellInBlock(
  kind: AtomicKind,
  block: Block,
  offset: number,
  index: number | undefined,
): Cell {
  const element = index ?? block.region?.index;
  const handle = handleFor<AtomicHandle>(
    kind,
    block,
    offset,
    block.region !== undefined && element !== undefined ? { index: element } : {},
  );
  return new Cell(kind, block.space, block.base + offset, handle);
}

/** The cell `handle` names, after checking it describes an atomic of `kind`. */
export function cellFromHandle(handle: unknown, kind: AtomicKind, className: string): Cell {
  const size = cellSize[kind];
  const block = blockFromHandle(`${className}.from`, kind, handle, { bytes: size, align: size });
  return cellInBlock(kind, block, 0, undefined);
}
