/**
 * Which JavaScript runtime this is, and the two things the loader needs from it: the environment
 * and the operating system. The only module (with the loaders) that reads `Deno`, `Bun` or
 * `process`.
 *
 * @module
 */

/** The runtimes atomicx knows. */
export type RuntimeName = "deno" | "bun" | "node";

interface RuntimeGlobals {
  Deno?: {
    build: { os: string; arch: string };
    env: { get(name: string): string | undefined };
  };
  Bun?: unknown;
  process?: {
    platform: string;
    arch: string;
    env: Record<string, string | undefined>;
    versions: Record<string, string | undefined>;
    execArgv?: string[];
    report?: { getReport(): { header?: { glibcVersionRuntime?: string } } };
    getBuiltinModule?: (name: string) => unknown;
  };
}

const globals = globalThis as unknown as RuntimeGlobals;

/** The runtime this module runs on. */
export const runtime: RuntimeName = globals.Deno !== undefined
  ? "deno"
  : globals.Bun !== undefined
  ? "bun"
  : "node";

/** Operating system, in Node's spelling (`linux`, `darwin`, `win32`, ...). */
export const os: string = globals.Deno
  ? (globals.Deno.build.os === "windows" ? "win32" : globals.Deno.build.os)
  : globals.process?.platform ?? "unknown";

/** CPU architecture, in Node's spelling (`x64`, `arm64`, ...). */
export const arch: string = globals.Deno
  ? ({ x86_64: "x64", aarch64: "arm64" }[globals.Deno.build.arch] ?? globals.Deno.build.arch)
  : globals.process?.arch ?? "unknown";

/**
 * Loads a module synchronously, without a top-level await: Bun's `import.meta.require`, Node's
 * `process.getBuiltinModule` (for `node:` modules) and `createRequire` (for packages such as koffi).
 * Throws when the module cannot be loaded.
 */
export function requireModule(specifier: string, from: string): unknown {
  const bunRequire = (globals.Bun !== undefined)
    ? (import.meta as unknown as { require?: (s: string) => unknown }).require
    : undefined;
  if (bunRequire) return bunRequire(specifier);
  const getBuiltin = (globals.process as { getBuiltinModule?: (s: string) => unknown } | undefined)
    ?.getBuiltinModule;
  if (getBuiltin === undefined) throw new Error(`cannot load ${specifier} synchronously here`);
  if (specifier.startsWith("node:")) {
    const builtin = getBuiltin(specifier);
    if (builtin === undefined) throw new Error(`this Node has no ${specifier}`);
    return builtin;
  }
  const { createRequire } = getBuiltin("node:module") as {
    createRequire(from: string): (s: string) => unknown;
  };
  return createRequire(from)(specifier);
}

/**
 * Reads an environment variable; `undefined` when it is unset or when the runtime does not allow
 * reading it (Deno without `--allow-env`).
 */
export function getEnv(name: string): string | undefined {
  try {
    return globals.Deno ? globals.Deno.env.get(name) : globals.process?.env[name];
  } catch {
    return undefined;
  }
}

/**
 * The C library on Linux: `"glibc"` or `"musl"` (`undefined` elsewhere). Node and Bun name the
 * glibc they run on in their diagnostic report; Deno is only built against glibc.
 */
export function linuxLibc(): "glibc" | "musl" | undefined {
  if (os !== "linux") return undefined;
  if (globals.Deno) return "glibc";
  try {
    const header = globals.process?.report?.getReport().header;
    if (header) return header.glibcVersionRuntime ? "glibc" : "musl";
  } catch {
    // no diagnostic report: fall through to the common case
  }
  return "glibc";
}

/**
 * A Node built-in module (`node:fs`, `node:net`) loaded synchronously, without an `await`, on Node
 * and Bun; `undefined` where the runtime has no `process.getBuiltinModule`.
 *
 * @example
 * ```ts
 * import { builtinModule } from "./_runtime.ts";
 *
 * const fs = builtinModule<typeof import("node:fs")>("node:fs");
 * ```
 */
export function builtinModule<T>(name: string): T | undefined {
  return globals.process?.getBuiltinModule?.(name) as T | undefined;
}

/**
 * This thread's place in its process: 0 on the main thread, Node's (and Bun's) `threadId` in a
 * `worker_threads` Worker, `undefined` in a Web Worker without one (Deno, browsers).
 *
 * @example
 * ```ts
 * import { threadPlace } from "./_runtime.ts";
 *
 * console.log(threadPlace()); // 0 on the main thread
 * ```
 */
export function threadPlace(): number | undefined {
  let nodeThread: unknown;
  try {
    nodeThread = builtinModule<{ threadId?: unknown }>("node:worker_threads")?.threadId;
  } catch {
    nodeThread = undefined;
  }
  if (typeof nodeThread === "number" && nodeThread > 0) return nodeThread;
  const g = globalThis as { WorkerGlobalScope?: unknown };
  const inWebWorker = typeof g.WorkerGlobalScope === "function" &&
    globalThis instanceof (g.WorkerGlobalScope as new () => object);
  return inWebWorker ? undefined : 0;
}
