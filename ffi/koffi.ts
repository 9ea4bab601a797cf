/**
 * The Node backend for Node without `node:ffi`: the koffi package.
 *
 * @module
 */

import { type Backend, mapTable } from "./backend.ts";
import { requireModule } from "../engine/runtime.ts";
import type { AsyncNativeFunction, NativeFunction } from "./symbols.ts";

/** The part of koffi this backend uses. */
interface Koffi {
  load(path: string): {
    func(
      name: string,
      result: string,
      parameters: string[],
    ): NativeFunction & {
      async(...args: [...number[], (error: unknown, result: number) => void]): void;
    };
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
      "atomicx: this Node has no node:ffi (it needs Node 26+ started with --experimental-ffi) " +
        "and the koffi package could not be loaded. Install it with `npm install koffi`, or run " +
        "Node 26+ with --experimental-ffi.",
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
      const bound: Record<string, NativeFunction | AsyncNativeFunction> = {};
      for (const [name, { result, parameters }] of Object.entries(functions)) {
        const fn = lib.func(name, result, parameters);
        bound[name] = fn;
        // A blocking call is also bound as a Promise over koffi's `.async`, which runs it on a
        // koffi worker thread (how `waitAsync` waits without blocking the event loop).
        if (table[name].nonblocking) {
          bound[`${name}_nonblocking`] = (...args: number[]) =>
            new Promise<number>((resolve, reject) =>
              fn.async(...args, (error: unknown, value: number) => {
                if (error) reject(error);
                else resolve(value);
              })
            );
        }
      }
      // koffi passes a typed array given for `void *` by address, so the C side can report it.
      const functionsBound = bound as Record<string, NativeFunction>;
      return {
        functions: functionsBound,
        addressOf: (view) => functionsBound.atomicx_address_of(view),
        library: lib,
      };
    },
  };
}
