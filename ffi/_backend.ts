/**
 * The interface every FFI backend implements: open a library and bind a table of C functions.
 *
 * @module
 */

import type { NativeFunction, Signature } from "./_symbols.ts";

/** A library opened by a backend, with the requested functions bound. */
export interface Bound {
  /** The bound functions, by C name. */
  readonly functions: Record<string, NativeFunction>;
  /** Address of a typed array's first byte (typed arrays over a SharedArrayBuffer never move). */
  readonly addressOf: (view: ArrayBufferView) => number;
  /**
   * A new `ArrayBuffer` over `length` bytes of native memory at `address`, without a copy (not a
   * SharedArrayBuffer, and never freed by the collector). The caller must detach it before the
   * memory goes away.
   */
  readonly view: (address: number, length: number) => ArrayBuffer;
  /**
   * The FFI's own library object. The loader keeps it reachable for the life of the process:
   * node:ffi closes a library whose object is garbage-collected, which would leave every bound
   * function (and V8's fast-call data for it) pointing into unmapped code.
   */
  readonly library: unknown;
}

/** One runtime's FFI. */
export interface Backend {
  /** `"deno"`, `"bun"`, `"node:ffi"` or `"koffi"`. */
  readonly name: string;
  /** Opens the library at `path` and binds every function of `table`; throws if it cannot. */
  open(path: string, table: Readonly<Record<string, Signature>>): Bound;
}

/** Maps each entry of `table` through `f`, keeping the names. */
export function mapTable<T>(
  table: Readonly<Record<string, Signature>>,
  f: (signature: Signature) => T,
): Record<string, T> {
  return Object.fromEntries(Object.entries(table).map(([name, sig]) => [name, f(sig)]));
}
