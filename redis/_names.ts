/**
 * Names and keys: what a name may be, and the keys of one object, which all share the hash tag
 * `{prefix+name}` so that a script touching several of them works on Redis Cluster too.
 *
 * @module
 */

import { describe, isWellFormedName } from "../src/_errors.ts";

/** Longest `prefix + name` in UTF-8 bytes. */
export const MAX_NAME_BYTES = 200;

const encoder = new TextEncoder();

/**
 * `text` after checking that it is a string of 1 to {@link MAX_NAME_BYTES} UTF-8 bytes, well-formed, without
 * `{` or `}` unless `braces` (in a name they would end the hash tag early). `TypeError` for a non-string, `RangeError`
 * otherwise — as for a `SharedMemory` slot name.
 */
export function checkName(where: string, what: string, text: unknown, braces = false): string {
  if (typeof text !== "string") {
    throw new TypeError(`${where}: the ${what} must be a string, got ${describe(text)}`);
  }
  if (!isWellFormedName(text)) {
    throw new RangeError(
      `${where}: the ${what} contains a lone surrogate (it is not well-formed UTF-16)`,
    );
  }
  if (!braces && /[{}]/.test(text)) {
    throw new RangeError(
      `${where}: the ${what} must not contain "{" or "}", got ${describe(text)}`,
    );
  }
  const length = encoder.encode(text).length;
  if (length < 1 || length > MAX_NAME_BYTES) {
    throw new RangeError(
      `${where}: the ${what} must have 1 to ${MAX_NAME_BYTES} UTF-8 bytes, got ${length}`,
    );
  }
  return text;
}

/** The hash tag of an object: `{prefix+name}`; its keys are `tag + ":" + part`. */
export function tagOf(where: string, prefix: string, name: unknown): string {
  const full = prefix + checkName(where, "name", name);
  if (encoder.encode(full).length > MAX_NAME_BYTES) {
    throw new RangeError(
      `${where}: the prefix and name together must have at most ${MAX_NAME_BYTES} UTF-8 bytes`,
    );
  }
  return `{${full}}`;
}

/** A 16-hex-digit FNV-1a hash of `text`'s UTF-8 bytes: a short region slot name for a long key. */
export function shortHash(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of encoder.encode(text)) {
    h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}
