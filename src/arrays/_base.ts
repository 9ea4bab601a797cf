/**
 * What the four atomic array classes share off the hot path: their handle type, the checks of
 * lengths, indexes and handles, the block a new or received array lives in, `from`/`of`/`at`
 * plumbing, `handle`, reading every element (`toArray()`, iteration, `console.log`, `toJSON`),
 * the class name, and `wait`/`notify` for the kinds that have them. The element operations live in
 * each class, each calling its own engine function, so that every call site stays monomorphic.
 *
 * @module
 */

import type { WasmMemory } from "../../engine/_webassembly.ts";
import type { AtomicKind, WaitOps, WaitResult } from "../../engine/_ops.ts";
import { notifyOn, waitAsyncOn, waitOn } from "../_atomic_base.ts";
import { describe } from "../_errors.ts";
import { type Block, type Cell, cellInBlock, construct, newBlock } from "../_storage.ts";
import { blockFromHandle } from "../_from_handle.ts";
import { checkHandle, handleFor } from "../handle.ts";
import { vouched } from "../_brands.ts";
import { spaceOf } from "../../wasm/_engine.ts";

/**
 * The four kinds of atomic array, as a handle names them: `"intArray"` (`AtomicIntArray`),
 * `"bigintArray"`, `"boolArray"` and `"floatArray"`.
 *
 * @example The kind in a handle
 * ```ts
 * import { type ArrayKind, AtomicIntArray } from "@atomicx/atomicx";
 *
 * const kind: ArrayKind = new AtomicIntArray(4).handle.kind; // "intArray"
 * ```
 */
export type ArrayKind = "intArray" | "bigintArray" | "boolArray" | "floatArray";

/**
 * Where an atomic array lives: plain data that `postMessage` carries to a Worker, where
 * `X.from(handle)` gives the same array. `memory` for an array made with `new` (the engine's shared
 * WebAssembly memory), or `buffer` for an array placed in a SharedArrayBuffer of your own (elements
 * through the built-in `Atomics`): `byteOffset` a multiple of 8 (4 for `boolArray`) and `length`
 * elements of 8 bytes (4 for `boolArray`) inside it.
 *
 * @example An array in a buffer of your own
 * ```ts
 * import { AtomicIntArray } from "@atomicx/atomicx";
 *
 * const buffer = new SharedArrayBuffer(32);
 * const slots = AtomicIntArray.from({ kind: "intArray", buffer, byteOffset: 0, length: 4 });
 * slots.add(2, 5);
 * console.log(new BigInt64Array(buffer)[2]); // 5n: the same memory
 * ```
 */
export interface MemoryArrayHandle<K extends ArrayKind = ArrayKind> {
  /** Which class the array belongs to. */
  readonly kind: K;
  /** How many elements it has. */
  readonly length: number;
  /** The engine's shared memory holding it (an array made with `new`), or absent. */
  readonly memory?: WasmMemory;
  /** The SharedArrayBuffer holding it (an array placed with `from`), or absent. */
  readonly buffer?: SharedArrayBuffer;
  /** Offset of element 0 in `memory` or `buffer`. */
  readonly byteOffset: number;
  /** Absent: lets code test `handle.region` on any array handle without narrowing first. */
  readonly region?: undefined;
}

/**
 * Where an array in a `SharedMemory` region lives: the region's name, the array's name in it and
 * its length. A Worker (or another process) rebuilds it with `X.from(handle)`, attaching the region
 * if it has not opened it.
 *
 * @example A region array's handle
 * ```ts
 * import { AtomicIntArray, SharedMemory } from "@atomicx/atomicx";
 *
 * using region = SharedMemory.open("array-handle-demo");
 * const handle = region.intArray("shards", 4).handle;
 * // { kind: "intArray", region: "array-handle-demo", slot: "shards", length: 4 }
 * AtomicIntArray.from(handle).inc(2); // in a Worker: AtomicIntArray.from(event.data)
 * SharedMemory.unlink("array-handle-demo");
 * ```
 */
export interface RegionArrayHandle<K extends ArrayKind = ArrayKind> {
  /** Which class the array belongs to. */
  readonly kind: K;
  /** How many elements it has. */
  readonly length: number;
  /** The region's name, as given to `SharedMemory.open`. */
  readonly region: string;
  /** The array's name inside the region. */
  readonly slot: string;
  /** `true` when the region was opened with `allowForeignOwner` (as an atomic's region handle). */
  readonly allowForeignOwner?: true;
  /** Absent: lets code test `handle.byteOffset` on any array handle without narrowing first. */
  readonly byteOffset?: undefined;
  /** Absent, as `byteOffset`. */
  readonly memory?: undefined;
  /** Absent, as `byteOffset`. */
  readonly buffer?: undefined;
}

