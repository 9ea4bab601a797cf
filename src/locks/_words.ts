/**
 * The 32-bit words every lock protocol runs on, behind one interface ({@link Words}) with two
 * implementations: in-process words here ({@link LocalWords}: JavaScript `Atomics` on an
 * `Int32Array` over the engine's shared memory — the WebAssembly memory the atomics live in, or a
 * `SharedArrayBuffer` under the native engine) and region words (`src/_region_words.ts`, native
 * calls on a mapped region, reached only through `SharedMemory`, so this folder imports no FFI and
 * runs in a browser). Who holds a word is a rule of the storage, not of each primitive: in-process
 * the holder is a thread token; in a region word 0 names the process and words 1–3 the thread and
 * the process start time, so a dead holder can be told from a live one.
 *
 * Word 15 of every primitive counts abandoned asynchronous waiters (an `Atomics.waitAsync` cannot
 * be withdrawn): every `notify` wakes that many more, so a wakeup taken by a dead waiter still
 * reaches a live one (see docs/locks.md).
 *
 * @module
 */

import { atomicsWaitAsync } from "../../engine/_webassembly.ts";
import { threadToken } from "./_owner.ts";
import { handleFor, type LockHandle, type LockKind } from "../handle.ts";
import { type Block, newBlock } from "../_storage.ts";
import { vouch, vouched } from "../_brands.ts";
import type { HolderTable } from "./_holders.ts";
import type { WaitResult } from "../../engine/_ops.ts";

/** The contended bit of a mutex's word 0 (docs/locks.md). */
export const MUTEX_CONTENDED = 0x4000_0000;

/** The word counting abandoned asynchronous waiters. */
export const ABANDONED = 15;

/** Words of a primitive; `i` is a word index (0-based) within the primitive. */
export interface Words {
  /** The primitive's handle. */
  readonly handle: LockHandle;
  /** Where the words are, for per-thread bookkeeping: a memory, buffer or region name, and offset. */
  readonly place: object | string;
  readonly offset: number | string;
  /** Longest single sleep (regions wake regularly to see closes, aborts and dead owners). */
  readonly sliceMs: number;
  /** The id this thread writes into a state word to hold it (its token; in a region, the pid). */
  readonly me: number;
  load(i: number): number;
  store(i: number, value: number): void;
  compareExchange(i: number, expected: number, replacement: number): number;
  add(i: number, delta: number): number;
  exchange(i: number, value: number): number;
  /** Sleeps while word `i` holds `expected`, at most `timeoutMs`. */
  wait(i: number, expected: number, timeoutMs: number): WaitResult;
  /** As `wait`, without blocking. */
  waitAsync(i: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  /** Wakes up to `count` waiters on word `i` (plus as many as were abandoned). */
  notify(i: number, count: number): number;
  /**
   * An asynchronous sleep on word `i` given up (abort): counted as abandoned until it settles, and
   * a wakeup it took then is passed on to another waiter.
   */
  abandon(i: number, sleeping: Promise<WaitResult>): void;
  /** Takes the mutex at words 0–3 for this thread if unlocked; returns the previous word 0 (0: taken). */
  mutexEnter(): number;
  /** Releases the mutex at words 0–3; wakes one sleeper if it was contended. */
  mutexLeave(): void;
  /** Names this thread as the holder of word 0, just taken (in a region: words 1–3). */
  claim(): void;
  /** Forgets the holder named for word 0 (before word 0 is released). */
  unclaim(): void;
  /** True if word 0, holding `state` (an owner id, maybe with flag bits), is held by this thread. */
  heldHere(state: number): boolean;
  /**
   * If the holder named by word 0 (holding `state`) has died, replaces word 0 with `next` and
   * returns true. Never true in-process: a thread cannot see another's end.
   */
  takeOverDead(state: number, next: number): boolean;
  /**
   * The holder table of a region semaphore, rwlock or barrier (`_holders.ts`), so that a dead
   * holder's permits, read holds or arrival are seen; `undefined` in-process.
   */
  readonly holders: HolderTable<Words> | undefined;
}

/** Words of each primitive (each gets its own 64-byte line so neighbours do not share one). */
export const WORDS_PER_PRIMITIVE = 16;

/** Bytes of a primitive's words. */
export const LOCK_BYTES = WORDS_PER_PRIMITIVE * 4;

/** `Atomics` on an `Int32Array` over a block of the engine's memory; owners are thread tokens. */
export class LocalWords implements Words {
  readonly sliceMs = Infinity;
  readonly me = threadToken;
  readonly holders = undefined;
  readonly a: Int32Array;
  readonly place: object;
  readonly offset: number;
  readonly #kind: LockKind;
  readonly #block: Block;
  #handle: LockHandle | undefined;

