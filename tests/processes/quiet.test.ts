// A correct program prints nothing on stderr: a main thread and Workers that wait on a region
// (asynchronously and blocking), on Deno, Bun, Node 20/22/24 (koffi) and Node 26 (node:ffi), run
// without `--no-warnings` (Node 26 hides only the ExperimentalWarning of `--experimental-ffi`,
// which the user asked for). Its own suite of `npm test`, run with Node 26:
//   node --experimental-ffi --test tests/processes/quiet.test.ts
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { SharedMemory } from "../../mod.ts";
import { runtimeCommand, RUNTIMES } from "../../scripts/lib/runtimes.mjs";
import { assert } from "../support/assert.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const program = fileURLToPath(new URL("../fixtures/quiet_program.ts", import.meta.url));

for (const key of ["deno", "bun", "koffi", "node22", "node24", "node"]) {
  test(`quiet: Workers waiting on a region print nothing on stderr (${RUNTIMES[key].label})`, () => {
    const { command, args, env } = runtimeCommand(key, program);
    const flags = args.flatMap((arg: string) =>
      arg !== "--no-warnings"
        ? [arg]
        : key === "node"
        ? ["--disable-warning=ExperimentalWarning"]
        : []
    );
    const name = `atomicx-quiet-${key}-${process.pid}`;
    try {
      const run = spawnSync(command, [...flags, name], {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(run.stderr, "");
      assert.equal(run.stdout, "done\n");
      assert.equal(run.status, 0);
    } finally {
      SharedMemory.unlink(name);
    }
  });
}
