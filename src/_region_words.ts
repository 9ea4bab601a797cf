/**
 * Lock words in a shared-memory region: the {@link Words} of `src/locks/` on the mapped words —
 * the built-in `Atomics` on this thread's view of the mapping where it has one
 * (src/_region_view.ts), native calls on the address elsewhere; waits and wakes are always native
 * (futexes that wake other processes) — with the region's owner rules. Word 0 of
 * a held primitive names the holding process (its pid); words 1–3 name the holding thread: its
 * thread id (the kernel's tid, the same for every copy of the library in that thread) and the
 * thread's start time. A waiter whose sleep ran out checks `/proc/<pid>/task/<tid>`: a holder whose
 * process died, or a Worker that ended in a live process, is taken over with one
 * compare-exchange (a reused pid or tid has another start time). Only `SharedMemory` builds
 * these, so the lock protocols themselves import no FFI.
 *
 * @module
 */

import { loadNative } from "../ffi/mod.ts";
import { os } from "../engine/_runtime.ts";
import { waitAsyncOn, type WaitResult, waitResult } from "./wait.ts";
import { regionClosed, type RegionLink } from "./_link.ts";
import { ID_MASK } from "./locks/_owner.ts";
import { ABANDONED, MUTEX_CONTENDED, passOn, type Words } from "./locks/_words.ts";
import { handleFor, type LockHandle, type LockKind } from "./handle.ts";
import { HolderTable, type ThreadName } from "./locks/_holders.ts";
import { vouch } from "./_brands.ts";

/** The kinds whose region entry has a holder table (native `slots_for`). */
const HELD: ReadonlySet<LockKind> = new Set(["semaphore", "rwlock", "barrier"]);

let named: ThreadName | undefined;

/** This thread as a holder table names it. */
function threadName(): ThreadName {
  if (named) return named;
  const t = threadIdentity();
  return named = { pid: processIdentity().pid, ...t };
}

const HOLDER = 1;
const START_LOW = 2;
const START_HIGH = 3;

let identity: { pid: number; startLow: number; startHigh: number } | undefined;

/** This process's pid and start time (low and high 32 bits of the clock ticks since boot). */
export function processIdentity(): { pid: number; startLow: number; startHigh: number } {
  if (identity) return identity;
  const out = new Float64Array(new SharedArrayBuffer(24));
  if (loadNative().atomicx_self_identity(loadNative().addressOf(out)) !== 0) {
    throw new Error("atomicx: locks in shared memory need /proc (Linux) to name their owners");
  }
  const start = out[1];
  // Small integers (`| 0`): the values are stored with `Atomics`, whose fast path takes no double.
  identity = {
    pid: out[0] | 0,
    startLow: start % 2 ** 32 | 0,
    startHigh: Math.floor(start / 2 ** 32) | 0,
  };
  return identity;
}

let thread: { tid: number; startLow: number; startHigh: number } | undefined;

/** This thread's id and start time (low and high 32 bits of the clock ticks since boot). */
function threadIdentity(): { tid: number; startLow: number; startHigh: number } {
  if (thread) return thread;
  const out = new Float64Array(new SharedArrayBuffer(24));
  if (loadNative().atomicx_thread_identity(loadNative().addressOf(out)) !== 0) {
    throw new Error("atomicx: locks in shared memory need /proc (Linux) to name their owners");
  }
  const start = out[1];
  thread = {
    tid: out[0] | 0,
    startLow: start % 2 ** 32 | 0,
    startHigh: Math.floor(start / 2 ** 32) | 0,
  };
  return thread;
}

/**
 * False if thread `tid` of process `pid` (started at `startLow`/`startHigh`) has ended; with no
 * thread named yet (`tid` 0: the holder is between taking word 0 and naming itself), whether the
 * process has.
 */
function ownerAlive(pid: number, tid: number, startLow: number, startHigh: number): boolean {
  const start = (startHigh >>> 0) * 2 ** 32 + (startLow >>> 0);
  if (tid === 0) return loadNative().atomicx_process_alive(pid, 0) === 1;
  return loadNative().atomicx_thread_alive(pid, tid, start) === 1;
}

/**
 * As {@link ownerAlive}, for a holder-table entry; one naming no process (its thread ended, or is
 * between claiming and naming itself or between clearing and freeing) is judged by its thread id
 * alone where the system can tell (Linux lists every thread as `/proc/<tid>`), and elsewhere is
 * taken as alive (the entry stays taken).
 */
function holderAlive(pid: number, tid: number, startLow: number, startHigh: number): boolean {
  if (pid !== 0) return ownerAlive(pid, tid, startLow, startHigh);
  return os !== "linux" || loadNative().atomicx_process_alive(tid, 0) === 1;
}

/** Native calls on a region's mapped words. */
export class RegionWords implements Words {
  readonly sliceMs = 100;
  readonly handle: LockHandle;
  readonly place: string;
  readonly offset: string;
  readonly me: number;
  readonly holders: HolderTable<Words> | undefined;
  readonly #base: number;
  readonly #link: RegionLink;
  /** The region's words as this thread's view has them (src/_region_view.ts), if it has one. */
  readonly #i32: Int32Array | undefined;
  /** Word 0's index in {@link RegionWords.#i32}. */
  readonly #index: number;

