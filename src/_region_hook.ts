/**
 * The one way from a region handle to what it names. `src/shm.ts` installs a {@link RegionHook}
 * once, when it is loaded; the one handle parser (`src/_from_handle.ts`: atomics, arrays,
 * counters, lock words) calls it through this module, so that nothing it imports pulls in the
 * native library (the browser entry never loads `src/shm.ts`). A region handle always attaches an entry that exists; it never
 * creates one.
 *
 * @module
 */

import type { AtomicKind } from "../engine/_ops.ts";
import type { BlockKind, LockKind } from "./handle.ts";
import type { Block } from "./_storage.ts";
import type { Words } from "./locks/_words.ts";

/**
 * A handle naming a region entry: `{ region, slot }` (and `index` for an array element,
 * `allowForeignOwner` when the region was opened with it).
 */
export interface RegionRef {
  readonly region?: unknown;
  readonly slot?: unknown;
  readonly index?: unknown;
  readonly allowForeignOwner?: unknown;
}

/** What lives in a region, found by handle: each throws if the entry does not exist. */
export interface RegionHook {
  /**
   * The block of what `handle` names: an atomic (its 8 bytes; element `handle.index` of the array
   * `slot` when the handle has an index), an array (`length` elements) or a counter (`length`
   * stripes).
   */
  block(where: string, kind: AtomicKind | BlockKind, handle: RegionRef, length: number): Block;
  /** The words of the lock primitive `handle` names. */
  words(where: string, kind: LockKind, handle: RegionRef): Words;
}

let installed: RegionHook | undefined;

/** Installs the hook (`src/shm.ts`, once). */
export function installRegionHook(hook: RegionHook): void {
  installed ??= hook;
}

/** The installed hook, or an error saying how to get one. */
export function regionHook(where: string): RegionHook {
  if (installed === undefined) {
    throw new Error(
      `${where}: this handle names a SharedMemory region, but SharedMemory is not loaded in this ` +
        'thread; import atomicx\'s full entry ("atomicx" / mod.ts), not the browser one',
    );
  }
  return installed;
}
