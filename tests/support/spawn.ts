/**
 * Running a TypeScript script in a new process of the runtime the tests run on, with the flags
 * that runtime needs, and collecting what it printed.
 *
 * @module
 */

import { spawn } from "node:child_process";

/** What a finished process printed and how it ended. */
export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const isBun = "Bun" in globalThis;

/** True on a Node that has `node:ffi` (26 and newer, behind --experimental-ffi). */

/**
 * The command that runs `script` the way this process runs: Deno with every permission, Bun as
 * is, Node with `node:ffi` when this process has it and through tsx (koffi) otherwise — Node 22
 * and 24 strip types too, but have no `node:ffi`. The same runtimes, started from outside, are
 * in the runtime table (scripts/lib/runtimes.mjs).
 */
export function runtimeCommand(script: string): [string, string[]] {
  if (deno) return [deno.execPath(), ["run", "--allow-all", "--no-check", script]];
  if (isBun) return [process.execPath, [script]];
  // node:ffi from Node 26 on; TypeScript by type stripping where Node has it, else through tsx.
  const ffi = Number(process.versions.node.split(".")[0]) >= 26 ? ["--experimental-ffi"] : [];
  const flags = process.features.typescript
    ? [...ffi, "--no-warnings"]
    : ["--import", "tsx", "--no-warnings"];
  return [process.execPath, [...flags, script]];
}

/** Runs `command` to completion (or kills it after `timeoutMs`). */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const child = spawn(command, args, {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
