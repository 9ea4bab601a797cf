/**
 * The native boundary: the library's functions for this runtime, loaded on first use only — by
 * `SharedMemory`, by every atomic when `ATOMICX_ENGINE=native`, and on Bun by in-process atomics
 * too (Bun's default engine, `wasm+ffi`, makes each operation a `bun:ffi` call). In-process atomics
 * on Deno and Node never load it.
 * No top-level await, so that `require()` of the package works on Node.
 *
 * @module
 */

import { loadNativeAsync, loadNativeSync } from "./_load.ts";
import type { NativeOps } from "./_symbols.ts";

let loaded: NativeOps | undefined;

/**
 * The native functions, bound through this runtime's FFI; loads the library on the first call.
 *
 * @throws {Error} when the library cannot be found or loaded (every path tried, and the fix)
 */
export function loadNative(): NativeOps {
  return loaded ??= loadNativeSync();
}

/**
 * Loads the library, also trying what needs waiting (Deno fetching the platform package from npm
 * when atomicx came from JSR); later {@link loadNative} calls return it at once.
 */
export async function preloadNative(): Promise<NativeOps> {
  return loaded ??= await loadNativeAsync();
}

/** The loaded library, or `undefined` if nothing has needed it yet. */
export function nativeIfLoaded(): NativeOps | undefined {
  return loaded;
}
