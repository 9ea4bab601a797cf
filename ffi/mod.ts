/**
 * The native boundary: the loaded library's functions for this runtime, loaded once.
 *
 * @module
 */

import { loadNative } from "./load.ts";
import type { NativeOps } from "./symbols.ts";

/** The native functions, bound through this runtime's FFI. */
export const native: NativeOps = await loadNative();
