// Where the repository and its pinned tools are. Plain JavaScript: it runs on any Node.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Path of a pinned tool in node_modules/.bin (deno, bun, node 26, tsx, ...). */
export const bin = (name) => join(root, "node_modules", ".bin", name);

/** Where the extra pinned Node versions (20.19, 22, 24) are installed, apart from the workspace's tools. */
export const extraNodes = join(root, "scripts", "node-versions");

/** The benchmarks' own package (their baselines: mitata, async-mutex, ...), installed on first use. */
export const benchPackages = join(root, "scripts", "bench");

/**
 * The installed version of an npm package the scripts use, from the benchmarks' package or the
 * workspace's (where a bench script resolves it), or `"?"` when neither has it.
 */
export function packageVersion(name) {
  for (const dir of [benchPackages, root]) {
    const path = join(dir, "node_modules", name, "package.json");
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")).version;
  }
  return "?";
}
