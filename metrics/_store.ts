/**
 * Records in a region: a metric's definition or a series' values, each one region
 * `AtomicFloatArray` whose entry name is a hash of its key, and whose first elements hold the
 * key itself, so that a hash collision is seen and the next probe taken.
 *
 * ```text
 * entry name   am1/<m|s><hash base 36>.<key bytes>.<probe>      (m: metric, s: series)
 * elements     [0]      key byte length + 1
 *              [1..K]   the key's UTF-8 bytes, 6 to an element, each element + 1 (0 = unwritten)
 *              [K+1..]  the values (a series; see the metric types)
 * ```
 *
 * Every key element is written with a compare-exchange from 0, in order: processes writing the
 * same key agree on every element and finish it together (one that dies half-way leaves the rest
 * to the next), and of two different keys at one probe only one can complete — the other meets a
 * different element and moves to the next probe. So there is never a wait for a creator, never
 * two records for one key, and never one record for two.
 *
 * @module
 */

import type { AtomicFloatArray, AtomicInt, SharedMemory } from "../mod.ts";

/** Prefix of every region entry this module makes. */
export const PREFIX = "am1/";
/**
 * Longest key (metric name and label text, or a metric's definition) in UTF-8 bytes; a longer one
 * is refused with a `RangeError` naming this limit.
 *
 * @example Checking label text before using it
 * ```ts
 * import { MAX_KEY_BYTES } from "@atomicx/atomicx/metrics";
 *
 * const userAgent = "x".repeat(10_000);
 * const label = new TextEncoder().encode(userAgent).length < MAX_KEY_BYTES / 2
 *   ? userAgent
 *   : "(too long)";
 * console.log(label); // "(too long)"
 * ```
 */
export const MAX_KEY_BYTES = 4096;
/** Probes tried per key before it is refused (each a hash collision with a different key). */
const MAX_PROBES = 16;
/** Key bytes packed into one element (48 bits: a safe integer, stored plus one). */
const PACK = 6;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** cyrb53: a fast 53-bit string hash (collisions are handled by probing, not ruled out). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Elements the key of `bytes` bytes takes, its length word included. */
export const keyElements = (bytes: number): number => 1 + Math.ceil(bytes / PACK);

/** The key's elements as stored: the length word, then 6 bytes per element, each plus one. */
function pack(bytes: Uint8Array): number[] {
  const words = [bytes.length + 1];
  for (let i = 0; i < bytes.length; i += PACK) {
    let word = 0;
    for (let j = Math.min(i + PACK, bytes.length) - 1; j >= i; j--) word = word * 256 + bytes[j];
    words.push(word + 1);
  }
  return words;
}

/** A record found or made: its array, where its values start, and whether this call made it. */
export interface Record {
  readonly name: string;
  readonly array: AtomicFloatArray;
  /** Index of the first value element. */
  readonly base: number;
}

/**
 * A series (or metric) refused for want of room: the region is full, every probe of its hash is
 * taken, or its key is over {@link MAX_KEY_BYTES}. A `RangeError` (its `name` says so too); nothing
 * was stored, and `atomicx_metrics_refused_series_total` counted it.
 *
 * @example Serving on when a label set does not fit
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RefusedError, RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("refused-doc", { capacity: 8 });
 * const hits = new RegionMetrics(region).counter({ name: "hits", help: "Hits", labelNames: ["k"] });
 * try {
 *   for (let i = 0; i < 100; i++) hits.inc({ k: `key-${i}` });
 * } catch (error) {
 *   if (!(error instanceof RefusedError)) throw error;
 *   console.log(error instanceof RangeError); // true
 * }
 * SharedMemory.unlink("refused-doc");
 * ```
 */
export class RefusedError extends RangeError {
  /** `"RangeError"`: what it is to code that checks names rather than classes. */
  override name = "RangeError";
}

/**
 * Finds the record of `key` (kind `m` or `s`) with `values` value elements, or adds it. For a
 * metric (`m`), `sameName` tells whether another key at a probe is the same metric declared
 * differently, which is an error rather than a collision.
 *
 * @throws {RefusedError} when the key is too long, the region is full, or every probe is taken
 */
