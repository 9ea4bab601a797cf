/**
 * The Node backend for Node 26+: the built-in `node:ffi` (Node 26.10 has it without a flag and
 * prints an `ExperimentalWarning` when it is first loaded; `--experimental-ffi` is accepted too).
 *
 * @module
 */

import { type Backend, mapTable } from "./_backend.ts";
import { requireModule } from "../engine/_runtime.ts";
import type { NativeFunction } from "./_symbols.ts";

/** The part of `node:ffi` this backend uses. */
interface NodeFfi {
  dlopen(
    path: string,
    definitions: Record<string, { arguments: string[]; return: string }>,
  ): { functions: Record<string, NativeFunction> };
  getRawPointer(view: ArrayBufferView): bigint;
  toArrayBuffer(pointer: bigint, length: number, copy: boolean): ArrayBuffer;
}

const types: Record<string, string> = { f64: "double", buffer: "pointer", void: "void" };

/** Loads `node:ffi`; `undefined` when this Node has none (Node 20 to 24). */
export function nodeFfiBackend(): Backend | undefined {
  let ffi: NodeFfi;
  try {
    ffi = requireModule("node:ffi", import.meta.url) as NodeFfi;
  } catch {
    return undefined;
  }
  // Node 26.10's node:ffi fast calls race with V8's concurrent (background) TurboFan compiles:
  // about 1 process in 40 that runs atomics in a hot loop died with a V8 check failure
  // ("FastApiCallNode::ArityForArgc ..." or "index < node->op()->ValueInputCount()") or a segfault
  // on the compiler thread. Compiling on the main thread instead removed every crash in our runs
  // (0 in 160). Its cost: a few call shapes (AtomicInt.load and AtomicFloat.load, bare calls in
  // top-level loops) stay on node:ffi's ~100 ns slow path; the rest keep their fast calls (see
  // BENCHMARKS.md). Remove this when node:ffi is fixed. Re-counted 2026-12-07 on an AMD EPYC with
  // Node 26.10: without the flag 0 crashes in 100 runs of a region hot loop (int, counter, float,
  // bool) and 0 in 100 of examples/float_accumulator.ts on the native engine (10% crashed then);
  // with it 0 and 0. Kept while node:ffi carries every 64-bit region operation on Node 26 (a view
  // does not pay there, see ffi/_load.ts) and the metrics tests saw a crash at exit on 2026-12-04.
  try {
    const v8 = requireModule("node:v8", import.meta.url) as {
      setFlagsFromString(flags: string): void;
    };
    v8.setFlagsFromString("--no-concurrent-recompilation");
  } catch {
    // no node:v8: nothing to work around
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
      return {
        functions: lib.functions,
        addressOf: (view) => Number(ffi.getRawPointer(view)),
        // `false`: a view of the memory itself (the default copies it).
        view: (address, length) => ffi.toArrayBuffer(BigInt(address), length, false),
        library: lib,
      };
    },
  };
}
