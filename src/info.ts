/**
 * `info()`: which engine and which native library this thread uses — what to look at first when
 * something is slower or fails to load.
 *
 * @module
 */

import { runtimeName } from "../engine/mod.ts";
import { nativeIfLoaded } from "../ffi/mod.ts";
import { type AtomicxInfo, infoReport } from "./_info_core.ts";

export type { AtomicxInfo } from "./_info_core.ts";

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
  return infoReport(runtimeName, nativeIfLoaded());
}
