/**
 * Where the native library may be, in the order the loader tries: `ATOMICX_LIB_PATH`, the local
 * `native/target/release` build (off Linux also `native/target/<rust target>/release`, where a
 * cross-build puts it), then this platform's npm package (e.g. `@atomicx/linux-x64-gnu`).
 *
 * The platform package is found synchronously with `import.meta.resolve`: Bun drops messages that
 * reach a Worker before its top-level await settles, so nothing here may wait on file reads or
 * dynamic imports. Only Deno with no `node_modules` (a JSR user) takes the asynchronous path,
 * {@link deferredCandidates}, which has Deno fetch the package into its npm cache.
 *
 * @module
 */

import { libraryFileFor, platformFor, version } from "./_platforms.ts";
import { arch, getEnv, linuxLibc, os, runtime } from "../engine/_runtime.ts";

export { version };

/** A place the library may be, and how it was found (shown in the "not found" error). */
export interface Candidate {
  readonly path: string;
  readonly source: string;
}

/** The library's file name on this operating system (from the platform table). */
export const libraryFileName: string = libraryFileFor(os);

/**
 * True when this code runs from a clone of the repository, where `native/` can be built; false in
 * an installed package (under `node_modules`, or Deno's cache of JSR or npm files), where there is
 * no `native/` to build and the library comes from the platform package.
 */
export const inCheckout: boolean = new URL(import.meta.url).protocol === "file:" &&
  !/[/\\]node_modules[/\\]|[/\\]deno[/\\](?:npm|remote|deps)[/\\]/.test(
    decodeURIComponent(new URL(import.meta.url).pathname),
  );

/** Turns a `file:` URL into a path for this operating system. */
function urlToPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return os === "win32" ? path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\") : path;
}

/**
 * The platform package's name for this machine, from the platform table (`ffi/_platforms.ts`):
 * `@atomicx/linux-x64-gnu`, `@atomicx/linux-arm64-musl`, `@atomicx/darwin-arm64`,
 * `@atomicx/win32-x64-gnu`. A machine outside the table gets the name its package would have
 * (`@atomicx/<os>-<arch>`), which the "not found" error then shows.
 */
export function platformPackage(): string {
  const platform = platformFor(os, arch, os === "linux" ? linuxLibc() : undefined);
  return `@atomicx/${platform?.key ?? `${os}-${arch}`}`;
}

/** Resolves `specifier` to a `file:` URL without loading anything; `undefined` if it cannot. */
function resolveFile(specifier: string): URL | undefined {
  try {
    const resolved = new URL(import.meta.resolve(specifier));
    return resolved.protocol === "file:" ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Candidates in the order to try them; every step is synchronous. Lazy, so that the platform
 * package (whose name needs the libc probe, ~5 ms on Node) is only looked up when the earlier
 * candidates did not load.
 */
export function* candidates(): Generator<Candidate> {
  const fromEnv = getEnv("ATOMICX_LIB_PATH");
  if (fromEnv) {
    // Set means chosen: a path that cannot be loaded is an error naming it, never a fallback.
    yield { path: fromEnv, source: "ATOMICX_LIB_PATH" };
    return;
  }
  if (inCheckout) {
    const local = new URL(`../native/target/release/${libraryFileName}`, import.meta.url);
    yield { path: urlToPath(local), source: "local build (cargo build --release)" };
    // A build for this platform's target triple (how the Windows DLL is cross-built on Linux).
    const target = platformFor(os, arch, os === "linux" ? linuxLibc() : undefined)?.rustTarget;
    if (target && os !== "linux") {
      const cross = new URL(
        `../native/target/${target}/release/${libraryFileName}`,
        import.meta.url,
      );
      yield { path: urlToPath(cross), source: `local build for ${target}` };
    }
  }
  // The platform package next to atomicx in node_modules (Node, Bun, and Deno with a
  // node_modules directory), by bare name and, for Deno, by `npm:` specifier.
  const name = platformPackage();
  const manifest = resolveFile(`${name}/package.json`) ??
    resolveFile(`npm:${name}@${version}/package.json`);
  if (manifest) {
    yield { path: urlToPath(new URL(libraryFileName, manifest)), source: `npm package ${name}` };
  }
}

/**
 * Candidates that need waiting, tried only when every candidate of {@link candidates} failed: on
 * Deno without a `node_modules` directory (atomicx imported from JSR), the platform package is
 * imported by its `npm:` specifier, which has Deno download it into its npm cache, and its default
 * export is the library's URL. Empty on other runtimes.
 */
export async function deferredCandidates(): Promise<Candidate[]> {
  if (runtime !== "deno") return [];
  const specifier = `npm:${platformPackage()}@${version}`;
  try {
    const module = (await import(specifier)) as { default: string | URL };
    const url = new URL(module.default);
    if (url.protocol !== "file:") return [];
    return [{ path: urlToPath(url), source: `${specifier} (Deno npm cache)` }];
  } catch (error) {
    return [{
      path: specifier,
      source: `could not import ${specifier}: ${
        (error as Error)?.message?.split("\n")[0] ?? String(error)
      }`,
    }];
  }
}
