/**
 * The one platform table: every machine atomicx ships a native library for, with what npm matches
 * on (`os`, `cpu`, `libc`), the Rust target that builds the library and the library's file name.
 * The platform packages (`@atomicx/<key>`), the loader's candidate paths (`_find.ts`), the npm build
 * (`scripts/build-npm.mjs`) and the package tests all read it; nothing repeats it.
 *
 * @module
 */

/**
 * The version of atomicx, of its npm packages and of the platform package it loads. A plain
 * constant rather than an import of `deno.json` (a JSON module import needs Node 20.10+ and prints
 * an `ExperimentalWarning` on Node 20); tests/cases/platforms.ts checks that it equals
 * `deno.json`'s `version`, the one a release bumps.
 *
 * @example The platform package to load
 * ```ts
 * import { version } from "./_platforms.ts";
 *
 * console.log(`npm:@atomicx/linux-x64-gnu@${version}`);
 * ```
 */
export const version: string = "0.1.0";

/**
 * One platform a native library is built for.
 *
 * @example
 * ```ts
 * import type { Platform } from "./_platforms.ts";
 *
 * const name = (p: Platform) => `@atomicx/${p.key}`;
 * console.log(name({ key: "darwin-arm64" } as Platform));
 * ```
 */
export interface Platform {
  /** The platform package's suffix, napi-rs style: `@atomicx/<key>`. */
  readonly key: string;
  /** `process.platform` / `Deno.build.os` in Node's spelling. */
  readonly os: "linux" | "darwin" | "win32";
  /** `process.arch` in Node's spelling. */
  readonly cpu: "x64" | "arm64";
  /** The C library on Linux, as npm's `libc` field names it. */
  readonly libc?: "glibc" | "musl";
  /** The Rust target triple that builds the library. */
  readonly rustTarget: string;
  /** The library's file name. */
  readonly library: string;
  /** How people name the platform (READMEs and descriptions). */
  readonly title: string;
}

const linux = (cpu: "x64" | "arm64", libc: "glibc" | "musl", rustCpu: string): Platform => ({
  key: `linux-${cpu}-${libc === "glibc" ? "gnu" : "musl"}`,
  os: "linux",
  cpu,
  libc,
  rustTarget: `${rustCpu}-unknown-linux-${libc === "glibc" ? "gnu" : "musl"}`,
  library: "libatomicx.so",
  title: `Linux ${cpu} (${libc === "glibc" ? "glibc" : "musl, e.g. Alpine"})`,
});

/**
 * Every platform, sorted by key.
 *
 * @example The Rust targets a release builds
 * ```ts
 * import { PLATFORMS } from "./_platforms.ts";
 *
 * for (const p of PLATFORMS) console.log(`cargo build --release --target ${p.rustTarget}`);
 * ```
 */
export const PLATFORMS: readonly Platform[] = [
  {
    key: "darwin-arm64",
    os: "darwin",
    cpu: "arm64",
    rustTarget: "aarch64-apple-darwin",
    library: "libatomicx.dylib",
    title: "macOS arm64 (Apple silicon)",
  },
  {
    key: "darwin-x64",
    os: "darwin",
    cpu: "x64",
    rustTarget: "x86_64-apple-darwin",
    library: "libatomicx.dylib",
    title: "macOS x64",
  },
  linux("arm64", "glibc", "aarch64"),
  linux("arm64", "musl", "aarch64"),
  linux("x64", "glibc", "x86_64"),
  linux("x64", "musl", "x86_64"),
  {
    key: "win32-arm64-msvc",
    os: "win32",
    cpu: "arm64",
    rustTarget: "aarch64-pc-windows-msvc",
    library: "atomicx.dll",
    title: "Windows arm64",
  },
  // Built with MinGW (the Windows target Debian's rustc has, and the one the Windows suite tests
  // under wine). The DLL imports system DLLs only (kernel32, msvcrt, the synchronization API set,
  // ...), so MSVC-built runtimes (Node, Deno and Bun for Windows) load it: there is no separate
  // -msvc x64 package (docs/platforms.md).
  {
    key: "win32-x64-gnu",
    os: "win32",
    cpu: "x64",
    rustTarget: "x86_64-pc-windows-gnu",
    library: "atomicx.dll",
    title: "Windows x64",
  },
];

/**
 * The platform for an operating system, CPU and (on Linux) C library, or `undefined` when atomicx
 * ships no library for it.
 *
 * @example
 * ```ts
 * import { platformFor } from "./_platforms.ts";
 *
 * console.log(platformFor("linux", "arm64", "musl")?.key); // "linux-arm64-musl"
 * ```
 */
export function platformFor(
  os: string,
  cpu: string,
  libc?: "glibc" | "musl",
): Platform | undefined {
  return PLATFORMS.find((p) =>
    p.os === os && p.cpu === cpu && (p.os !== "linux" || p.libc === (libc ?? "glibc"))
  );
}

/**
 * The library's file name on an operating system (`libatomicx.so`, `.dylib`, `atomicx.dll`).
 *
 * @example
 * ```ts
 * import { libraryFileFor } from "./_platforms.ts";
 *
 * console.log(libraryFileFor("darwin")); // "libatomicx.dylib"
 * ```
 */
export function libraryFileFor(os: string): string {
  return PLATFORMS.find((p) => p.os === os)?.library ?? "libatomicx.so";
}