export function findOrAdd(
  region: SharedMemory,
  kind: "m" | "s",
  key: string,
  values: number,
  created: AtomicInt,
  sameName?: { readonly name: string; conflict(other: string): void },
): Record {
  const bytes = encoder.encode(key);
  if (bytes.length > MAX_KEY_BYTES) {
    throw new RefusedError(
      `atomicx/metrics: the ${kind === "m" ? "metric definition" : "series"} ${
        JSON.stringify(key.slice(0, 80))
      }… is ${bytes.length} UTF-8 bytes; the limit is ${MAX_KEY_BYTES} (MAX_KEY_BYTES)`,
    );
  }
  const words = pack(bytes);
  const base = words.length;
  // A metric's records are named by its name alone (any length), so that two definitions of one
  // name meet at a probe and the second is refused; a series' by its whole key.
  const stem = recordStem(kind, sameName?.name ?? key, sameName ? 0 : bytes.length);
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const name = `${stem}${probe}`;
    let array: AtomicFloatArray;
    try {
      array = region.floatArray(name, base + values);
    } catch (error) {
      if (sameName && error instanceof RangeError && /holds .* of length/.test(error.message)) {
        const entry = region.entries().find((e) => e.name === name);
        const other = entry && readKey(region.floatArray(name, entry.length!));
        if (other !== undefined) sameName.conflict(other);
        continue; // another metric's definition (a hash collision)
      }
      if (error instanceof RangeError && /is full/.test(error.message)) {
        throw new RefusedError(
          `atomicx/metrics: no room for the ${kind === "m" ? "metric" : "series"} ${
            JSON.stringify(key.slice(0, 80))
          } in the region ${JSON.stringify(region.name)} (capacity ${region.capacity} slots): ${
            error.message.replace(/^[^:]*: /, "")
          }`,
          { cause: error },
        );
      }
      throw error;
    }
    let mine = true;
    for (let i = 0; i < words.length && mine; i++) {
      const [ok, previous] = array.compareExchange(i, 0, words[i]);
      if (ok && i === 0) created.inc();
      if (!ok && previous !== words[i]) mine = false;
    }
    if (mine) return { name, array, base };
    if (sameName) {
      const other = readKey(array);
      if (other !== undefined) sameName.conflict(other);
    }
  }
  throw new RefusedError(
    `atomicx/metrics: ${MAX_PROBES} records share the hash of ${
      JSON.stringify(key.slice(0, 80))
    } (MAX_PROBES); the key is refused`,
  );
}

/** The key of a record, or `undefined` while it is incomplete (or was never written). */
export function readKey(array: AtomicFloatArray): string | undefined {
  const length = array.load(0) - 1;
  if (!Number.isSafeInteger(length) || length < 0 || keyElements(length) > array.length) {
    return undefined;
  }
  const bytes = new Uint8Array(length);
  for (let i = 0, e = 1; i < length; i += PACK, e++) {
    let word = array.load(e);
    if (word === 0) return undefined;
    word -= 1;
    for (let j = i; j < Math.min(i + PACK, length); j++) {
      bytes[j] = word % 256;
      word = Math.floor(word / 256);
    }
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The entry name of a record up to its probe number: kind, the hash of `hashed` (a series' key,
 * a metric's name) and the key's length in bytes (0 for a metric).
 */
export function recordStem(kind: "m" | "s", hashed: string, bytes: number): string {
  return `${PREFIX}${kind}${hash53(hashed).toString(36)}.${bytes}.`;
}

/** A record entry's kind and key length, from its name, or `undefined` for another entry. */
export function parseName(name: string): { kind: "m" | "s"; bytes: number } | undefined {
  const match = /^am1\/([ms])[0-9a-z]+\.(\d+)\.\d+$/.exec(name);
  return match ? { kind: match[1] as "m" | "s", bytes: Number(match[2]) } : undefined;
}