/**
 * Any atomic array's handle: in this process's memory ({@link MemoryArrayHandle}) or in a named
 * region ({@link RegionArrayHandle}).
 *
 * @example Sending an array to a Worker
 * ```ts
 * import { type ArrayHandle, AtomicIntArray } from "@atomicx/atomicx";
 *
 * const handle: ArrayHandle<"intArray"> = new AtomicIntArray(2).handle; // worker.postMessage(handle)
 * AtomicIntArray.from(handle).inc(1);
 * ```
 */
export type ArrayHandle<K extends ArrayKind = ArrayKind> =
  | MemoryArrayHandle<K>
  | RegionArrayHandle<K>;

/** The element kind of each array kind. */
export const elementKind: Readonly<Record<ArrayKind, AtomicKind>> = {
  intArray: "int",
  bigintArray: "bigint",
  boolArray: "bool",
  floatArray: "float",
};

/** The class name of each array kind, for messages and `Object.prototype.toString`. */
const classNames: Readonly<Record<ArrayKind, string>> = {
  intArray: "AtomicIntArray",
  bigintArray: "AtomicBigIntArray",
  boolArray: "AtomicBoolArray",
  floatArray: "AtomicFloatArray",
};

/** Bytes per element: 4 for `boolArray` (a 32-bit word, what `Atomics.wait` takes), else 8. */
function elementSize(kind: ArrayKind): number {
  return kind === "boolArray" ? 4 : 8;
}

/** The largest length of an array: 2^27 elements (1 GiB of 8-byte elements, the memory's size). */
export const MAX_LENGTH = 2 ** 27;

/** `TypeError` for a non-number index, `RangeError` for one that is not an integer in [0, length). */
export function badIndex(where: string, index: unknown, length: number): TypeError | RangeError {
  if (typeof index !== "number") {
    return new TypeError(`${where}: the index must be a number, got ${describe(index)}`);
  }
  return new RangeError(
    `${where}: index ${index} is not an integer in [0, ${length})`,
  );
}

/** `length` after checking it: an integer in [0, 2^27]. */
export function checkLength(where: string, length: unknown): number {
  if (typeof length !== "number") {
    throw new TypeError(`${where}: the length must be a number, got ${describe(length)}`);
  }
  if (!Number.isInteger(length) || length < 0 || length > MAX_LENGTH) {
    throw new RangeError(`${where}: the length must be an integer in [0, 2^27], got ${length}`);
  }
  return length;
}

/** Bytes a new array of `length` elements of `size` bytes takes (a multiple of 8, at least 8). */
function allocationSize(length: number, size: number): number {
  return Math.max(8, Math.ceil((length * size) / 8) * 8);
}

/** The block of the array a handle describes, after checking the handle. */
export function arrayBlockFromHandle(
  handle: unknown,
  kind: ArrayKind,
  className: string,
): { block: Block; length: number } {
  const where = `${className}.from`;
  const length = checkLength(where, checkHandle(where, kind, handle).length);
  const size = elementSize(kind);
  return {
    block: blockFromHandle(where, kind, handle, { bytes: length * size, align: size, length }),
    length,
  };
}

/** `block` if atomicx made it and it holds `length` elements of `size` bytes; `TypeError` otherwise. */
function checkBlock(block: unknown, length: number, size: number): Block {
  const checked = vouched<Block>(block, "an array block");
  if (!(length * size <= checked.bytes)) {
    throw new TypeError("atomicx: an array block too small for its length");
  }
  return checked;
}

/**
 * The array of class `ctor` a handle describes, after checking the handle (each class's `from`).
 *
 * @example
 * ```ts
 * import { AtomicIntArray } from "@atomicx/atomicx";
 * import { adoptArray } from "./_base.ts";
 *
 * const a = adoptArray(AtomicIntArray, new AtomicIntArray(2).handle, "intArray");
 * ```
 */
export function adoptArray<A>(
  ctor: new (length: number) => A,
  handle: unknown,
  kind: ArrayKind,
): A {
  const { block, length } = arrayBlockFromHandle(handle, kind, classNames[kind]);
  return construct(ctor, [length], block);
}

/**
 * A new array of class `ctor` holding `values`, each checked by `check` first (each class's `of`):
 * a bad value throws before anything is allocated.
 *
 * @example
 * ```ts
 * import { AtomicFloatArray } from "@atomicx/atomicx";
 * import { arrayOf } from "./_base.ts";
 * import { float64 } from "../_values.ts";
 *
 * const a = arrayOf(AtomicFloatArray, "floatArray", [0.5, 1], float64); // AtomicFloatArray(2) [0.5, 1]
 * ```
 */
