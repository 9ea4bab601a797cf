/**
 * The WebAssembly engine: atomics in a shared `WebAssembly.Memory`, each operation one call into
 * the embedded module (see `wasm/generate.mjs`), which the JavaScript engines compile to a direct
 * call and one atomic instruction or a short compare-exchange loop.
 *
 * Memory layout (bytes; the module's `alloc` and this file agree on it):
 *
 * | offset | size | what |
 * | --- | --- | --- |
 * | 0 | 4 | heap top: the next free byte (0 in a new memory: the heap starts at 64) |
 * | 4 | 4 | the last thread number handed out (`threadNumber`) |
 * | 8 | 8 | the memory's id: a random number written by its creator, the same in every thread |
 * | 64 | … | cells: 8 bytes for a scalar atomic, larger blocks for arrays and counters |
 *
 * One memory per process is the aim: the first thread to need one creates it, and a Worker that
 * received a handle into another thread's memory allocates there too (a second memory would make
 * every call site see two functions). Cells are never freed while another thread may reach them:
 * a cell whose handle was taken stays for the life of the memory; others go back to this thread's
 * free list when their object is collected.
 *
 * @module
 */

import { type Views, waitOps32, waitOps64 } from "../engine/_wait.ts";
import { type WasmMemory, WebAssemblyApi } from "../engine/_webassembly.ts";
import type { AtomicKind, BigIntOps, BoolOps, FloatOps, IntOps, Space } from "../engine/_ops.ts";
import { MAX_PAGES, moduleBase64 } from "./_module.ts";

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

interface Exports {
  readonly [name: string]: (...args: never[]) => unknown;
}

let compiled: object | undefined;

