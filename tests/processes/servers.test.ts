// Regions as servers use them, on Deno, Bun, Node 20/22/24 (koffi) and Node 26 (node:ffi), run
// without `--no-warnings` (Node 26 hides only the ExperimentalWarning of `--experimental-ffi`,
// which the user asked for):
// - a correct program prints nothing on stderr: a main thread and Workers that wait on a region
//   (asynchronously and blocking);
// - a region another user created, attached with `allowForeignOwner`, gives handles that work in
//   Workers (the region is created by `nobody`: the test runs as root);
// - regions opened and dropped without close() are unmapped by the collector, with one warning.
// Its own suite of `npm test`, run with Node 26:
//   node --experimental-ffi --test tests/processes/quiet.test.ts
import { spawnSync } from "node:child_process";
import { chownSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { SharedMemory } from "../../mod.ts";
import { runtimeCommand, RUNTIMES as TABLE } from "../../scripts/lib/runtimes.mjs";
import { assert } from "../support/assert.ts";
import { regionFile } from "../support/regions.ts";

const RUNTIMES = TABLE as Record<string, { label: string }>;
const root = fileURLToPath(new URL("../../", import.meta.url));
const program = fileURLToPath(new URL("../fixtures/quiet_program.ts", import.meta.url));

/** Runs `script` on runtime `key` with warnings shown (and `extra` runtime flags). */
function runShowingWarnings(
  key: string,
  script: string,
  args: string[],
  options: { extra?: string[] } = {},
) {
  const { command, args: base, env } = runtimeCommand(key, script);
  const flags = base.flatMap((arg: string) =>
    arg !== "--no-warnings"
      ? [arg]
      : key === "node"
      ? ["--disable-warning=ExperimentalWarning"]
      : []
  );
  const before = key === "deno" ? flags.slice(0, 1) : [];
  const rest = key === "deno" ? flags.slice(1) : flags;
  const gc = options.extra ?? [];
  return spawnSync(command, [...before, ...gc, ...rest, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

for (const key of ["deno", "bun", "koffi", "node22", "node24", "node"]) {
  test(`quiet: Workers waiting on a region print nothing on stderr (${RUNTIMES[key].label})`, () => {
    const name = `atomicx-quiet-${key}-${process.pid}`;
    try {
      const run = runShowingWarnings(key, program, [name]);
      assert.equal(run.stderr, "");
      assert.equal(run.stdout, "done\n");
      assert.equal(run.status, 0);
    } finally {
      SharedMemory.unlink(name);
    }
  });
}

const foreign = fileURLToPath(new URL("../fixtures/foreign_program.ts", import.meta.url));
const NOBODY = 65534;

for (const key of ["deno", "bun", "node", "koffi"]) {
  test(
    `foreign owner: handles of a region attached with allowForeignOwner work in Workers (${
      RUNTIMES[key].label
    })`,
    (t) => {
      if (process.getuid?.() !== 0) {
        t.skip("needs root, to give the region to another user (nobody)");
        return;
      }
      const name = `atomicx-foreign-${key}-${process.pid}`;
      try {
        // Made here, then given to nobody: a child running as nobody could not read a clone that
        // lives in a directory only root may enter (mktemp -d), and the owner is what is checked.
        const created = runShowingWarnings("node", foreign, ["create", name]);
        assert.equal(created.stderr, "");
        assert.equal(created.status, 0);
        chownSync(regionFile(name), NOBODY, NOBODY);
        const used = runShowingWarnings(key, foreign, ["use", name]);
        assert.equal(used.stderr, "");
        assert.deepEqual(JSON.parse(used.stdout), {
          refused: true, // without the option: refused, naming it
          flag: true, // the handles carry it
          done: [1000, 1000],
          n: 2000,
          a: [500, 500, 500, 500],
        });
      } finally {
        SharedMemory.unlink(name);
      }
    },
  );
}

const leak = fileURLToPath(new URL("../fixtures/leak_program.ts", import.meta.url));
const gcFlag: Record<string, string[]> = {
  deno: ["--v8-flags=--expose-gc"],
  bun: [],
  node: ["--expose-gc"],
  koffi: ["--expose-gc"],
};

for (const key of ["deno", "bun", "node", "koffi"]) {
  test(
    `leaks: 200 regions dropped without close() are unmapped, with one warning (${
      RUNTIMES[key].label
    })`,
    () => {
      const name = `atomicx-leak-${key}-${process.pid}`;
      try {
        const run = runShowingWarnings(key, leak, [name], { extra: gcFlag[key] });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), { before: 200, after: 0 });
        const warnings = run.stderr.split("\n").filter((l) => l.includes("without close()"));
        assert.equal(warnings.length, 1, run.stderr);
        assert.ok(warnings[0].includes(`region ("${name}") was dropped without close()`));
      } finally {
        SharedMemory.unlink(name);
      }
    },
  );
}
