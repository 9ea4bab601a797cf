/**
 * The 32-bit words every lock protocol runs on, in two places: in-process memory (JavaScript
 * `Atomics` on an `Int32Array` over the engine's shared memory — the WebAssembly memory the atomics
 * live in, or a `SharedArrayBuffer` under the native engine — so `Atomics.wait`/`notify` are the
 * engine's waits) and a shared-memory region (native calls on the mapped address, futex waits). The protocols in this folder are written once against
 * {@link Words}.
 *
 * @module
 */

import { loadNative } from "../../ffi/mod.ts";
import { waitAsyncOn, type WaitResult, waitResult } from "../wait.ts";
import { regionClosed, type RegionLink } from "../_link.ts";
import { describe } from "../_errors.ts";
import { regionHook } from "../_region_hook.ts";
import { atomicsWaitAsync } from "../../engine/_webassembly.ts";
import { processIdentity, threadToken } from "./_owner.ts";
import { type Block, newBlock, placeBlock } from "../handle.ts";
import type { WasmMemory } from "../../engine/_webassembly.ts";

/** The contended bit of a mutex's word 0 (docs/locks.md). */
export const MUTEX_CONTENDED = 0x4000_0000;

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
 * with `X.from(handle)`.
 *
 * @example
 * ```ts
 * import { Mutex, type LockHandle } from "@atomicx/atomicx";
 *
 * const handle: LockHandle = new Mutex().handle; // postMessage(handle) to a Worker
 * const same = Mutex.from(handle);
 * ```
 */
export type LockHandle =
  | { readonly kind: LockKind; readonly memory: WasmMemory; readonly byteOffset: number }
  | { readonly kind: LockKind; readonly buffer: SharedArrayBuffer; readonly byteOffset: number }
  | { readonly kind: LockKind; readonly region: string; readonly slot: string };

/** Words of a primitive; `i` is a word index (0-based) within the primitive. */
export interface Words {
  /** True in a shared-memory region (owners are processes, which may die). */
  readonly inRegion: boolean;
  /** The primitive's handle. */
  readonly handle: LockHandle;
  /** Longest single sleep (regions wake regularly to see closes, aborts and dead owners). */
  readonly sliceMs: number;
  load(i: number): number;
  store(i: number, value: number): void;
  compareExchange(i: number, expected: number, replacement: number): number;
  add(i: number, delta: number): number;
  exchange(i: number, value: number): number;
  /** Sleeps while word `i` holds `expected`, at most `timeoutMs`. */
  wait(i: number, expected: number, timeoutMs: number): WaitResult;
  /** As `wait`, without blocking. */
  waitAsync(i: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  /** Wakes up to `count` waiters on word `i`. */
  notify(i: number, count: number): number;
  /**
   * Takes the mutex at words 0–3 (docs/locks.md) for `owner` if it is unlocked; in a region also
   * names this thread and process in words 1–3. Returns the previous word 0 (0: taken).
   */
  mutexEnter(owner: number): number;
  /** Releases the mutex at words 0–3 (clearing words 1–3); wakes one sleeper if it was contended. */
  mutexLeave(): void;
}

/** Words of each primitive (each gets its own 64-byte line so neighbours do not share one). */
export const WORDS_PER_PRIMITIVE = 16;

/** Bytes of a primitive's words. */
const BYTES = WORDS_PER_PRIMITIVE * 4;

/** `Atomics` on an `Int32Array` over a block of the engine's memory. */
export class LocalWords implements Words {
  readonly inRegion = false;
  readonly sliceMs = Infinity;
  readonly a: Int32Array;
  readonly #kind: LockKind;
  readonly #block: Block;
  #handle: LockHandle | undefined;

  constructor(kind: LockKind, block: Block) {
    const buffer = block.memory !== undefined ? block.memory.buffer : block.buffer!;
    this.a = new Int32Array(buffer, block.byteOffset, WORDS_PER_PRIMITIVE);
    this.#kind = kind;
    this.#block = block;
    // A block this thread just allocated goes back to its engine once these words are collected,
    // unless their handle was taken (then another thread may still use them).
    block.home?.track(this, block.byteOffset, BYTES);
  }

