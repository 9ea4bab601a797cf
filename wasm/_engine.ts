/**
 * The WebAssembly engine: atomics in a shared `WebAssembly.Memory`, each operation one call into
 * the embedded module (see `wasm/generate.mjs`), which the JavaScript engines compile to a direct
 * call and one atomic instruction or a short compare-exchange loop.
 *
 * Memory layout of a memory the library made (bytes; the module's `alloc` and this file agree on it):
 *
 * | offset | size | what |
 * | --- | --- | --- |
 * | 0 | 4 | heap top: the next free byte (0 in a new memory: the heap starts at 64) |
 * | 4 | 4 | the last thread number handed out (`threadNumber`) |
 * | 8 | 8 | the signature: `"atomicx"` and a format byte |
 * | 16 | 8 | the memory's id: a random number written by its creator, the same in every thread |
 * | 24 | 8 | a check of the id (so that random bytes are never taken for a signature) |
 * | 32 | 8 | the probe word: written by a thread that tells two objects of one memory apart |
 * | 64 | … | cells: 8 bytes for a scalar atomic, larger blocks for arrays and counters |
 *
 * Memories are told apart by object: each thread keeps a record (its engine instance) per memory
 * object it meets, so a memory of the user's own (a `WebAssembly.Memory` passed in a handle) always
 * gets an engine of its own, its offsets checked against itself, and the library never allocates
 * in it. A memory object a thread has not met — one that arrived by `postMessage`, which makes a
 * new object each time — is taken for a memory of the library only when it carries the signature,
 * and for one this thread already has an engine for only when a write to that engine's probe word
 * shows through it (the same memory, not a copy of its header).
 *
 * One memory per process is the aim: the first thread to need one creates it, and a Worker that
 * received a handle into another thread's memory of the library allocates there too (a second
 * memory would make every call site see two functions). Cells are never freed while another thread
 * may reach them: a cell whose handle was taken stays for the life of the memory; others go back
 * to this thread's free list when their object is collected.
 *
 * @module
 */

import { type Views, waitOps32, waitOps64 } from "../engine/_wait.ts";
import { type WasmMemory, WebAssemblyApi } from "../engine/_webassembly.ts";
import type { AtomicKind, BigIntOps, BoolOps, FloatOps, IntOps, Space } from "../engine/_ops.ts";
import { MAX_PAGES, moduleBase64 } from "./_module.ts";
import { runtime } from "../engine/_runtime.ts";
import { handleFor, type MemoryHandle } from "../src/handle.ts";

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

const SIGNATURE_OFFSET = 8;
const THREAD_COUNTER_INDEX = 1;
/** `"atomicx"` and format byte 1, as two little-endian words. */
const SIGNATURE = [0x6d6f7461, 0x01786369] as const;
/** Word index of the probe word (offset 32). */
const PROBE_INDEX = 8;

/** The check word of an id (two words): any fixed mix the creator and readers agree on. */
function idCheck(low: number, high: number): number {
  return (Math.imul(low ^ 0x5bd1e995, 0x01000193) ^ Math.imul(high, 0x9e3779b1)) | 1;
}

/** The id of a memory that carries the library's signature, or `undefined`. */
function signedId(memory: WasmMemory): number | undefined {
  if (memory.buffer.byteLength < 64) return undefined;
  const words = new Int32Array(memory.buffer, SIGNATURE_OFFSET, 6);
  if (Atomics.load(words, 0) !== SIGNATURE[0] || Atomics.load(words, 1) !== SIGNATURE[1]) {
    return undefined;
  }
  const low = Atomics.load(words, 2) >>> 0;
  const high = Atomics.load(words, 3) >>> 0;
  if ((low | high) === 0 || Atomics.load(words, 4) !== idCheck(low, high)) return undefined;
  return (high & 0x1f_ffff) * 2 ** 32 + low;
}

/** Writes the signature and a fresh random id into a new memory's header. */
function sign(memory: WasmMemory): void {
  // Browsers refuse to fill a view of shared memory with random values: fill a private one.
  const random = new Uint32Array(2);
  (globalThis as unknown as { crypto: { getRandomValues(a: Uint32Array): void } }).crypto
    .getRandomValues(random);
  const low = random[0] | 0;
  const high = (random[1] & 0x1f_ffff) || 1; // an id is never all zeros
  const words = new Int32Array(memory.buffer, SIGNATURE_OFFSET, 6);
  words.set([SIGNATURE[0], SIGNATURE[1], low, high, idCheck(low >>> 0, high), 0]);
}

/**
 * Whether `other` is the memory of `known` (a memory of the library) and not another memory with
 * the same header: a fresh random value written to `known`'s probe word must show through `other`.
 */