  constructor(kind: LockKind, block: Block) {
    const buffer = block.memory !== undefined ? block.memory.buffer : block.buffer!;
    this.a = new Int32Array(buffer, block.byteOffset, WORDS_PER_PRIMITIVE);
    this.place = block.memory ?? block.buffer!;
    this.offset = block.byteOffset;
    this.#kind = kind;
    this.#block = block;
    // A block this thread just allocated goes back to its engine once these words are collected,
    // unless their handle was taken (then another thread may still use them).
    block.home?.track(this, block.byteOffset, LOCK_BYTES);
    vouch(this); // primitives are built on no other words (see givenWords)
  }

  get handle(): LockHandle {
    if (this.#handle !== undefined) return this.#handle;
    this.#block.home?.retain(this.#block.byteOffset);
    return this.#handle = handleFor<LockHandle>(this.#kind, this.#block, 0);
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
    // The wait loop (`_wait.ts`) holds the event loop open until its deadline, and no longer.
    return r.async ? r.value as Promise<WaitResult> : Promise.resolve(r.value as WaitResult);
  }
  abandon(i: number, sleeping: Promise<WaitResult>): void {
    passOn(this, i, sleeping);
  }
  mutexEnter(): number {
    return Atomics.compareExchange(this.a, 0, 0, threadToken);
  }
  mutexLeave(): void {
    if ((Atomics.exchange(this.a, 0, 0) & MUTEX_CONTENDED) !== 0) this.notify(0, 1);
  }
  claim(): void {}
  unclaim(): void {}
  heldHere(state: number): boolean {
    return (state & ~MUTEX_CONTENDED) === threadToken;
  }
  takeOverDead(): boolean {
    return false;
  }
  notify(i: number, count: number): number {
    const a = this.a;
    const woken = Atomics.notify(
      a,
      i,
      count === Infinity ? undefined : count + Atomics.load(a, ABANDONED),
    );
    // Deno settles a woken `Atomics.waitAsync` of this thread in a task its event loop does not
    // wait for: with nothing else pending it would exit first. One empty timer keeps it a turn.
    if (woken > 0 && isDeno) setTimeout(noop, 0);
    return woken;
  }
}

/**
 * Counts an abandoned sleep in word {@link ABANDONED} until it settles; if it took a wakeup
 * ("ok"), wakes one more waiter in its place.
 */
export function passOn(words: Words, i: number, sleeping: Promise<WaitResult>): void {
  words.add(ABANDONED, 1);
  const settled = (result: WaitResult | undefined) => {
    try {
      words.add(ABANDONED, -1);
      if (result === "ok") words.notify(i, 1);
    } catch {
      // A region closed meanwhile: its words are gone, and nobody waits on them here any more.
    }
  };
  sleeping.then(settled, () => settled(undefined));
}

const isDeno = "Deno" in globalThis;
const noop = () => {};

/**
 * For a constructor: the words it was handed to build on (by `construct`), after checking atomicx
 * made them; `undefined` when it was handed none (it then makes new ones).
 */
export function givenWords(words: unknown): Words | undefined {
  return words === undefined ? undefined : vouched<Words>(words, "lock words");
}

/** Fresh in-process words for a new primitive. */
export function newWords(kind: LockKind): Words {
  // Zeroed (the unlocked state), and a line of its own (64 bytes, 64-aligned) in the engine's memory.
  return new LocalWords(kind, newBlock(LOCK_BYTES, LOCK_BYTES));
}
