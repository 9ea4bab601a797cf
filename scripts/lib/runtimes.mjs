// How the demo and the benchmarks start a TypeScript script on each runtime atomicx supports.
import { extraNode } from "./extra_nodes.mjs";
import { bin, findSystemNode } from "./setup.mjs";

/** The runtimes, by key, in the order reports show them. */
export const RUNTIME_KEYS = ["deno", "bun", "node", "koffi"];

/**
 * What the benchmarks compare: every runtime with its default in-process engine, the other
 * engines beside it (`<key>-<engine>`, through ATOMICX_ENGINE), and Node 22 and 24 from npm.
 */
export const BENCH_KEYS = [
  "deno",
  "deno-native",
  "bun",
  "bun-wasm",
  "bun-native",
  "node",
  "node-native",
  "koffi",
  "koffi-native",
  "node22",
  "node24",
];

/**
 * The command that runs `script` on runtime `key`: Deno, Bun, the pinned Node 26 through
 * `node:ffi`, or the machine's own Node through koffi (tsx loads the TypeScript there).
 */
export function runtimeCommand(key, script) {
  const engine = key.match(/^(\w+)-(wasm|native)$/);
  if (engine) {
    const base = runtimeCommand(engine[1], script);
    return { ...base, env: { ...base.env, ATOMICX_ENGINE: engine[2] } };
  }
  switch (key) {
    case "node22":
    case "node24":
      return {
        command: extraNode(key.slice(4)) ?? `node${key.slice(4)}-not-installed`,
        args: ["--import", "tsx", script],
        env: { ATOMICX_FFI: "koffi" },
      };
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
