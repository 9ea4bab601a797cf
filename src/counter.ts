/**
 * `Counter` and `FloatCounter`: striped adders. Each thread adds to its own stripe, padded to
 * 128 bytes (the prefetcher of x86-64 and aarch64 pulls cache lines in pairs), so that threads
 * adding at once do not fight over one line; a read adds the stripes up. `Counter` and
 * `FloatCounter` repeat the same shape on purpose: each `add` calls its own kind's engine function
 * (one call target per site, as in the atomic classes).
 *
 * @module
 */

import type { WasmMemory } from "../engine/_webassembly.ts";
import type { FloatOps, IntOps } from "../engine/_ops.ts";
import { notSafeInteger, wrongType } from "./_errors.ts";
import { type Block, construct, newBlock } from "./_storage.ts";
import { blockFromHandle } from "./_from_handle.ts";
import { handleFor } from "./handle.ts";
import { vouched } from "./_brands.ts";
import { spaceOf } from "../wasm/_engine.ts";

/** How many stripes a counter has. */
export const STRIPES = 8;
/** Bytes from one stripe to the next: two cache lines. */
const STRIDE = 128;
/** Bytes a counter takes. */
const BYTES = STRIPES * STRIDE;

/**
 * Where a counter lives: plain data that `postMessage` carries to a Worker, where
 * `Counter.from(handle)` (or `FloatCounter.from`) gives the same counter. `memory` for a counter
 * made with `new`; `buffer` for one placed in a SharedArrayBuffer of your own, which needs 1024
 * bytes from `byteOffset` (a multiple of 8); `region` and `slot` for one in a `SharedMemory`
 * region (`region.counter(slot)`), which another process can rebuild too.
 *
 * @example Handing a counter to a Worker
 * ```ts
 * import { Counter, type CounterHandle } from "@atomicx/atomicx";
 *
 * const requests = new Counter();
 * const handle: CounterHandle<"counter"> = requests.handle; // worker.postMessage(handle)
 * Counter.from(handle).inc(); // in the Worker: Counter.from(event.data).inc()
 * console.log(requests.sum()); // 1
 * ```
 */
export type CounterHandle<K extends "counter" | "floatCounter" = "counter" | "floatCounter"> =
  | {
    /** `"counter"` (`Counter`) or `"floatCounter"` (`FloatCounter`). */
    readonly kind: K;
    /** The engine's shared memory holding the stripes, or absent. */
    readonly memory?: WasmMemory;
    /** The SharedArrayBuffer holding the stripes, or absent. */
    readonly buffer?: SharedArrayBuffer;
    /** Offset of the first stripe. */
    readonly byteOffset: number;
    /** Absent (a counter of this process's memory). */
    readonly region?: undefined;
  }
  | {
    /** `"counter"` (`Counter`) or `"floatCounter"` (`FloatCounter`). */
    readonly kind: K;
    /** The region's name, as given to `SharedMemory.open`. */
    readonly region: string;
    /** The counter's name inside the region. */
    readonly slot: string;
    /** Absent (a counter of a region). */
    readonly byteOffset?: undefined;
    /** Absent, as `byteOffset`. */
    readonly memory?: undefined;
    /** Absent, as `byteOffset`. */
    readonly buffer?: undefined;
  };

/** This thread's stripe in memories that do not number threads (SharedArrayBuffers). */
const fallbackStripe = Math.floor(Math.random() * STRIPES);

/** The offset of this thread's stripe in a counter of `block`. */
function myStripe(block: Block): number {
  if (block.stripe !== undefined) return (block.stripe % STRIPES) * STRIDE;
  const memory = block.memory;
  if (memory === undefined) return fallbackStripe * STRIDE;
  const number = spaceOf(memory).threadNumber(); // undefined in a memory of the user's
  const stripe = number === undefined ? fallbackStripe : (number - 1) % STRIPES;
  return stripe * STRIDE;
}

/** The checked block of a counter `handle` of `kind`. */
function counterBlock(
  kind: "counter" | "floatCounter",
  className: string,
  handle: unknown,
): Block {
  return blockFromHandle(`${className}.from`, kind, handle, {
    bytes: BYTES,
    align: 8,
    length: STRIPES,
  });
}

/** `block` if atomicx made it and it holds a counter's stripes; `TypeError` otherwise. */
function checkBlock(block: unknown): Block {
  const checked = vouched<Block>(block, "a counter block");
  if (!(checked.bytes >= BYTES)) throw new TypeError("atomicx: a block too small for a counter");
  return checked;
}

