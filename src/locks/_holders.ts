/**
 * The holder table of a region `Semaphore`, `RwLock` or `Barrier`: who holds permits, read holds
 * or a barrier arrival, so that what a dead holder held can be given back (or its round broken).
 * It follows the primitive's own 128-byte slot in the region ({@link HOLDERS} entries of five
 * words: pid, tid, thread start low and high, count). In-process primitives have none: a thread
 * cannot see another's end.
 *
 * Entry protocol: the tid word is the claim (compare-exchange 0 → tid; {@link REAPING} while a
 * waiter gives a dead holder's entry back); the claimer then names its process and start time,
 * and only its own thread changes its count. A waiter whose sleep ran out its slice calls
 * {@link HolderTable.reap}: an entry whose thread (or process) ended is cleared and its count
 * handed to the primitive. A holder dying between taking and recording (or forgetting and giving
 * back) leaves that one hold taken: the order never gives back more than was held. So the entry is
 * made ready before a take ({@link HolderTable.reserve}) and freed after a give-back
 * ({@link HolderTable.tidy}): one word operation separates a take from its record, and a count
 * from its give-back, not the five of a claim or a free.
 *
 * Finding this thread's entry: {@link HolderTable.add} and {@link HolderTable.remove} keep it in a
 * per-thread map on `globalThis` (by region and slot, so every object and library copy of the
 * thread shares it), checked against the entry's words before use. `add` trusts the map when it
 * names no entry and claims one at once (through the FFI, reading all 32 entries first cost more
 * than the rest of an acquire). This thread may then have a second entry — claimed by a copy that
 * keeps no map, or in a region that had this name before (still open here, another file now) —
 * which only splits its count: `remove` takes from the mapped entry and, while it still has less
 * than asked, from every other entry of this thread, because forgetting too little would give
 * permits back twice when the thread ends.
 *
 * @module
 */

/** Entries of a holder table. */
export const HOLDERS = 32;

/** Word index of the table: the slot after the primitive's own 128-byte slot. */
const BASE = 32;
const SIZE = 5;
const PID = 0;
const TID = 1;
const LOW = 2;
const HIGH = 3;
const COUNT = 4;
/** The tid word of an entry being given back. */
const REAPING = -1;

/** A thread as the region names it: process id, thread id and the thread's start time. */
export interface ThreadName {
  readonly pid: number;
  readonly tid: number;
  readonly startLow: number;
  readonly startHigh: number;
}

/** The words a table lives in (a primitive's region words). */
interface TableWords {
  /** The region's name and the primitive's slot: the key of this thread's entry. */
  readonly place: object | string;
  readonly offset: number | string;
  load(i: number): number;
  store(i: number, value: number): void;
  compareExchange(i: number, expected: number, replacement: number): number;
  add(i: number, delta: number): number;
  exchange(i: number, value: number): number;
}

const ENTRIES = Symbol.for("atomicx.locks.holderEntries");
/** This thread's entry in each table it holds in, by `place` and `offset` (see the module notes). */
const entries: Map<string, number> =
  ((globalThis as unknown as Record<symbol, Map<string, number> | undefined>)[ENTRIES] ??=
    new Map());

/**
 * See the module documentation. `W` is the primitive's words, which a primitive's `sweep` (its
 * give-back of the entries of threads that ended, through {@link HolderTable.reap}) is called with.
 */
export class HolderTable<W extends TableWords = TableWords> {
  readonly #w: W;
  readonly #me: () => ThreadName;
  readonly #alive: (pid: number, tid: number, startLow: number, startHigh: number) => boolean;
  /** The key of this thread's entry in {@link entries}. */
  readonly #key: string;

  constructor(
    words: W,
    me: () => ThreadName,
    alive: (pid: number, tid: number, startLow: number, startHigh: number) => boolean,
  ) {
    this.#w = words;
    this.#me = me;
    this.#alive = alive;
    this.#key = `${String(words.place)}\0${String(words.offset)}`;
  }