export function arrayOf<T, A extends { store(i: number, value: T): void }>(
  ctor: new (length: number) => A,
  kind: ArrayKind,
  values: T[],
  check: (where: string, value: T) => unknown,
): A {
  const where = `${classNames[kind]}.of`;
  for (const v of values) check(where, v);
  const array = new ctor(values.length);
  for (let i = 0; i < values.length; i++) array.store(i, values[i]);
  return array;
}

/** Node's and Bun's custom-inspect hook. */
const nodeInspect = Symbol.for("nodejs.util.inspect.custom");
/** Deno's custom-inspect hook. */
const denoInspect = Symbol.for("Deno.customInspect");

/** How an element reads in `JSON.stringify`: a bigint as its decimal string, the rest as is. */
export type JsonElement<T> = T extends bigint ? string : T;

/**
 * The base of the four array classes: length, handle, `at`-pinning, reading every element, the
 * class name. Its constructor makes a new block (`block` absent) or takes a checked one.
 *
 * @example A class on this base (the four in this folder are built so)
 * ```ts
 * import { AtomicArrayBase } from "./_base.ts";
 *
 * class Words extends AtomicArrayBase<number, "intArray"> {
 *   constructor(length: number) {
 *     super("intArray", length, undefined);
 *   }
 *   load(i: number): number {
 *     return this.block.space.int.load(this.block.base + i * 8);
 *   }
 * }
 * console.log(new Words(2).toArray()); // [0, 0]
 * ```
 *
 * Published in the declarations (the array classes extend it), so not marked internal (the
 * npm build strips internal declarations); `@ignore` keeps it out of the generated docs instead.
 *
 * @ignore
 */
export abstract class AtomicArrayBase<T, K extends ArrayKind = ArrayKind> {
  readonly #block: Block;
  readonly #kind: K;
  readonly #size: number;
  readonly #count: number;
  #handle: ArrayHandle<K> | undefined;

  /**
   * An array of `length` elements of `kind` in `block` (checked), or in a new zeroed block when
   * `block` is `undefined` (then `length` is checked here).
   */
  constructor(kind: K, length: number, block: unknown) {
    const size = elementSize(kind);
    const fresh = block === undefined;
    if (fresh) {
      block = newBlock(allocationSize(checkLength(`new ${classNames[kind]}`, length), size));
    }
    const checked = checkBlock(block, length, size);
    this.#block = checked;
    this.#kind = kind;
    this.#size = size;
    this.#count = length;
    if (fresh) checked.home?.track(this, checked.byteOffset, allocationSize(length, size));
  }

  /** How many elements the array has. */
  get length(): number {
    return this.#count;
  }

  /** The kind of this array. */
  protected get arrayKind(): K {
    return this.#kind;
  }

  /** The block the elements live in (each class reads its engine table and base from it). */
  protected get block(): Block {
    return this.#block;
  }

  /** Reads element `i`. */
  abstract load(i: number): T;

  /** The block, for `at(i)`: pinned first, since the element's handle may reach another thread. */
  protected pinnedBlock(): Block {
    this.#pin();
    return this.#block;
  }