/** The handle of `block`, after marking it as never to be reused (another thread may use it). */
function shareBlock<K extends "counter" | "floatCounter">(kind: K, block: Block): CounterHandle<K> {
  if (block.memory !== undefined) spaceOf(block.memory).retain(block.byteOffset);
  return handleFor(kind, block, 0);
}

/**
 * A counter of safe integers that many threads can add to at once without slowing each other
 * down (Java's `LongAdder`): each thread adds to its own stripe, and `sum()` adds the stripes.
 * `sum()` is exact when no add runs at the same time; `sumThenReset()` never loses an add.
 * Each stripe holds a safe integer: an add that would take this thread's stripe beyond ±(2^53−1)
 * throws `RangeError` and changes nothing.
 *
 * @example Counting requests from every Worker
 * ```ts
 * import { Counter } from "@atomicx/atomicx";
 *
 * const requests = new Counter();
 * requests.inc();
 * requests.add(41);
 * console.log(requests.sum()); // 42
 * console.log(requests.sumThenReset(), requests.sum()); // 42 0
 * ```
 */
export class Counter {
  readonly #ops: IntOps;
  readonly #base: number;
  readonly #mine: number;
  readonly #block: Block;
  #handle: CounterHandle<"counter"> | undefined;

  /** A new counter at 0 in this process's shared memory. */
  constructor();
  constructor(block?: unknown) {
    const fresh = block === undefined;
    const b = checkBlock(fresh ? newBlock(BYTES, STRIDE) : block);
    this.#block = b;
    this.#ops = b.space.int;
    this.#base = b.base;
    this.#mine = b.base + myStripe(b);
    if (fresh) b.home?.track(this, b.byteOffset, BYTES);
  }

  /**
   * The counter a handle describes, e.g. one received from another Worker.
   *
   * @example Same counter, two objects
   * ```ts
   * import { Counter } from "@atomicx/atomicx";
   *
   * const c = new Counter();
   * Counter.from(c.handle).add(5); // in a Worker: Counter.from(event.data)
   * console.log(c.sum()); // 5
   * ```
   * @throws {TypeError} if `handle` is not a `counter` handle
   * @throws {RangeError} if its offset is misaligned or its stripes lie outside its memory
   */
  static from(handle: CounterHandle<"counter">): Counter {
    return construct(Counter, [], counterBlock("counter", "Counter", handle));
  }

  /**
   * Where this counter lives: plain data to `postMessage` to a Worker. (Once taken, the counter's
   * memory stays reserved for the life of the process's shared memory.)
   */
  get handle(): CounterHandle<"counter"> {
    return this.#handle ??= shareBlock("counter", this.#block);
  }

  /**
   * Adds `n` (default 1), a safe integer.
   *
   * @throws {TypeError} / {RangeError} if `n` is not a safe integer
   * @throws {RangeError} if this thread's stripe would leave ±(2^53−1) (nothing changes)
   */
  add(n: number = 1): void {
    if (!Number.isSafeInteger(n)) throw notSafeInteger("Counter.add", n);
    const previous = this.#ops.add(this.#mine, n);
    if (previous !== previous) throw stripeOverflow("Counter.add", n);
  }

  /** Adds 1. */
  inc(): void {
    const previous = this.#ops.add(this.#mine, 1);
    if (previous !== previous) throw stripeOverflow("Counter.inc", 1);
  }

  /** Subtracts 1. */
  dec(): void {
    const previous = this.#ops.sub(this.#mine, 1);
    if (previous !== previous) throw stripeOverflow("Counter.dec", -1);
  }

