/**
 * The primitives on given words, for `SharedMemory` (a region slot's words): the public
 * constructors take no words. Sizes are checked before `words()` is called, so a refused size
 * leaves no slot behind.
 *
 * @module
 */

import { checkSize } from "./_config.ts";
import { HOLDERS } from "./_holders.ts";
import { type Barrier, barrierOn } from "./barrier.ts";
import { type Condition, conditionOn } from "./condition.ts";
import { type Latch, latchOn } from "./latch.ts";
import { type Mutex, mutexOn } from "./mutex.ts";
import { type Once, onceOn } from "./once.ts";
import { type RwLock, rwLockOn } from "./rwlock.ts";
import { type Semaphore, semaphoreOn } from "./semaphore.ts";
import type { LockKind } from "../handle.ts";
import type { Words } from "./_words.ts";

/** Largest permits or count (the words keep bit 30 free). */
const MAX_SIZE = 0x3fff_ffff;

/** The primitive of `kind` on the words `words()` gives, after checking `size` where it has one. */
export interface OnWords {
  mutex(words: () => Words): Mutex;
  rwlock(words: () => Words): RwLock;
  condition(words: () => Words): Condition;
  once(words: () => Words): Once;
  semaphore(where: string, permits: number, words: () => Words): Semaphore;
  barrier(where: string, parties: number, words: () => Words): Barrier;
  latch(where: string, count: number, words: () => Words): Latch;
}

/** See {@link OnWords}. */
export const onWords: OnWords = {
  mutex: (words) => mutexOn(words()),
  rwlock: (words) => rwLockOn(words()),
  condition: (words) => conditionOn(words()),
  once: (words) => onceOn(words()),
  semaphore(where, permits, words) {
    checkSize(where, "permits", permits, 0, MAX_SIZE);
    return semaphoreOn(words(), permits);
  },
  barrier(where, parties, words) {
    // Every waiting party of a region barrier has a holder-table entry.
    checkSize(where, "parties", parties, 1, HOLDERS);
    return barrierOn(words(), parties);
  },
  latch(where, count, words) {
    checkSize(where, "count", count, 0, MAX_SIZE);
    return latchOn(words(), count);
  },
};

export type { LockKind, Words };
