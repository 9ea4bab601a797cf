/**
 * Loads the native library once per process (and per Worker): picks this runtime's FFI, finds the
 * library, checks its ABI version and returns the bound functions.
 *
 * @module
 */

import type { Backend } from "./_backend.ts";
import { bunBackend } from "./_bun.ts";
import { denoBackend } from "./_deno.ts";
import {
  type Candidate,
  candidates,
  deferredCandidates,
  inCheckout,
  libraryFileName,
  platformPackage,
} from "./_find.ts";
import { koffiBackend } from "./_koffi.ts";
import { nodeFfiBackend } from "./_node_ffi.ts";
import { getEnv, runtime } from "../engine/_runtime.ts";
import { slicedWait } from "./_sliced_wait.ts";
import { ABI_VERSION, type NativeOps, symbols } from "./_symbols.ts";

/**
 * This runtime's FFI backend. On Node: `node:ffi` when available (unless `ATOMICX_FFI=koffi`),
 * else koffi. The backend modules are imported statically and only their FFI module dynamically:
 * Bun drops messages that reach a Worker before its top-level await settles, so loading must not
 * wait on module files being read.
 */
function selectBackend(): Backend {
  switch (runtime) {
    case "deno":
      return denoBackend();
    case "bun":
      return bunBackend();
    case "node": {
      if (getEnv("ATOMICX_FFI") !== "koffi") {
        const nodeFfi = nodeFfiBackend();
        if (nodeFfi) return nodeFfi;
      }
      return koffiBackend();
    }
  }
}

/**
 * Whether region words (lock words, holder tables, bools) run as the built-in `Atomics` on a view
 * of the mapping (src/_region_view.ts) with this FFI, rather than one FFI call each: chosen by
 * measurement (scripts/bench/region_ops.ts; BENCHMARKS.md names the CPU): with koffi a region
 * `bool.load` went from 38 to 10 ns on Node 22; with bun:ffi, node:ffi and Deno's FFI a call costs
 * about what `Atomics` costs on a non-shared buffer, and the view measured no faster. 64-bit cells
 * never use it (`Atomics` on a `BigInt64Array` with the safe-integer check is slower than any FFI
 * call). `ATOMICX_REGION_VIEW=1` or `0` overrides (benchmarks, the cross-process test). Only where
 * a buffer can be detached (`transfer`, Node 22+): Node 20 keeps the FFI.
 */
function regionViews(backend: string): boolean {
  if (typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer !== "function") {
    return false;
  }
  const forced = getEnv("ATOMICX_REGION_VIEW");
  if (forced === "1" || forced === "0") return forced === "1";
  return backend === "koffi";
}

/** True for the error Deno throws when `--allow-ffi` was not granted. */
function isPermissionError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === "NotCapable" || name === "PermissionDenied";
}

/** The error for "no candidate could be opened", listing every path tried and the fix. */
function notFound(tried: { candidate: Candidate; error: unknown }[]): Error {
  const lines = tried.map(({ candidate, error }) =>
    `  - ${candidate.path} (${candidate.source}): ${
      (error as Error)?.message?.split("\n")[0] ?? String(error)
    }`
  );
  return new Error(
    `atomicx: could not load the native library ${libraryFileName}. Tried:\n${
      lines.join("\n") || "  (no candidate paths)"
    }\nFix: ${
      inCheckout
        ? "build the library with `cargo build --release` in native/ (or `npm run build:native`), "
        : `install the platform package: reinstall atomicx without --omit=optional (npm ` +
          `installs ${platformPackage()} with it), or add ${platformPackage()} yourself; `
    }or set ATOMICX_LIB_PATH to the path of a ${libraryFileName} built for this machine.` +
      (runtime === "deno"
        ? " With atomicx from JSR, `await SharedMemory.load()` once first: it has Deno fetch the " +
          "platform package."
        : ""),
    { cause: tried.at(-1)?.error },
  );
}

/** The `source` of the candidate `ATOMICX_LIB_PATH` names (see _find.ts). */
const ENV_SOURCE = "ATOMICX_LIB_PATH";

