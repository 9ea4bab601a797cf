/**
 * The Node backend for Node 26+ started with `--experimental-ffi`: the built-in `node:ffi`.
 *
 * @module
 */

import { type Backend, mapTable } from "./backend.ts";
import type { NativeFunction } from "./symbols.ts";

/** The part of `node:ffi` this backend uses. */
interface NodeFfi {
  dlopen(
    path: string,
    definitions: Record<string, { arguments: string[]; return: string }>,
  ): { functions: Record<string, NativeFunction> };
  getRawPointer(view: ArrayBufferView): bigint;
}

const types: Record<string, string> = { f64: "double", buffer: "pointer", void: "void" };

/** Loads `node:ffi`; `undefined` when this Node has none (older, or not started with the flag). */
export async function nodeFfiBackend(): Promise<Backend | undefined> {
  let ffi: NodeFfi;
  try {
    const specifier = "node:ffi";
    ffi = (await import(specifier)) as NodeFfi;
  } catch {
    return undefined;
  }
  return {
    name: "node:ffi",
    open(path, table) {
      const lib = ffi.dlopen(
        path,
        mapTable(table, (sig) => ({
          arguments: sig.parameters.map((p) => types[p]),
          return: types[sig.result],
        })),
      );
      return { functions: lib.functions, addressOf: (view) => Number(ffi.getRawPointer(view)) };
    },
  };
}
