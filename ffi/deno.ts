/**
 * The Deno backend: `Deno.dlopen`. `f64` parameters and results are Deno's fast calls.
 *
 * @module
 */

import { type Backend, mapTable } from "./backend.ts";
import type { NativeFunction } from "./symbols.ts";

/** The part of the `Deno` namespace this backend uses. */
interface DenoFfi {
  dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string }>,
  ): { symbols: Record<string, NativeFunction> };
  UnsafePointer: {
    of(value: ArrayBufferView): unknown;
    value(pointer: unknown): number | bigint;
  };
}

/** Creates the Deno backend. */
export function denoBackend(): Backend {
  const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
  return {
    name: "deno",
    open(path, table) {
      const lib = deno.dlopen(
        path,
        mapTable(table, (sig) => ({ parameters: [...sig.parameters], result: sig.result })),
      );
      return {
        functions: lib.symbols,
        addressOf: (view) => Number(deno.UnsafePointer.value(deno.UnsafePointer.of(view))),
      };
    },
  };
}
