// Where the repository and its pinned tools are. Plain JavaScript: it runs on any Node.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Path of a pinned tool in node_modules/.bin (deno, bun, node 26, tsx, ...). */
export const bin = (name) => join(root, "node_modules", ".bin", name);

/** Where the extra pinned Node versions (22, 24) are installed, apart from the workspace's tools. */
export const extraNodes = join(root, "scripts", "node-versions");
