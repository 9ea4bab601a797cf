/**
 * The region layout as TypeScript sees it: the twin of the constants and `slots_for` in
 * `native/src/shm.rs` (a region's limits, its 128-byte slots and what each entry kind takes).
 *
 * @module
 */

import { Kind } from "../ffi/_codes.ts";
import type { LockKind } from "./handle.ts";

/** Longest region name in UTF-8 bytes (the file name under /dev/shm may have 255). */
export const MAX_REGION_NAME_BYTES = 240;
/** Longest slot name in UTF-8 bytes. */
export const MAX_SLOT_NAME_BYTES = 48;
/** Most slots a region may have. */
export const MAX_CAPACITY = 65_536;
/** The layout version this atomicx reads and writes. */
export const LAYOUT_VERSION = 3;
/** Bytes of one slot: an array's elements are packed across a run of them, a counter's stripes
 * take one each. */
export const SLOT_BYTES = 128;

/**
 * What a region entry holds, as {@link SharedMemory.entries} names it: an atomic (`"int"`,
 * `"bigint"`, `"bool"`, `"float"`), an array (`"intArray"`, …), a counter (`"counter"`,
 * `"floatCounter"`) or a lock primitive (`"mutex"`, `"semaphore"`, …).
 *
 * @example
 * ```ts
 * import type { RegionEntryKind } from "@atomicx/atomicx";
 *
 * const kind: RegionEntryKind = "counter";
 * ```
 */
export type RegionEntryKind =
  | "int"
  | "bigint"
  | "bool"
  | "float"
  | "intArray"
  | "bigintArray"
  | "boolArray"
  | "floatArray"
  | "counter"
  | "floatCounter"
  | LockKind;

/** The entry kinds that are arrays (they have a length in elements). */
export const arrayKinds: ReadonlySet<string> = new Set([
  "intArray",
  "bigintArray",
  "boolArray",
  "floatArray",
]);

/** The entry kind of each native kind code. */
export const kindName: readonly string[] = Object.entries(Kind).filter(([k]) => k !== "word")
  .reduce<string[]>((names, [k, code]) => {
    names[code] = k;
    return names;
  }, []);

/**
 * Slots of the holder table after a semaphore's, rwlock's or barrier's own slot (native
 * `HOLDER_SLOTS`; see `src/locks/_holders.ts`).
 */
export const HOLDER_SLOTS = 5;

/** The lock kinds with a holder table. */
const heldKinds: ReadonlySet<string> = new Set(["semaphore", "rwlock", "barrier"]);

/** The slots an entry of `kind` with `length` elements or stripes takes (native `slots_for`). */
export function slotsFor(kind: RegionEntryKind, length: number): number {
  if (kind === "counter" || kind === "floatCounter") return length;
  if (heldKinds.has(kind)) return 1 + HOLDER_SLOTS;
  if (!arrayKinds.has(kind)) return 1;
  return Math.max(1, Math.ceil((length * (kind === "boolArray" ? 4 : 8)) / SLOT_BYTES));
}
