/**
 * The Bun backend: `bun:ffi`. `f64` parameters and results take Bun's fast path. (Each backend
 * has the same few lines around a different FFI: one small module per FFI, so that each runtime
 * loads only its own.)
 *
 * @module
 */

import { type Backend, mapTable } from "./_backend.ts";
import { requireModule } from "../engine/_runtime.ts";
import type { NativeFunction } from "./_symbols.ts";

/** The part of `bun:ffi` this backend uses. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, NativeFunction> };
  ptr(view: ArrayBufferView): number;
  toArrayBuffer(pointer: number, offset: number, length: number): ArrayBuffer;
}

/** Loads `bun:ffi` and creates the Bun backend. */
export function bunBackend(): Backend {
  const ffi = requireModule("bun:ffi", import.meta.url) as BunFfi;
  return {
    name: "bun",
    open(path, table) {
      const lib = ffi.dlopen(
        path,
        mapTable(table, (sig) => ({
          args: sig.parameters.map((p) => (p === "buffer" ? "ptr" : p)),
          returns: sig.result,
        })),
      );
      return {
        functions: lib.symbols,
        addressOf: (view) => ffi.ptr(view),
        view: (address, length) => ffi.toArrayBuffer(address, 0, length),
        library: lib,
      };
    },
  };
}
