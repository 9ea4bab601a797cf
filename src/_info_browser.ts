/**
 * `info()` for the browser entry: the engine and its memory; a page never loads the native library.
 *
 * @module
 */

import { type AtomicxInfo, infoReport } from "./_info_core.ts";

export type { AtomicxInfo } from "./_info_core.ts";

/**
 * Which engine this page or Worker uses and how much engine memory it has; `native.loaded` is
 * always `false` in a browser.
 *
 * @example
 * ```ts
 * import { AtomicInt, info } from "@atomicx/atomicx/browser";
 *
 * new AtomicInt(1);
 * const { runtime, engine, memoryBytes } = info();
 * console.log(runtime, engine, memoryBytes > 0); // "browser" "wasm" true
 * ```
 */
export function info(): AtomicxInfo {
  return infoReport("browser", undefined);
}