  constructor(kind: LockKind, base: number, link: RegionLink, slot: string) {
    this.#base = base;
    this.#link = link;
    this.#i32 = link.view?.i32;
    // `| 0`: a small-integer index (a difference of two addresses is a double), which the JIT
    // needs to inline `Atomics` on the view instead of calling the generic builtin.
    this.#index = link.view === undefined ? 0 : ((base - link.view.base) / 4) | 0;
    this.handle = handleFor<LockHandle>(kind, {
      memory: undefined,
      buffer: undefined,
      byteOffset: 0,
      region: {
        name: link.name,
        slot,
        ...(link.allowForeignOwner ? { allowForeignOwner: true as const } : {}),
      },
    }, 0);
    this.place = link.name;
    this.offset = slot;
    this.me = processIdentity().pid;
    this.holders = HELD.has(kind)
      ? new HolderTable<Words>(this, threadName, holderAlive)
      : undefined;
    vouch(this); // primitives are built on no other words (see givenWords)
  }
  #at(i: number, where = "lock"): number {
    if (this.#link.closed) throw regionClosed(where, this.#link);
    return this.#base + 4 * i;
  }
  /** The index of word `i` in the view, after checking the region is open. */
  #word(i: number): number {
    if (this.#link.closed) throw regionClosed("lock", this.#link);
    return this.#index + i;
  }
  load(i: number): number {
    if (this.#i32 !== undefined) return Atomics.load(this.#i32, this.#word(i));
    return loadNative().atomicx_word_load(this.#at(i));
  }
  store(i: number, value: number): void {
    if (this.#i32 !== undefined) Atomics.store(this.#i32, this.#word(i), value);
    else loadNative().atomicx_word_store(this.#at(i), value);
  }
  compareExchange(i: number, expected: number, replacement: number): number {
    if (this.#i32 !== undefined) {
      return Atomics.compareExchange(this.#i32, this.#word(i), expected, replacement);
    }
    return loadNative().atomicx_word_compare_exchange(this.#at(i), expected, replacement);
  }
  add(i: number, delta: number): number {
    if (this.#i32 !== undefined) return Atomics.add(this.#i32, this.#word(i), delta);
    return loadNative().atomicx_word_add(this.#at(i), delta);
  }
  exchange(i: number, value: number): number {
    if (this.#i32 !== undefined) return Atomics.exchange(this.#i32, this.#word(i), value);
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
  abandon(i: number, sleeping: Promise<WaitResult>): void {
    passOn(this, i, sleeping);
  }
  notify(i: number, count: number): number {
    const extra = count === Infinity ? 0 : this.load(ABANDONED);
    return loadNative().atomicx_wake(this.#at(i), count + extra);
  }
  // One native call each, on every runtime: the region protocol is eight atomic operations
  // (word 0 and the holder's three words, both ways), which as eight `Atomics` calls on the view
  // measured slower than two FFI calls everywhere (scripts/bench/region_ops.ts, BENCHMARKS.md).
  mutexEnter(): number {
    const t = threadIdentity();
    return loadNative().atomicx_mutex_enter(this.#at(0), this.me, t.tid, t.startLow, t.startHigh);
  }
  mutexLeave(): void {
    const previous = loadNative().atomicx_mutex_leave(this.#at(0));
    // The native leave wakes one; abandoned waiters may have queued ahead of the live ones.
    if ((previous & MUTEX_CONTENDED) !== 0) {
      const abandoned = this.load(ABANDONED);
      if (abandoned > 0) loadNative().atomicx_wake(this.#at(0), abandoned);
    }
  }
  claim(): void {
    const t = threadIdentity();
    this.store(HOLDER, t.tid);
    this.store(START_LOW, t.startLow);
    this.store(START_HIGH, t.startHigh);
  }
  unclaim(): void {
    this.store(START_LOW, 0);
    this.store(START_HIGH, 0);
    this.store(HOLDER, 0);
  }
  heldHere(state: number): boolean {
    return (state & ID_MASK) === this.me && this.load(HOLDER) === threadIdentity().tid;
  }
  takeOverDead(state: number, next: number): boolean {
    const tid = this.load(HOLDER);
    const low = this.load(START_LOW);
    const high = this.load(START_HIGH);
    // Word 0 and the thread read again: a holder that left meanwhile is not judged by its words.
    if (this.load(0) !== state || state === 0 || this.load(HOLDER) !== tid) return false;
    if (ownerAlive(state & ID_MASK, tid, low, high)) return false;
    // Clear the dead holder's thread first: words 1–3 are always 0 or the thread of the pid in
    // word 0, so no later check can compare a live holder with a dead one's thread.
    this.store(START_LOW, 0);
    this.store(START_HIGH, 0);
    this.store(HOLDER, 0);
    return this.compareExchange(0, state, next) === state;
  }
}