  /**
   * The total of every stripe, read one after the other: exact when no add runs meanwhile.
   *
   * @throws {RangeError} if the exact total is not a safe integer
   */
  sum(): number {
    let total = 0n;
    for (let s = 0; s < STRIPES; s++) total += BigInt(this.#ops.load(this.#base + s * STRIDE));
    return safeTotal("Counter.sum", total);
  }

  /** Sets every stripe to 0 (adds running meanwhile may land before or after). */
  reset(): void {
    for (let s = 0; s < STRIPES; s++) this.#ops.store(this.#base + s * STRIDE, 0);
  }

  /**
   * Swaps each stripe with 0 and returns the total of what they held: every add lands either in
   * this total or in the counter afterwards, none is lost.
   *
   * @throws {RangeError} if that total is not a safe integer (the amounts are added back first)
   */
  sumThenReset(): number {
    const taken: number[] = [];
    let total = 0n;
    for (let s = 0; s < STRIPES; s++) {
      const value = this.#ops.swap(this.#base + s * STRIDE, 0);
      taken.push(value);
      total += BigInt(value);
    }
    if (total > MAX || total < -MAX) {
      for (let s = 0; s < STRIPES; s++) this.#ops.add(this.#base + s * STRIDE, taken[s]);
    }
    return safeTotal("Counter.sumThenReset", total);
  }

  /** The total, for `JSON.stringify`. */
  toJSON(): number {
    return this.sum();
  }

  /** The total, so that `+counter` reads it. */
  valueOf(): number {
    return this.sum();
  }

  /** `"Counter"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "Counter";
  }
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

function safeTotal(where: string, total: bigint): number {
  if (total > MAX || total < -MAX) {
    throw new RangeError(`${where}: the total ${total} is not a safe integer`);
  }
  return Number(total);
}

function stripeOverflow(where: string, n: number): RangeError {
  return new RangeError(
    `${where}: adding ${n} would take this thread's stripe beyond ±(2^53−1); nothing was added`,
  );
}

/**
 * A counter of binary64 sums that many threads can add to at once (Java's `DoubleAdder`): each
 * thread adds to its own stripe, and `sum()` adds the stripes. Exact for integer-valued adds while
 * the stripes stay within ±2^53; otherwise as exact as floating-point addition in some order.
 *
 * @example Seconds spent, from every Worker
 * ```ts
 * import { FloatCounter } from "@atomicx/atomicx";
 *
 * const seconds = new FloatCounter();
 * seconds.add(0.25);
 * seconds.add(0.5);
 * console.log(seconds.sum()); // 0.75
 * ```
 */
export class FloatCounter {
  readonly #ops: FloatOps;
  readonly #base: number;
  readonly #mine: number;
  readonly #block: Block;
  #handle: CounterHandle<"floatCounter"> | undefined;

  /** A new counter at 0 in this process's shared memory. */
  constructor();
  constructor(block?: unknown) {
    const fresh = block === undefined;
    const b = checkBlock(fresh ? newBlock(BYTES, STRIDE) : block);
    this.#block = b;
    this.#ops = b.space.float;
    this.#base = b.base;
    this.#mine = b.base + myStripe(b);
    if (fresh) b.home?.track(this, b.byteOffset, BYTES);
  }

  /**
   * The counter a handle describes, e.g. one received from another Worker.
   *
   * @example Same counter, two objects
   * ```ts
   * import { FloatCounter } from "@atomicx/atomicx";
   *
   * const c = new FloatCounter();
   * FloatCounter.from(c.handle).add(1.5);
   * console.log(c.sum()); // 1.5
   * ```
   * @throws {TypeError} if `handle` is not a `floatCounter` handle
   * @throws {RangeError} if its offset is misaligned or its stripes lie outside its memory
   */
  static from(handle: CounterHandle<"floatCounter">): FloatCounter {
    const block = counterBlock("floatCounter", "FloatCounter", handle);
    return construct(FloatCounter, [], block);
  }

  /** Where this counter lives: plain data to `postMessage` to a Worker. */
  get handle(): CounterHandle<"floatCounter"> {
    return this.#handle ??= shareBlock("floatCounter", this.#block);
  }

  /**
   * Adds `x` (default 1).
   *
   * @throws {TypeError} if `x` is not a number
   */
  add(x: number = 1): void {
    if (typeof x !== "number") throw wrongType("FloatCounter.add", "number", x);
    this.#ops.add(this.#mine, x);
  }

  /** The total of every stripe, read one after the other: exact when no add runs meanwhile. */
  sum(): number {
    let total = 0;
    for (let s = 0; s < STRIPES; s++) total += this.#ops.load(this.#base + s * STRIDE);
    return total;
  }

  /** Sets every stripe to 0 (adds running meanwhile may land before or after). */
  reset(): void {
    for (let s = 0; s < STRIPES; s++) this.#ops.store(this.#base + s * STRIDE, 0);
  }

  /**
   * Swaps each stripe with 0 and returns the total of what they held: every add lands either in
   * this total or in the counter afterwards, none is lost.
   */
  sumThenReset(): number {
    let total = 0;
    for (let s = 0; s < STRIPES; s++) total += this.#ops.swap(this.#base + s * STRIDE, 0);
    return total;
  }

  /** The total, for `JSON.stringify`. */
  toJSON(): number {
    return this.sum();
  }

  /** The total, so that `+counter` reads it. */
  valueOf(): number {
    return this.sum();
  }

  /** `"FloatCounter"`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return "FloatCounter";
  }
}