/**
 * The error for an `ATOMICX_LIB_PATH` that is set but does not load (missing, a directory, not a
 * library, a library without the atomicx ABI): never a silent fall back to another library.
 */
function envPathUnloadable(path: string, error: unknown): Error {
  const reason = (error as Error)?.message?.split("\n")[0] ?? String(error);
  return new Error(
    `atomicx: ATOMICX_LIB_PATH is set to ${path}, but that could not be loaded as the atomicx ` +
      `native library (${libraryFileName}): ${reason}. Point ATOMICX_LIB_PATH at a built ` +
      "library (native/target/release after `cargo build --release`), or unset it to use the " +
      "local build or the platform package.",
    { cause: error },
  );
}

/**
 * Every library object a backend returned, kept reachable until the process (or Worker) ends: a
 * collected node:ffi library is closed, and its bound functions would then call unmapped code.
 * Never closing also keeps the probe's and the full binding's `dlopen` reference counts harmless.
 */
const openLibraries: unknown[] = [];

/**
 * Opens `candidate` and checks its ABI version; `undefined` (with the error added to `tried`) if
 * it does not open.
 */
function open(
  backend: Backend,
  candidate: Candidate,
  tried: { candidate: Candidate; error: unknown }[],
): NativeOps | undefined {
  let version: number;
  try {
    const probe = backend.open(candidate.path, {
      atomicx_abi_version: symbols.atomicx_abi_version,
    });
    openLibraries.push(probe.library);
    version = probe.functions.atomicx_abi_version();
  } catch (error) {
    if (isPermissionError(error)) {
      throw new Error(
        "atomicx: Deno needs permission to load the native library: run with --allow-ffi " +
          "(and --allow-env to honour ATOMICX_LIB_PATH).",
        { cause: error },
      );
    }
    if (candidate.source === ENV_SOURCE) throw envPathUnloadable(candidate.path, error);
    tried.push({ candidate, error });
    return undefined;
  }
  if (version !== ABI_VERSION) {
    throw new Error(
      `atomicx: the native library at ${candidate.path} speaks ABI version ${version}, but this ` +
        `atomicx needs ABI version ${ABI_VERSION}. Rebuild the library from the same version ` +
        "(cargo build --release in native/) or point ATOMICX_LIB_PATH at a matching one.",
    );
  }
  const bound = backend.open(candidate.path, symbols);
  openLibraries.push(bound.library);
  const functions = bound.functions as Omit<NativeOps, "addressOf" | "view" | "backend" | "path">;
  return {
    ...functions,
    // Blocking region waits return to JavaScript every few milliseconds (see _sliced_wait.ts).
    atomicx_int_wait: slicedWait(functions.atomicx_int_wait),
    atomicx_bool_wait: slicedWait(functions.atomicx_bool_wait),
    addressOf: bound.addressOf,
    view: regionViews(backend.name) ? bound.view : undefined,
    backend: backend.name,
    path: candidate.path,
  };
}

/**
 * Opens the first candidate that loads and checks its ABI version, synchronously (see `_find.ts`).
 */
export function loadNativeSync(): NativeOps {
  const backend = selectBackend();
  const tried: { candidate: Candidate; error: unknown }[] = [];
  for (const candidate of candidates()) {
    const ops = open(backend, candidate, tried);
    if (ops) return ops;
  }
  throw notFound(tried);
}

/**
 * {@link loadNativeSync}, then the candidates that need waiting (Deno fetching the platform package
 * into its npm cache when atomicx came from JSR).
 */
export async function loadNativeAsync(): Promise<NativeOps> {
  try {
    return loadNativeSync();
  } catch (error) {
    const deferred = await deferredCandidates();
    if (deferred.length === 0) throw error;
    const backend = selectBackend();
    const tried: { candidate: Candidate; error: unknown }[] = [];
    for (const candidate of deferred) {
      const ops = open(backend, candidate, tried);
      if (ops) return ops;
    }
    throw notFound(tried);
  }
}