  #at(entry: number, field: number): number {
    return BASE + entry * SIZE + field;
  }

  /** Whether `entry` is this thread's. */
  #isMine(entry: number, me: ThreadName): boolean {
    const w = this.#w;
    return w.load(this.#at(entry, TID)) === me.tid && w.load(this.#at(entry, PID)) === me.pid;
  }

  /**
   * This thread's entry, or -1: the mapped one if it is still this thread's; else, with `look`
   * or a mapped entry gone stale (another copy freed it), the first of the table that is.
   */
  #find(me: ThreadName, look: boolean): number {
    const mapped = entries.get(this.#key);
    if (mapped !== undefined) {
      if (this.#isMine(mapped, me)) return mapped;
      entries.delete(this.#key);
    } else if (!look) {
      return -1;
    }
    for (let e = 0; e < HOLDERS; e++) {
      if (this.#isMine(e, me)) {
        entries.set(this.#key, e);
        return e;
      }
    }
    return -1;
  }

  /**
   * Claims a free entry for this thread (count 0), or -1 if all are taken — after `sweep` gave
   * back the entries of threads that ended: nothing else does while nobody waits, and a table full
   * of them would refuse every acquisition for good.
   */
  claim(sweep: (words: W) => void): number {
    const e = this.#claimFree();
    if (e >= 0) return e;
    sweep(this.#w);
    return this.#claimFree();
  }

  #claimFree(): number {
    const w = this.#w;
    const me = this.#me();
    for (let e = 0; e < HOLDERS; e++) {
      if (w.compareExchange(this.#at(e, TID), 0, me.tid) !== 0) continue;
      w.store(this.#at(e, COUNT), 0);
      w.store(this.#at(e, LOW), me.startLow);
      w.store(this.#at(e, HIGH), me.startHigh);
      w.store(this.#at(e, PID), me.pid);
      return e;
    }
    return -1;
  }

  /** Frees `entry` (this thread's). */
  free(entry: number): void {
    const w = this.#w;
    // The process first (a reaper skips an entry naming none: "mid-claim"), the claim last, and
    // as few stores as possible between: a thread killed in between leaves the entry to nobody.
    // The start time needs no clearing: a claim writes it before it names its process.
    w.store(this.#at(entry, PID), 0);
    w.store(this.#at(entry, COUNT), 0);
    w.store(this.#at(entry, TID), 0);
  }

  /** Sets the count of `entry` (this thread's). */
  set(entry: number, count: number): void {
    this.#w.store(this.#at(entry, COUNT), count);
  }

  /** This thread's entry, claimed now (count 0, see {@link claim}) if it has none; or -1. */
  reserve(sweep: (words: W) => void): number {
    const e = this.#find(this.#me(), false);
    if (e >= 0) return e;
    const claimed = this.claim(sweep);
    if (claimed >= 0) entries.set(this.#key, claimed);
    return claimed;
  }

  /** Adds `n` to `entry`, this thread's from {@link reserve}. */
  addTo(entry: number, n: number): void {
    this.#w.add(this.#at(entry, COUNT), n);
  }

  /** Adds `n` to this thread's entry (claimed if it has none); false if the table is full. */
  add(n: number, sweep: (words: W) => void): boolean {
    const e = this.reserve(sweep);
    if (e < 0) return false;
    this.addTo(e, n);
    return true;
  }

  /** Frees this thread's entry if it counts nothing (a reserved entry left unused, or emptied). */
  tidy(): void {
    const e = entries.get(this.#key);
    if (e === undefined) return;
    if (!this.#isMine(e, this.#me())) {
      entries.delete(this.#key);
    } else if (this.#w.load(this.#at(e, COUNT)) === 0) {
      entries.delete(this.#key);
      this.free(e);
    }
  }

  /**
   * Takes up to `n` off this thread's entries; how many it took. An entry is freed at 0, except
   * the mapped one when `free` is false: the caller gives the holds back, then calls `tidy`.
   */
  remove(n: number, free = true): number {
    const me = this.#me();
    const e = this.#find(me, true);
    if (e < 0) return 0;
    let taken = this.#takeFrom(e, n, free);
    // Less than asked: the count may be split over a second entry (see the module notes).
    for (let other = 0; other < HOLDERS && taken < n; other++) {
      if (other !== e && this.#isMine(other, me)) taken += this.#takeFrom(other, n - taken, true);
    }
    return taken;
  }

  /** Takes up to `n` off `entry` (this thread's; at 0 freed and unmapped if `free`). */
  #takeFrom(entry: number, n: number, free: boolean): number {
    const count = this.#w.load(this.#at(entry, COUNT));
    if (count > n) {
      this.#w.add(this.#at(entry, COUNT), -n);
      return n;
    }
    if (!free) {
      if (count > 0) this.#w.add(this.#at(entry, COUNT), -count);
      return count > 0 ? count : 0;
    }
    if (entries.get(this.#key) === entry) entries.delete(this.#key);
    this.free(entry);
    return Math.max(0, count); // a count below 0 was written by another program: nothing taken
  }

  /**
   * Gives back every entry whose thread ended: clears it and calls `gone(count)` with what it
   * held. Returns how many entries it gave back.
   */
  reap(gone: (count: number) => void): number {
    const w = this.#w;
    let reaped = 0;
    for (let e = 0; e < HOLDERS; e++) {
      const tid = w.load(this.#at(e, TID));
      if (tid === 0 || tid === REAPING) continue;
      const pid = w.load(this.#at(e, PID));
      const low = w.load(this.#at(e, LOW));
      const high = w.load(this.#at(e, HIGH));
      // Freed and claimed again while being read: skip. An entry naming no process (mid-claim or
      // mid-free) is judged by its thread alone (`alive` with pid 0): one whose thread ended there
      // would otherwise stay taken for good.
      if (w.load(this.#at(e, TID)) !== tid || w.load(this.#at(e, PID)) !== pid) continue;
      if (this.#alive(pid, tid, low, high)) continue;
      if (w.compareExchange(this.#at(e, TID), tid, REAPING) !== tid) continue;
      const count = w.exchange(this.#at(e, COUNT), 0);
      w.store(this.#at(e, PID), 0);
      w.store(this.#at(e, LOW), 0);
      w.store(this.#at(e, HIGH), 0);
      w.store(this.#at(e, TID), 0);
      reaped++;
      gone(count);
    }
    return reaped;
  }
}
