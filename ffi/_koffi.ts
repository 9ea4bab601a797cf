/**
 * The Node backend for Node without `node:ffi`: the koffi package.
 *
 * @module
 */

import { type Backend, mapTable } from "./_backend.ts";
import { requireModule } from "../engine/_runtime.ts";
import type { NativeFunction } from "./_symbols.ts";

/** The part of koffi this backend uses. */
interface Koffi {
  view(address: number, length: number): ArrayBuffer;
  load(path: string): {
    func(
      name: string,
      result: string,
      parameters: string[],
    ): NativeFunction;
  };
}

const types: Record<string, string> = { f64: "double", buffer: "void *", void: "void" };

/** Loads koffi and creates its backend; throws with `cause` when koffi is not installed. */
export function koffiBackend(): Backend {
  let koffi: Koffi;
  try {
    const module = requireModule("koffi", import.meta.url) as { default?: Koffi } & Koffi;
    koffi = module.default ?? module;
  } catch (cause) {
    throw new Error(
      "atomicx: this Node has no node:ffi (Node 26+ has it) and the koffi package could not " +
        "be loaded. Install it with `npm install koffi` (atomicx lists it as an optional " +
        "dependency: do not install with --omit=optional), or use Node 26+.",
      { cause },
    );
  }
  return {
    name: "koffi",
    open(path, table) {
      const lib = koffi.load(path);
      const functions = mapTable(
        table,
        (sig) => ({ result: types[sig.result], parameters: sig.parameters.map((p) => types[p]) }),
      );
      // No `_nonblocking` bindings: koffi's `.async` holds a libuv thread-pool thread per pending
      // call, so `waitAsync` uses the native waiter thread and pipe instead (_wait_async.ts).
      const bound: Record<string, NativeFunction> = {};
      for (const [name, { result, parameters }] of Object.entries(functions)) {
        const fn = lib.func(name, result, parameters);
        bound[name] = fn;
      }
      // koffi passes a typed array given for `void *` by address, so the C side can report it.
      const functionsBound = bound as Record<string, NativeFunction>;
      return {
        functions: functionsBound,
        addressOf: (view) => functionsBound.atomicx_address_of(view),
        view: (address, length) => koffi.view(address, length),
        library: lib,
      };
    },
  };
}
