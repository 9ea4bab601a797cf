/**
 * `info()`: which engine and which native library this thread uses — what to look at first when
 * something is slower or fails to load.
 *
 * @module
 */

import { type EngineName, runtimeName } from "../engine/mod.ts";
import { nativeIfLoaded } from "../ffi/mod.ts";
import { homeMemory } from "../wasm/_engine.ts";
import { activeEngine } from "./handle.ts";

/**
 * What {@link info} reports.
 *
 * @example
 * ```ts
 * import { type AtomicxInfo, info } from "@atomicx/atomicx";
 *
 * const report: AtomicxInfo = info();
 * if (report.native.loaded) console.log(`native library ${report.native.path} via ${report.native.ffi}`);
 * ```
 */
export interface AtomicxInfo {
  /** The JavaScript runtime: `"deno"`, `"bun"` or `"node"`. */
  readonly runtime: "deno" | "bun" | "node";
  /**
   * The engine of in-process atomics: `"wasm"`, `"wasm+ffi"` (Bun's default) or `"native"`; set
   * with the environment variable `ATOMICX_ENGINE`.
   */
  readonly engine: EngineName;
  /** Bytes of the WebAssembly engine's shared memory this thread allocates in (0: none yet). */
  readonly memoryBytes: number;
  /**
   * The native library, loaded only once something needs it (a `SharedMemory` region, or
   * `ATOMICX_ENGINE=native`): its path and the FFI it was bound with.
   */
  readonly native:
    | { readonly loaded: false }
    | { readonly loaded: true; readonly path: string; readonly ffi: string };
}

/**
 * Which engine and native library this thread uses.
 *
 * @example
 * ```ts
 * import { AtomicInt, info } from "@atomicx/atomicx";
 *
 * new AtomicInt(1);
 * const { engine, native } = info();
 * console.log(engine, native.loaded); // e.g. "wasm" false on Deno and Node: no native code needed
 * ```
 */
export function info(): AtomicxInfo {
  const native = nativeIfLoaded();
  return {
    runtime: runtimeName,
    engine: activeEngine(),
    memoryBytes: homeMemory()?.buffer.byteLength ?? 0,
    native: native ? { loaded: true, path: native.path, ffi: native.backend } : { loaded: false },
  };
}