  get handle(): LockHandle {
    if (this.#handle !== undefined) return this.#handle;
    const { memory, buffer, byteOffset, home } = this.#block;
    home?.retain(byteOffset);
    const kind = this.#kind;
    return this.#handle = memory !== undefined
      ? Object.freeze({ kind, memory, byteOffset })
      : Object.freeze({ kind, buffer: buffer!, byteOffset });
  }
  load(i: number): number {
    return Atomics.load(this.a, i);
  }
  store(i: number, value: number): void {
    Atomics.store(this.a, i, value);
  }
  compareExchange(i: number, expected: number, replacement: number): number {
    return Atomics.compareExchange(this.a, i, expected, replacement);
  }
  add(i: number, delta: number): number {
    return Atomics.add(this.a, i, delta);
  }
  exchange(i: number, value: number): number {
    return Atomics.exchange(this.a, i, value);
  }
  wait(i: number, expected: number, timeoutMs: number): WaitResult {
    return Atomics.wait(this.a, i, expected, timeoutMs);
  }
  waitAsync(i: number, expected: number, timeoutMs: number): Promise<WaitResult> {
    const r = atomicsWaitAsync(this.a, i, expected, timeoutMs);
    if (!r.async) return Promise.resolve(r.value as WaitResult);
    if (timeoutMs === Infinity) return r.value as Promise<WaitResult>; // keeps no process alive by itself
    // A pending `Atomics.waitAsync` does not keep the event loop alive on every runtime; a wait
    // with a timeout must still end, so a timer holds the loop open until shortly after then
    // (later than the wait's own timeout, so that a timed-out waiter has left the queue and
    // cannot take a notify meant for another).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<WaitResult>((resolve) => {
      timer = setTimeout(() => resolve("timed-out"), timeoutMs + 50);
    });
    return Promise.race([r.value as Promise<WaitResult>, timedOut]).finally(() =>
      clearTimeout(timer)
    );
  }
  mutexEnter(owner: number): number {
    return Atomics.compareExchange(this.a, 0, 0, owner);
  }
  mutexLeave(): void {
    if ((Atomics.exchange(this.a, 0, 0) & MUTEX_CONTENDED) !== 0) this.notify(0, 1);
  }
  notify(i: number, count: number): number {
    const woken = Atomics.notify(this.a, i, count === Infinity ? undefined : count);
    // Deno settles a woken `Atomics.waitAsync` of this thread in a task its event loop does not
    // wait for: with nothing else pending it would exit first. One empty timer keeps it a turn.
    if (woken > 0 && isDeno) setTimeout(noop, 0);
    return woken;
  }
}

const isDeno = "Deno" in globalThis;
const noop = () => {};

/** Native calls on a region's mapped words. */
export class RegionWords implements Words {
  readonly inRegion = true;
  readonly sliceMs = 100;
  readonly handle: LockHandle;
  readonly #base: number;
  readonly #link: RegionLink;

  constructor(kind: LockKind, base: number, link: RegionLink, slot: string) {
    this.#base = base;
    this.#link = link;
    this.handle = Object.freeze({ kind, region: link.name, slot });
  }
  #at(i: number, where = "lock"): number {
    if (this.#link.closed) throw regionClosed(where, this.#link);
    return this.#base + 4 * i;
  }
  load(i: number): number {
    return loadNative().atomicx_word_load(this.#at(i));
  }
  store(i: number, value: number): void {
    loadNative().atomicx_word_store(this.#at(i), value);
  }
  compareExchange(i: number, expected: number, replacement: number): number {
    return loadNative().atomicx_word_compare_exchange(this.#at(i), expected, replacement);
  }
  add(i: number, delta: number): number {
    return loadNative().atomicx_word_add(this.#at(i), delta);
  }
  exchange(i: number, value: number): number {
    return loadNative().atomicx_word_exchange(this.#at(i), value);
  }
  wait(i: number, expected: number, timeoutMs: number): WaitResult {
    const code = loadNative().atomicx_word_wait(
      this.#at(i),
      expected,
      timeoutMs,
      this.#link.pointer,
      0,
    );
    return waitResult("lock wait", code, this.#link);
  }
  waitAsync(i: number, expected: number, timeoutMs: number): Promise<WaitResult> {
    return waitAsyncOn("lock wait", "word", this.#at(i), expected, timeoutMs, this.#link);
  }
  notify(i: number, count: number): number {
    return loadNative().atomicx_wake(this.#at(i), count);
  }
  mutexEnter(owner: number): number {
    const id = processIdentity();
    return loadNative().atomicx_mutex_enter(
      this.#at(0),
      owner,
      threadToken,
      id.startLow,
      id.startHigh,
    );
  }
  mutexLeave(): void {
    loadNative().atomicx_mutex_leave(this.#at(0));
  }
}

/** The words a handle names, after checking it; `TypeError`/`RangeError` for a bad one. */
export function wordsFromHandle(where: string, kind: LockKind, handle: unknown): Words {
  if (typeof handle !== "object" || handle === null) {
    throw new TypeError(`${where}: expected a ${kind} handle, got ${describe(handle)}`);
  }
  const h = handle as Record<string, unknown>;
  if (h.kind !== kind) {
    throw new TypeError(`${where}: the handle is of kind ${describe(h.kind)}, not "${kind}"`);
  }
  if (h.memory !== undefined || h.buffer !== undefined) {
    // The same checks as an atomic's handle: a genuine shared memory, the words inside it.
    return new LocalWords(kind, placeBlock(where, h, { bytes: BYTES, align: 4 }));
  }
  if (typeof h.region === "string" && typeof h.slot === "string") {
    return regionHook(where).words(where, kind, h);
  }
  throw new TypeError(
    `${where}: a handle has a memory (or buffer) and byteOffset, or a region and slot name`,
  );
}

/** Fresh in-process words for a new primitive. */
export function newWords(kind: LockKind): Words {
  // Zeroed (the unlocked state), and a line of its own (64 bytes, 64-aligned) in the engine's memory.
  return new LocalWords(kind, newBlock(BYTES, BYTES));
}
