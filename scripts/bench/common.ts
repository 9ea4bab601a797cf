/**
 * What the benchmark scripts share: this runtime's name and version, the lock-protected counter
 * the figures are compared with, and writing a result file.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import process from "node:process";
import { native } from "../../ffi/mod.ts";

/** This runtime and FFI: a short key for file names and the label the tables show. */
export function runtimeInfo(): { key: string; label: string; version: string } {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return { key: "deno", label: "Deno", version: g.Deno.version.deno };
  if (g.Bun) return { key: "bun", label: "Bun", version: g.Bun.version };
  const version = process.versions.node!;
  return native.backend === "koffi"
    ? { key: "koffi", label: `Node ${version.split(".")[0]} (koffi)`, version }
    : { key: "node", label: `Node ${version.split(".")[0]} (node:ffi)`, version };
}

/** The value of `--name` on the command line, or `fallback`. */
export function argument(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

/** Writes `data` as JSON to `path` (when given) so scripts/bench/main.mjs can build the report. */
export function writeResult(path: string, data: unknown): void {
  if (path) writeFileSync(path, JSON.stringify(data, null, 1));
}

/**
 * A mutex the way JavaScript code usually builds one (see scripts/demo/queens.ts): the
 * lock-protected counter is `lock(); words[1]++; unlock()`.
 */
export { lock, unlock } from "../demo/queens.ts";