/** The module, compiled once per thread (2.6 kB: synchronous compilation is allowed everywhere). */
function engineModule(): object {
  if (compiled === undefined) {
    const text = atob(moduleBase64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssemblyApi.Module(bytes);
  }
  return compiled;
}

const ID_OFFSET = 8;
const THREAD_COUNTER_INDEX = 1;

/** The memory's id from its header. */
function memoryId(memory: WasmMemory): number {
  const words = new Uint32Array(memory.buffer, ID_OFFSET, 2);
  return (Atomics.load(words, 1) & 0x1f_ffff) * 2 ** 32 + Atomics.load(words, 0);
}

/** The engine for one memory in this thread: its instance, operation tables and allocator. */
export class WasmSpace implements Space {
  readonly engine = "wasm" as const;
  readonly memory: WasmMemory;
  readonly int: IntOps & Sharing;
  readonly bigint: BigIntOps & Sharing;
  readonly bool: BoolOps & Sharing;
  readonly float: FloatOps & Sharing;
  readonly #alloc: (size: number, align: number) => number;
  /** Free cells of this thread, by size. */
  readonly #free = new Map<number, number[]>();
  /** Cells whose handle was taken: never reused. */
  readonly #shared = new Set<number>();
  readonly #reclaim = new FinalizationRegistry<number | readonly [number, number]>((held) =>
    typeof held === "number" ? this.#release(held, 8) : this.#release(held[0], held[1])
  );
  #i32: Int32Array;
  #i64: BigInt64Array;

  constructor(memory: WasmMemory) {
    this.memory = memory;
    const x = new WebAssemblyApi.Instance(engineModule(), { env: { memory } })
      .exports as unknown as Exports;
    this.#alloc = x.alloc as (size: number, align: number) => number;
    this.#i32 = new Int32Array(memory.buffer);
    this.#i64 = new BigInt64Array(memory.buffer);
    const views: Views = {
      i32: (loc) => loc < this.#i32.byteLength ? this.#i32 : this.#refresh().#i32,
      i64: (loc) => loc < this.#i64.byteLength ? this.#i64 : this.#refresh().#i64,
    };
    const share = <K extends AtomicKind>(kind: K) => (loc: number): MemoryHandle<K> => {
      this.#shared.add(loc);
      return Object.freeze({ kind, memory, byteOffset: loc });
    };
    // The export for `compareExchange` of `int` is `int_compare_exchange`, and so on.
    const table = (kind: AtomicKind, names: readonly string[]) =>
      Object.fromEntries(
        names.map((name) => [
          name,
          x[`${kind}_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`],
        ]),
      );
    const basic = ["load", "store", "swap", "compareExchange"];
    const arithmetic = ["add", "sub", "mul", "div", "max", "min"];
    const bitwise = ["and", "or", "xor"];
    this.int = {
      ...table("int", [...basic, ...arithmetic, ...bitwise]) as unknown as IntOps,
      ...waitOps64(views),
      share: share("int"),
    };
    this.bigint = {
      ...table("bigint", [...basic, ...arithmetic, ...bitwise]) as unknown as BigIntOps,
      share: share("bigint"),
    };
    this.bool = {
      ...table("bool", [...basic, ...bitwise]) as unknown as BoolOps,
      ...waitOps32(views),
      share: share("bool"),
    };
    this.float = {
      ...table("float", [...basic, ...arithmetic]) as unknown as FloatOps,
      share: share("float"),
    };
  }

  #refresh(): this {
    this.#i32 = new Int32Array(this.memory.buffer);
    this.#i64 = new BigInt64Array(this.memory.buffer);
    return this;
  }

  /**
   * A zeroed-or-reused block of `size` bytes (a power of two ≥ 8) aligned to `align` (≤ size),
   * owned by this thread until {@link WasmSpace.track}'s object is collected.
   *
   * @throws {RangeError} when the memory cannot grow that far (1 GiB)
   */
  allocate(size: number, align: number = 8): number {
    const loc = this.#free.get(size)?.pop() ?? this.#alloc(size, align);
    if (loc < 0) {
      throw new RangeError(
        `atomicx: the WebAssembly engine's memory is full (${MAX_PAGES / 16} MiB): ` +
          `cannot allocate ${size} more bytes`,
      );
    }
    return loc;
  }

  /** Returns `loc`'s block (8 bytes unless `size` says) to this thread's free list once `owner` is collected. */
  track(owner: object, loc: number, size: number = 8): void {
    this.#reclaim.register(owner, size === 8 ? loc : [loc, size]);
  }

  /** Marks the block at `loc` as reachable from other threads: it is never reused. */
  retain(loc: number): void {
    this.#shared.add(loc);
  }

  #release(loc: number, size: number): void {
    if (this.#shared.delete(loc)) return; // its handle was taken: another thread may use it
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, list = []);
    list.push(loc);
  }

  /** A number unique to this thread among those using this memory (1, 2, 3, …). */
  threadNumber(): number {
    return Atomics.add(new Int32Array(this.memory.buffer, 0, 2), THREAD_COUNTER_INDEX, 1) + 1;
  }

  /** Whether `loc` … `loc + size` lies inside the memory as it is now. */
  contains(loc: number, size: number): boolean {
    return loc + size <= this.memory.buffer.byteLength;
  }
}

/** Turning a location into a shareable handle (marks the cell as never to be reused). */
export interface Sharing {
  share(loc: number): MemoryHandle;
}

/** This thread's engine for each memory it has seen, by memory id. */
const spaces = new Map<number, WasmSpace>();
/** The memory this thread allocates new atomics in. */
let home: WasmSpace | undefined;

/** The engine this thread allocates in: the first memory it received, or a new one. */
export function homeSpace(): WasmSpace {
  if (home !== undefined) return home;
  const memory = new WebAssemblyApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  // Browsers refuse to fill a view of shared memory with random values: fill a private one.
  const random = new Uint32Array(2);
  (globalThis as unknown as { crypto: { getRandomValues(a: Uint32Array): void } }).crypto
    .getRandomValues(random);
  const id = new Uint32Array(memory.buffer, ID_OFFSET, 2);
  id[0] = random[0];
  id[1] = random[1] || 1; // an id is never all zeros
  return home = spaceOf(memory);
}

/** This thread's engine for `memory` (already checked to be a shared WebAssembly.Memory). */
export function spaceOf(memory: WasmMemory): WasmSpace {
  const id = memoryId(memory);
  let space = spaces.get(id);
  if (space === undefined) {
    spaces.set(id, space = new WasmSpace(memory));
    home ??= space;
  }
  return space;
}

/** The memory of the engine that allocated in this thread, if any (for `info()`). */
export function homeMemory(): WasmMemory | undefined {
  return home?.memory;
}
