/**
 * The Deno backend: `Deno.dlopen`. `f64` parameters and results are Deno's fast calls.
 *
 * @module
 */

import { type Backend, mapTable } from "./_backend.ts";
import type { NativeFunction } from "./_symbols.ts";

/** The part of the `Deno` namespace this backend uses. */
interface DenoFfi {
  dlopen(
    path: string,
    symbols: Record<
      string,
      { name?: string; parameters: string[]; result: string; nonblocking?: boolean }
    >,
  ): { symbols: Record<string, NativeFunction> };
  UnsafePointer: {
    of(value: ArrayBufferView): unknown;
    value(pointer: unknown): number | bigint;
    create(value: bigint): unknown;
  };
  UnsafePointerView: { getArrayBuffer(pointer: unknown, length: number): ArrayBuffer };
}

/** Creates the Deno backend. */
export function denoBackend(): Backend {
  const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
  return {
    name: "deno",
    open(path, table) {
      const definitions: Record<
        string,
        { name?: string; parameters: string[]; result: string; nonblocking?: boolean }
      > = mapTable(table, (sig) => ({ parameters: [...sig.parameters], result: sig.result }));
      // A blocking call is also bound `nonblocking`: Deno runs it on its blocking thread pool
      // and returns a Promise (how `waitAsync` waits without blocking the event loop).
      for (const [name, sig] of Object.entries(table)) {
        if (sig.nonblocking) {
          definitions[`${name}_nonblocking`] = {
            name,
            parameters: [...sig.parameters],
            result: sig.result,
            nonblocking: true,
          };
        }
      }
      const lib = deno.dlopen(path, definitions);
      return {
        functions: lib.symbols,
        addressOf: (view) => Number(deno.UnsafePointer.value(deno.UnsafePointer.of(view))),
        view: (address, length) =>
          deno.UnsafePointerView.getArrayBuffer(
            deno.UnsafePointer.create(BigInt(address)),
            length,
          ),
        library: lib,
      };
    },
  };
}
