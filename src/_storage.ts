/**
 * Storage: where new atomics, arrays, counters and lock words are allocated in this thread's
 * engine (with the fallback from `wasm+ffi` to plain WebAssembly), the checked places they are built
 * on (cells and blocks), and the one way to build a class on given storage ({@link construct}).
 *
 * @module
 */

import { type WasmMemory, WebAssemblyApi } from "../engine/_webassembly.ts";
import { atomicsSpace } from "../engine/_buffer.ts";
import { type EngineName, inProcessEngine } from "../engine/mod.ts";
import type { AtomicKind, Space } from "../engine/_ops.ts";
import { homeSpace, spaceOf, type WasmSpace } from "../wasm/_engine.ts";
import { describe } from "./_errors.ts";
import { vouch } from "./_brands.ts";
import { type AtomicHandle, handleFor, type HandlePlace } from "./handle.ts";

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
 * The one way to build an object of class `ctor` on given storage (a {@link Cell}, a {@link Block}
 * or lock words): its constructor is called with `args` and `storage` as the argument after them,
 * which its public signature does not show. Each constructor accepts there only storage atomicx
 * made (a brand check), and makes new storage when the argument is absent.
 */
export function construct<T>(
  ctor: new (...args: never[]) => T,
  args: readonly unknown[],
  storage: object,
): T {
  return Reflect.construct(ctor, [...args, storage]) as T;
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
 * memory, the location of its first byte, and where it lives for its handle ({@link HandlePlace}).
 */
export interface Block extends HandlePlace {
  /** The engine tables of its memory. */
  readonly space: Space;
  /** The location of its first byte (an offset, or an address for the native tables). */
  readonly base: number;
  /** Its size in bytes: what an array or counter built on it may use, no more. */
  readonly bytes: number;
  /** The engine space it was just allocated in, to reclaim or retain it. */
  readonly home: WasmSpace | undefined;
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

/** What a handle's block must hold: `bytes` bytes from an offset that is a multiple of `align`. */
export interface BlockShape {
  readonly bytes: number;
  readonly align: number;
  /** An array's elements or a counter's stripes (what a region entry of that kind has). */
  readonly length?: number;
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
