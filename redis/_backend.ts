/**
 * What every object of a store shares: the connection, the key prefix, the time limit of reads
 * and the wake-ups of waiters.
 *
 * @module
 */

import type { Connection } from "./_client.ts";
import type { Wakes } from "./_wakes.ts";

/** The store's side of its objects. */
export interface Backend {
  readonly conn: Connection;
  readonly prefix: string;
  /** How long a read (and a flush) may wait for an answer before it fails naming the server. */
  readonly timeoutMs: number;
  readonly wakes: Wakes;
}

/** The operation table of the object with hash tag `tag` (see OnceScript): its two generations. */
export function opsTable(tag: string): readonly [string, string] {
  return [`${tag}:ops`, `${tag}:ops:prev`];
}

/** Checks a positive duration in milliseconds (`RangeError`, `TypeError` for a non-number). */
export function checkMs(where: string, what: string, value: unknown, min: number): number {
  if (typeof value !== "number") {
    throw new TypeError(`${where}: ${what} must be a number of milliseconds, got ${typeof value}`);
  }
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`${where}: ${what} must be a finite number ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Checks an options argument: undefined or a plain object. */
export function checkOptions(where: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${where}: options must be an object, got ${options === null ? "null" : typeof options}`,
    );
  }
  return options as Record<string, unknown>;
}