function sameMemory(known: WasmMemory, other: WasmMemory): boolean {
  const mine = new Int32Array(known.buffer, 0, PROBE_INDEX + 2);
  const theirs = new Int32Array(other.buffer, 0, PROBE_INDEX + 2);
  for (let attempt = 0; attempt < 4; attempt++) {
    const a = (Math.random() * 2 ** 32) | 0;
    const b = (Math.random() * 2 ** 32) | 1;
    Atomics.store(mine, PROBE_INDEX, a);
    Atomics.store(mine, PROBE_INDEX + 1, b);
    const seenA = Atomics.load(theirs, PROBE_INDEX);
    const seenB = Atomics.load(theirs, PROBE_INDEX + 1);
    if (seenA === a && seenB === b) return true;
    // Another thread probing at the same moment may have overwritten it: look again.
    if (Atomics.load(mine, PROBE_INDEX) === a && Atomics.load(mine, PROBE_INDEX + 1) === b) {
      return false;
    }
  }
  return false;
}

/** Free lists per alignment: 8, 16, 32, 64 and 128 (or more). */
const ALIGNMENT_CLASSES = 5;

/** The free list index of an alignment (a power of two ≥ 8): 8 → 0, … 128 and more → 4. */
function alignmentClass(align: number): number {
  return align >= 128 ? 4 : align >= 64 ? 3 : align >= 32 ? 2 : align >= 16 ? 1 : 0;
}

/** Blocks from this size on weigh on the garbage collector (see {@link WasmSpace.track}). */
const LARGE_BLOCK = 64 * 1024;
/** The ArrayBuffer each owner of a large block holds (it dies with its owner). */
const weight = new WeakMap<object, object>();

/**
 * Memory of `size` bytes that the collector counts and that costs no resident memory until
 * touched (it never is). Measured (1,000 8 MiB arrays made and dropped; 3,000 arrays of 64 KiB
 * kept): an unshared WebAssembly memory — reserved address space — makes Node and Bun collect
 * soonest (Bun: 48 MiB of engine memory against 440 MiB with an ArrayBuffer) and on Node adds no
 * resident memory (an ArrayBuffer of 64 KiB comes from the heap, zeroed: resident). On Bun one
 * costs milliseconds to make (3,000 kept 64 KiB arrays: 18 s against 3 s), so there it weighs
 * blocks from 1 MiB on (at most 1,024 alive), an ArrayBuffer the smaller ones. Deno's collector
 * counts only ArrayBuffers.
 */
function ballast(size: number): object {
  return runtime === "node" || (runtime === "bun" && size >= 1024 * 1024)
    ? new WebAssemblyApi.Memory({ initial: Math.ceil(size / 65536) })
    : new ArrayBuffer(size);
}

/** The engine for one memory in this thread: its instance, operation tables and allocator. */
export class WasmSpace implements Space {
  readonly engine = "wasm" as const;
  readonly memory: WasmMemory;
  /** True for a memory the library made (it allocates there); false for a memory of the user's. */
  readonly library: boolean;
  readonly int: IntOps & Sharing;
  readonly bigint: BigIntOps & Sharing;
  readonly bool: BoolOps & Sharing;
  readonly float: FloatOps & Sharing;
  readonly #alloc: (size: number, align: number) => number;
  /**
   * Free blocks of this thread, by size, then by the alignment their location has (8, 16, 32, 64,
   * 128 or more: {@link alignmentClass}), so that a reused block is aligned as asked.
   */
  readonly #free = new Map<number, number[][]>();
  /** Blocks whose handle was taken: never reused. */
  readonly #shared = new Set<number>();
  /** Bytes of blocks handed out and not yet back (their objects live, or await the collector). */
  #heldBytes = 0;
  /** Bytes in the free lists. */
  #freeBytes = 0;
  /** Bytes of blocks whose handle was taken and whose object was collected: kept for good. */
  #keptBytes = 0;
  readonly #reclaim = new FinalizationRegistry<number | readonly [number, number]>((held) =>
    typeof held === "number" ? this.#release(held, 8) : this.#release(held[0], held[1])
  );
  #i32: Int32Array;
  #i64: BigInt64Array;

  constructor(memory: WasmMemory, library: boolean) {
    this.memory = memory;
    this.library = library;
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
      return handleFor<MemoryHandle<K>>(kind, { memory, buffer: undefined, byteOffset: loc }, 0);
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
    if (!this.library) throw new Error("atomicx: the engine allocates only in its own memories");
    const lists = this.#free.get(size);
    if (lists !== undefined) {
      for (let c = alignmentClass(align); c < ALIGNMENT_CLASSES; c++) {
        const loc = lists[c].pop();
        if (loc !== undefined) {
          this.#freeBytes -= size;
          this.#heldBytes += size;
          return loc;
        }
      }
    }
    const loc = this.#alloc(size, align);
    if (loc < 0) throw this.#full(size);
    this.#heldBytes += size;
    return loc;
  }

  /** The error for a memory that cannot hold `size` more bytes, with where its bytes are. */
  #full(size: number): RangeError {
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    return new RangeError(
      `atomicx: the WebAssembly engine's memory is full (${MAX_PAGES / 16} MiB): cannot ` +
        `allocate ${size} more bytes. ${mib(this.#heldBytes)} belong to atomics, arrays, ` +
        `counters and locks this thread made that are alive or await the garbage collector, ` +
        `${mib(this.#freeBytes)} are free in blocks of other sizes, ${mib(this.#keptBytes)} ` +
        "were shared through handles (kept for the life of the memory); the rest belongs to " +
        "other threads. Blocks of objects that are no longer referenced come back once the " +
        "garbage collector has found them",
    );
  }

  /**
   * Returns `loc`'s block (8 bytes unless `size` says) to this thread's free list once `owner` is
   * collected. A large block also gives `owner` an untouched ArrayBuffer of its size: memory the
   * garbage collector counts, so that dropping large blocks makes it run (it does not see the
   * engine memory) and their blocks come back before the engine memory fills.
   */
  track(owner: object, loc: number, size: number = 8): void {
    if (size === 8) {
      this.#reclaim.register(owner, loc);
      return;
    }
    this.#reclaim.register(owner, [loc, size]);
    if (size >= LARGE_BLOCK) weight.set(owner, ballast(size));
  }

  /** Marks the block at `loc` as reachable from other threads: it is never reused. */
  retain(loc: number): void {
    this.#shared.add(loc);
  }

  #release(loc: number, size: number): void {
    this.#heldBytes -= size;
    if (this.#shared.delete(loc)) { // its handle was taken: another thread may use it
      this.#keptBytes += size;
      return;
    }
    let lists = this.#free.get(size);
    if (lists === undefined) {
      this.#free.set(size, lists = Array.from({ length: ALIGNMENT_CLASSES }, () => []));
    }
    lists[alignmentClass(loc & -loc)].push(loc);
    this.#freeBytes += size;
  }

  /**
   * A number unique to this thread among those using this memory (1, 2, 3, …); `undefined` for a
   * memory of the user's (whose header is the user's data).
   */
  threadNumber(): number | undefined {
    if (!this.library) return undefined;
    return this.#threadNumber ??= Atomics.add(
      new Int32Array(this.memory.buffer, 0, 2),
      THREAD_COUNTER_INDEX,
      1,
    ) + 1;
  }
  #threadNumber: number | undefined;

  /** Whether `loc` … `loc + size` lies inside the memory as it is now. */
  contains(loc: number, size: number): boolean {
    return loc + size <= this.memory.buffer.byteLength;
  }
}

