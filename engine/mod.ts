/**
 * Which engine makes new in-process atomics, decided once per thread: the WebAssembly engine by
 * default (on Bun its memory with each operation a `bun:ffi` call, `wasm+ffi`), or the native
 * library when `ATOMICX_ENGINE=native` (for comparison). The only place (with `ffi/`) that reads
 * the environment.
 *
 * @module
 */

import { getEnv, runtime, type RuntimeName } from "./_runtime.ts";

/**
 * The engines a user can choose with `ATOMICX_ENGINE`:
 * - `"wasm"`: atomics in a shared WebAssembly memory, each operation a call into the module;
 * - `"wasm+ffi"`: the same memory, each operation a native call (Bun's default, where `bun:ffi`
 *   calls are faster than JavaScriptCore's WebAssembly compare-exchange loops; falls back to
 *   `"wasm"` when the native library cannot be loaded);
 * - `"native"`: one SharedArrayBuffer per atomic and native calls (the engine before WebAssembly,
 *   kept for comparison).
 *
 * @example
 * ```ts
 * import { type EngineName, info } from "@atomicx/atomicx";
 *
 * const engine: EngineName = info().engine; // "wasm" on Deno and Node, "wasm+ffi" on Bun
 * ```
 */
export type EngineName = "wasm" | "wasm+ffi" | "native";

const requested = getEnv("ATOMICX_ENGINE");

/**
 * The engine for new in-process atomics.
 *
 * @throws {Error} (on first use) when `ATOMICX_ENGINE` names no engine
 */
export function inProcessEngine(): EngineName {
  if (requested === undefined || requested === "") return runtime === "bun" ? "wasm+ffi" : "wasm";
  if (requested === "wasm" || requested === "wasm+ffi" || requested === "native") return requested;
  throw new Error(
    `atomicx: ATOMICX_ENGINE=${JSON.stringify(requested)} names no engine; use "wasm", ` +
      `"wasm+ffi" or "native", or leave it unset for this runtime's default`,
  );
}

/** This runtime's name: `"deno"`, `"bun"` or `"node"`. */
export const runtimeName: RuntimeName = runtime;
