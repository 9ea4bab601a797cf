// How the demo and the benchmarks start a TypeScript script on each runtime atomicx supports.
import { bin, findSystemNode } from "./setup.mjs";

/** The runtimes, by key, in the order reports show them. */
export const RUNTIME_KEYS = ["deno", "bun", "node", "koffi"];

/**
 * The command that runs `script` on runtime `key`: Deno, Bun, the pinned Node 26 through
 * `node:ffi`, or the machine's own Node through koffi (tsx loads the TypeScript there).
 */
export function runtimeCommand(key, script) {
  switch (key) {
    case "deno":
      return { command: bin("deno"), args: ["run", "-A", "--no-check", script], env: {} };
    case "bun":
      return { command: bin("bun"), args: [script], env: {} };
    case "node":
      return {
        command: bin("node"),
        args: ["--experimental-ffi", "--no-warnings", script],
        env: {},
      };
    case "koffi":
      return {
        command: findSystemNode(),
        args: ["--import", "tsx", script],
        env: { ATOMICX_FFI: "koffi" },
      };
    default:
      throw new Error(`unknown runtime ${key} (known: ${RUNTIME_KEYS.join(", ")})`);
  }
}
