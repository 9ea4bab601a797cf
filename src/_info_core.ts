/**
 * What `info()` reports, built from the parts every entry shares; the server entry (`info.ts`) adds
 * the native library, the browser entry (`_info_browser.ts`) has none. Apart so that the browser
 * entry never imports ffi/.
 *
 * @module
 */

import type { EngineName } from "../engine/mod.ts";
import { homeMemory } from "../wasm/_engine.ts";
import { activeEngine } from "./_storage.ts";

/**
 * What `info()` reports.
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
  /** The JavaScript runtime: `"deno"`, `"bun"`, `"node"`, or `"browser"` from the browser entry. */
  readonly runtime: "deno" | "bun" | "node" | "browser";
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

/** `info()`'s report for `runtime`, with the native library `native` (or none). */
export function infoReport(
  runtime: AtomicxInfo["runtime"],
  native: { readonly path: string; readonly backend: string } | undefined,
): AtomicxInfo {
  return {
    runtime,
    engine: activeEngine(),
    memoryBytes: homeMemory()?.buffer.byteLength ?? 0,
    native: native ? { loaded: true, path: native.path, ffi: native.backend } : { loaded: false },
  };
}
