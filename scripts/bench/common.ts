/**
 * What the benchmark scripts share: this runtime's name and version, the lock-protected counter
 * the figures are compared with, and writing a result file.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import process from "node:process";
import { info } from "../../mod.ts";

/**
 * This runtime and in-process engine: the label the tables show (e.g. `Node 20 · wasm`,
 * `Bun · wasm+ffi`, `Deno · native`) and the version. Call it after the atomics were made, so
 * that the engine is the one they use (and, for the native engine, its FFI is known).
 */
export function runtimeInfo(): { label: string; version: string; engine: string } {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const { engine, native } = info();
  const ffi = native.loaded && engine !== "wasm" ? ` (${native.ffi})` : "";
  const suffix = ` · ${engine}${ffi}`;
  if (g.Deno) return { label: `Deno${suffix}`, version: g.Deno.version.deno, engine };
  if (g.Bun) return { label: `Bun${suffix}`, version: g.Bun.version, engine };
  const version = process.versions.node!;
  return { label: `Node ${version.split(".")[0]}${suffix}`, version, engine };
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