  /** The cell of element `i`, for `at(i)`, after checking `i` (the block is pinned). */
  protected cellAt(i: number): Cell {
    if (!((i >>> 0) === i && i < this.#count)) {
      throw badIndex(`${classNames[this.#kind]}.at`, i, this.#count);
    }
    return cellInBlock(elementKind[this.#kind], this.pinnedBlock(), i * this.#size, i);
  }

  /** The location of element `i` in the engine table's memory, after checking `i`. */
  protected locationOf(where: string, i: number): number {
    if (!((i >>> 0) === i && i < this.#count)) throw badIndex(where, i, this.#count);
    return this.#block.base + i * this.#size;
  }

  #pin(): void {
    const block = this.#block;
    if (block.memory !== undefined) spaceOf(block.memory).retain(block.byteOffset);
  }

  /**
   * Where this array lives: plain data to `postMessage` to a Worker, where `X.from(handle)` gives
   * the same array. (Once taken, the array's memory stays reserved for the life of the process's
   * shared memory, since another thread may still use it.)
   *
   * @example
   * ```ts
   * import { AtomicIntArray } from "@atomicx/atomicx";
   *
   * const a = new AtomicIntArray(2);
   * AtomicIntArray.from(a.handle).inc(0); // in a Worker: AtomicIntArray.from(event.data)
   * console.log(a.load(0)); // 1
   * ```
   */
  get handle(): ArrayHandle<K> {
    return this.arrayHandle();
  }

  /** `handle`'s value (kept for classes built on this base before `handle` moved here). */
  protected arrayHandle(): ArrayHandle<K> {
    if (this.#handle !== undefined) return this.#handle;
    this.#pin();
    return this.#handle = handleFor<ArrayHandle<K>>(this.#kind, this.#block, 0, {
      length: this.length,
    });
  }

  /** Every element, read one after the other (not one atomic snapshot). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.load(i));
    return out;
  }

  /**
   * The values, for `JSON.stringify` (a bigint as its decimal string).
   *
   * @example
   * ```ts
   * import { AtomicBigIntArray } from "@atomicx/atomicx";
   *
   * console.log(JSON.stringify(AtomicBigIntArray.of(1n, 2n))); // ["1","2"]
   * ```
   */
  toJSON(): JsonElement<T>[] {
    return this.toArray().map((v) => typeof v === "bigint" ? String(v) : v) as JsonElement<T>[];
  }

  /** The elements' values, each read when the iteration reaches it. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.load(i);
  }

  /** The class name (`"AtomicIntArray"`, …), for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return classNames[this.#kind];
  }

  /** `AtomicIntArray(3) [1, 2, 3]`: the class name, length and values. */
  [nodeInspect](): string {
    return this.#display();
  }

  /** `AtomicIntArray(3) [1, 2, 3]`: the class name, length and values. */
  [denoInspect](): string {
    return this.#display();
  }

  #display(): string {
    const name = this[Symbol.toStringTag];
    let values: T[];
    try {
      values = this.toArray();
    } catch {
      return `${name}(${this.length}) <unreadable: its region is closed>`;
    }
    const shown = values.slice(0, 100).map((v) =>
      typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : String(v)
    );
    if (values.length > 100) shown.push(`… ${values.length - 100} more`);
    return `${name}(${this.length}) [${shown.join(", ")}]`;
  }
}

/**
 * The base of the arrays whose elements can be waited on (`AtomicIntArray`, `AtomicBoolArray`):
 * `wait`, `waitAsync` and `notify` on element `i`, with `expected` checked and encoded by
 * {@link WaitableArrayBase.encode}.
 *
 * @example
 * ```ts
 * import { AtomicBoolArray } from "@atomicx/atomicx";
 *
 * const ready = new AtomicBoolArray(2);
 * console.log(ready.wait(0, true, 0)); // "not-equal"
 * console.log(ready.notify(0)); // 0: nobody was waiting
 * ```
 *
 * Published in the declarations (the array classes extend it), so not marked internal (the
 * npm build strips internal declarations); `@ignore` keeps it out of the generated docs instead.
 *
 * @ignore
 */
export abstract class WaitableArrayBase<T, K extends ArrayKind = ArrayKind>
  extends AtomicArrayBase<T, K> {
  /** `value` checked and in the engine's encoding (`where` names the method for errors). */
  protected abstract encode(where: string, value: T): number;

  /** The engine table's wait functions for this array's memory. */
  #waitOps(): WaitOps<number> {
    const tables = this.block.space as unknown as Record<AtomicKind, WaitOps<number>>;
    return tables[elementKind[this.arrayKind]];
  }

  /**
   * Blocks this thread while element `i` is `expected`, until a `notify` on it or `timeoutMs`
   * passes (as `AtomicInt.wait` / `AtomicBool.wait`).
   *
   * @returns `"ok"`, `"not-equal"` or `"timed-out"`
   */
  wait(i: number, expected: T, timeoutMs: number = Infinity): WaitResult {
    const where = `${this[Symbol.toStringTag]}.wait`;
    const loc = this.locationOf(where, i);
    return waitOn(where, this.#waitOps(), loc, this.encode(where, expected), timeoutMs);
  }

  /** Like `wait`, without blocking: a Promise of the result (a bad argument throws, not rejects). */
  waitAsync(i: number, expected: T, timeoutMs: number = Infinity): Promise<WaitResult> {
    const where = `${this[Symbol.toStringTag]}.waitAsync`;
    const loc = this.locationOf(where, i);
    return waitAsyncOn(where, this.#waitOps(), loc, this.encode(where, expected), timeoutMs);
  }

  /** Wakes up to `count` threads waiting on element `i` (default: all); returns how many. */
  notify(i: number, count: number = Infinity): number {
    const where = `${this[Symbol.toStringTag]}.notify`;
    return notifyOn(where, this.#waitOps(), this.locationOf(where, i), count);
  }
}
