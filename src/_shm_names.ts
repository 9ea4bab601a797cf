/**
 * Region and slot names: their checks, and their UTF-8 encoding into this thread's scratch area,
 * where the native region calls read a name and write their results.
 *
 * @module
 */

import { loadNative } from "../ffi/mod.ts";
import type { NativeOps } from "../ffi/_symbols.ts";
import { describe, isWellFormedName } from "./_errors.ts";
import { MAX_REGION_NAME_BYTES, MAX_SLOT_NAME_BYTES } from "./_shm_layout.ts";

// One scratch area per thread: three result words, then a name's UTF-8 bytes.
const scratch = new SharedArrayBuffer(32 + 256);
/** The three result words of the last native region call. */
export const out = new Float64Array(scratch, 0, 3);
const nameBytes = new Uint8Array(scratch, 32, 256);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The addresses of the scratch area's parts, taken once the native library is loaded. */
export const scratchAddress = { out: 0, name: 0 };

/** The native library (loaded on first use) with the scratch area's addresses taken. */
export function native(): NativeOps {
  const ops = loadNative();
  if (scratchAddress.out === 0) {
    scratchAddress.out = ops.addressOf(out);
    scratchAddress.name = ops.addressOf(nameBytes);
  }
  return ops;
}

/** Writes `name` into the scratch area; returns its byte length. */
export function writeName(name: string): number {
  return encoder.encodeInto(name, nameBytes).written;
}

/** The name of `length` bytes a native call wrote into the scratch area. */
export function readName(length: number): string {
  return decoder.decode(nameBytes.slice(0, length));
}

/** `name` after checking it is a valid region name; throws `TypeError` or `RangeError` otherwise. */
export function checkRegionName(where: string, name: unknown): string {
  if (typeof name !== "string") {
    throw new TypeError(`${where}: the region name must be a string, got ${describe(name)}`);
  }
  if (name.length === 0) throw new RangeError(`${where}: the region name is empty`);
  if (!isWellFormedName(name)) {
    throw new RangeError(
      `${where}: the region name contains a lone surrogate (it is not well-formed UTF-16)`,
    );
  }
  if (/[/\\\0]/.test(name) || name === "." || name === "..") {
    throw new RangeError(
      `${where}: the region name ${
        JSON.stringify(name)
      } must not contain a path separator ("/" or "\\"), NUL, or be "." or ".."`,
    );
  }
  if (encoder.encode(name).length > MAX_REGION_NAME_BYTES) {
    throw new RangeError(
      `${where}: the region name is longer than ${MAX_REGION_NAME_BYTES} UTF-8 bytes`,
    );
  }
  return name;
}

/** `slot` after checking it is a valid slot name; throws `TypeError` or `RangeError` otherwise. */
export function checkSlotName(where: string, slot: unknown): string {
  if (typeof slot !== "string") {
    throw new TypeError(`${where}: the slot name must be a string, got ${describe(slot)}`);
  }
  if (!isWellFormedName(slot)) {
    throw new RangeError(
      `${where}: the slot name contains a lone surrogate (it is not well-formed UTF-16)`,
    );
  }
  const length = encoder.encode(slot).length;
  if (length === 0 || length > MAX_SLOT_NAME_BYTES) {
    throw new RangeError(
      `${where}: the slot name must have 1 to ${MAX_SLOT_NAME_BYTES} UTF-8 bytes, got ${length}`,
    );
  }
  return slot;
}
