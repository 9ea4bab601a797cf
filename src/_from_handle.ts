/**
 * The one handle parser: from a handle (checked by `src/handle.ts`) to the storage it names — a
 * region entry through the region hook (`src/_region_hook.ts`), or a place in the engine's memory,
 * another shared `WebAssembly.Memory` or a SharedArrayBuffer (`src/_storage.ts`). Atomics, arrays,
 * counters and lock words all read their handles here.
 *
 * @module
 */

import { type AtomicKind, cellSize } from "../engine/_ops.ts";
import { type BlockKind, checkHandle, type LockKind } from "./handle.ts";
import { type Block, type BlockShape, type Cell, cellInBlock, placeBlock } from "./_storage.ts";
import { vouch } from "./_brands.ts";
import { regionHook } from "./_region_hook.ts";
import { LocalWords, LOCK_BYTES, type Words } from "./locks/_words.ts";

/**
 * `handle` after checking it describes something of `kind`: the region entry it names
 * (`{ region, slot }`), or the block of `shape` it names in the engine's memory or another shared
 * `WebAssembly.Memory` (`{ memory, byteOffset }`) or in a SharedArrayBuffer
 * (`{ buffer, byteOffset }`).
 */
function parse(
  where: string,
  kind: AtomicKind | BlockKind | LockKind,
  handle: unknown,
  shape: BlockShape,
): { readonly region: Record<string, unknown> } | { readonly block: Block } {
  const h = checkHandle(where, kind, handle);
  if (h.memory === undefined && h.buffer === undefined && h.region !== undefined) {
    return { region: h };
  }
  return { block: placeBlock(where, h, shape) };
}

/**
 * The block of `shape` that `handle` names, after checking it describes something of `kind` — in
 * a region (attached, never created), in a shared `WebAssembly.Memory` or in a SharedArrayBuffer.
 */
export function blockFromHandle(
  where: string,
  kind: AtomicKind | BlockKind,
  handle: unknown,
  shape: BlockShape,
): Block {
  const place = parse(where, kind, handle, shape);
  if ("region" in place) {
    return vouch(regionHook(where).block(where, kind, place.region, shape.length ?? 0));
  }
  return vouch(place.block);
}

/** The cell `handle` names, after checking it describes an atomic of `kind`. */
export function cellFromHandle(handle: unknown, kind: AtomicKind, className: string): Cell {
  const size = cellSize[kind];
  const block = blockFromHandle(`${className}.from`, kind, handle, { bytes: size, align: size });
  return cellInBlock(kind, block, 0, undefined);
}

/** The words of the lock primitive `handle` names; `TypeError`/`RangeError` for a bad one. */
export function wordsFromHandle(where: string, kind: LockKind, handle: unknown): Words {
  const place = parse(where, kind, handle, { bytes: LOCK_BYTES, align: 4 });
  if ("region" in place) return regionHook(where).words(where, kind, place.region);
  return new LocalWords(kind, place.block);
}
