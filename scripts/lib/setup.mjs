// What every repository command does before it runs anything: find the repository and its pinned
// tools, install those tools when node_modules is missing or stale, and build the native library.
// Shared by `npm test` (scripts/test-all.mjs), `npm run demo` and `npm run bench`. Plain JavaScript
// on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { benchPackages, extraNodes, root } from "./paths.mjs";

export { bin, root } from "./paths.mjs";

/**
 * Runs a setup step, streaming its output; exits the whole command if it fails. `onFailure` runs
 * first (e.g. to print a summary line a caller parses).
 */
export function setup(title, command, args, options = {}, onFailure = () => {}) {
  console.log(`\n== ${title}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`setup step "${title}" failed (exit ${result.status ?? result.signal})`);
    onFailure();
    process.exit(1);
  }
}

/** Installs the pinned tools when node_modules is missing or older than the lockfile. */
export function installDependencies(onFailure) {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  setup("install pinned tools", "npm", ["ci", "--no-audit", "--no-fund"], {}, onFailure);
}

/** Builds the native library (`cargo build --release` in native/). */
export function buildNative(onFailure) {
  setup("build native library", "cargo", ["build", "--release", "--quiet"], {
    cwd: join(root, "native"),
  }, onFailure);
}

/** Runs `npm ci` in the package directory `dir` when its node_modules is missing or stale. */
function installPackageDir(title, dir, onFailure) {
  const marker = join(dir, "node_modules", ".package-lock.json");
  const lock = join(dir, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  setup(title, "npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir }, onFailure);
}

/**
 * Installs the extra pinned Node versions (20.19, 22 and 24, scripts/node-versions/) on Linux x64,
 * the one platform their packages exist for, when missing or older than their lockfile. Elsewhere
 * the Node 20.19, 22 and 24 runs are left out.
 */
export function installExtraNodes(onFailure) {
  if (process.platform !== "linux" || process.arch !== "x64") return;
  installPackageDir("install Node 20.19, 22 and 24", extraNodes, onFailure);
}

/**
 * Installs the benchmarks' baselines (scripts/bench/package.json: mitata, async-mutex,
 * proper-lockfile, rate-limiter-flexible, redis-semaphore) when missing or stale. Only the bench
 * scripts call it, so `npm test` never installs them.
 */
export function installBenchDependencies(onFailure) {
  installPackageDir("install the benchmarks' baselines", benchPackages, onFailure);
}
