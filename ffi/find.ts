/**
 * Where the native library may be, in the order the loader tries: `ATOMICX_LIB_PATH`, the local
 * `native/target/release` build, then the platform package.
 *
 * @module
 */

import { arch, getEnv, os } from "./runtime.ts";

/** A place the library may be, and how it was found (shown in the "not found" error). */
export interface Candidate {
  readonly path: string;
  readonly source: string;
}

/** The library's file name on this operating system. */
export const libraryFileName: string = os === "win32"
  ? "atomicx.dll"
  : os === "darwin"
  ? "libatomicx.dylib"
  : "libatomicx.so";

/** Turns a `file:` URL into a path for this operating system. */
export function urlToPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return os === "win32" ? path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\") : path;
}

/** Candidates in the order to try them. */
export function candidates(): Candidate[] {
  const found: Candidate[] = [];
  const fromEnv = getEnv("ATOMICX_LIB_PATH");
  if (fromEnv) found.push({ path: fromEnv, source: "ATOMICX_LIB_PATH" });
  const local = new URL(`../native/target/release/${libraryFileName}`, import.meta.url);
  if (local.protocol === "file:") {
    found.push({ path: urlToPath(local), source: "local build (cargo build --release)" });
  }
  return found;
}

/** The platform package's name for this machine, e.g. `@atomicx/linux-x64-gnu`. */
export const platformPackage = `@atomicx/${os}-${arch}`;