/** Turning a location into a shareable handle (marks the cell as never to be reused). */
export interface Sharing {
  share(loc: number): MemoryHandle;
}

/**
 * What every copy of the library in this thread (an ESM import and a CommonJS `require`, or two
 * versions) shares, on `globalThis` under a `Symbol.for` key: the memory objects a copy of the
 * library made or verified, and the memory new atomics go to.
 */
interface ThreadMemories {
  readonly library: WeakSet<object>;
  home: WasmMemory | undefined;
}

const threadMemories: ThreadMemories = (() => {
  const key = Symbol.for("atomicx.wasm-memories.v1");
  const g = globalThis as unknown as Record<symbol, ThreadMemories | undefined>;
  const existing = g[key];
  if (existing !== undefined) return existing;
  const state: ThreadMemories = { library: new WeakSet(), home: undefined };
  Object.defineProperty(globalThis, key, { value: state, enumerable: false });
  return state;
})();

/** This copy's engine for each memory object it has met. */
const spaces = new WeakMap<object, WasmSpace>();
/** This copy's engines for memories of the library, by id (to recognise a memory posted again). */
const libraryById = new Map<number, WasmSpace>();

/** The engine this thread allocates in: a memory of the library, made on first use. */
export function homeSpace(): WasmSpace {
  let memory = threadMemories.home;
  if (memory !== undefined && memory === cachedHome?.memory) return cachedHome.space;
  if (memory === undefined) {
    memory = new WebAssemblyApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    sign(memory);
    threadMemories.library.add(memory);
    threadMemories.home = memory;
  }
  const space = spaceOf(memory);
  cachedHome = { memory, space };
  return space;
}

/** The home memory object and its engine, as this copy last looked them up (`new` is hot). */
let cachedHome: { readonly memory: WasmMemory; readonly space: WasmSpace } | undefined;

/**
 * This thread's engine for `memory` (already checked to be a shared WebAssembly.Memory): one per
 * memory object, or the engine of the same memory of the library met through another object.
 */
export function spaceOf(memory: WasmMemory): WasmSpace {
  let space = spaces.get(memory);
  if (space !== undefined) return space;
  const id = signedId(memory);
  if (id === undefined && !threadMemories.library.has(memory)) {
    space = new WasmSpace(memory, false); // the user's: an engine of its own, never allocated in
  } else {
    const known = id === undefined ? undefined : libraryById.get(id);
    if (known !== undefined && sameMemory(known.memory, memory)) {
      space = known;
    } else {
      space = new WasmSpace(memory, true);
      if (id !== undefined && known === undefined) libraryById.set(id, space);
    }
    threadMemories.library.add(memory);
    threadMemories.home ??= memory;
  }
  spaces.set(memory, space);
  return space;
}

/** The memory of the engine that allocated in this thread, if any (for `info()`). */
export function homeMemory(): WasmMemory | undefined {
  return threadMemories.home;
}
