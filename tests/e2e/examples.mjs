#!/usr/bin/env node
// Runs every program in examples/ as it is, on Deno, Bun and Node 26 (node:ffi), with the commands
// their headers show. Each example checks its own result and exits non-zero on a mismatch. Also
// checks the JSDoc: `deno doc --lint`, an example on every export, and every example runs.
// Ends with `examples: N passed, M failed`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const runtimes = [
  ["deno", bin("deno"), ["run", "--allow-ffi", "--allow-read"]],
  ["bun", bin("bun"), []],
  ["node 26", bin("node"), ["--experimental-ffi", "--no-warnings"]],
];
const examples = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts")).sort();
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith("ATOMICX_")),
);

/** The .ts files directly in `dir`, relative to the repository. */
function sources(dir) {
  return readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts")).map((f) => `${dir}/${f}`);
}

let passed = 0;
let failed = 0;
/** Counts one result and prints it. */
function report(ok, line, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(ok ? `ok - ${line}` : `not ok - ${line}\n${detail}`);
}
report(examples.length > 0, "examples/ has programs");
// Running does not typecheck; a user's editor and `deno check` do.
const checked = spawnSync(bin("deno"), ["check", "examples/"], { cwd: root, encoding: "utf8" });
report(checked.status === 0, "deno check examples/", `${checked.stdout}${checked.stderr}`);
// The JSDoc: `deno doc --lint` clean, an example on every export of mod.ts, and every example
// type-checks and runs (`deno test --doc`).
const lint = spawnSync(bin("deno"), ["doc", "--lint", "mod.ts"], { cwd: root, encoding: "utf8" });
report(lint.status === 0, "deno doc --lint mod.ts", `${lint.stdout}${lint.stderr}`);
const doc = spawnSync(bin("deno"), ["doc", "--json", "mod.ts"], {
  cwd: root,
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
});
const exported = doc.status === 0
  ? Object.values(JSON.parse(doc.stdout).nodes).flatMap((module) => module.symbols)
  : [];
const withoutExample = exported.filter((symbol) =>
  !symbol.declarations.some((d) => (d.jsDoc?.tags ?? []).some((t) => t.kind === "example"))
).map((symbol) => symbol.name);
report(
  exported.length > 0 && withoutExample.length === 0,
  `every export of mod.ts has an @example (${exported.length} exports)`,
  `${doc.stderr}without an example: ${withoutExample.join(", ")}`,
);
const docTests = spawnSync(
  bin("deno"),
  ["test", "--doc", "--allow-all", "mod.ts", ...sources("src"), ...sources("src/arrays")],
  { cwd: root, encoding: "utf8", env: { ...env, NO_COLOR: "1" } },
);
report(
  docTests.status === 0,
  `deno test --doc: ${docTests.stdout.match(/(\d+) passed \| (\d+) failed/)?.[0]}`,
  `${docTests.stdout}${docTests.stderr}`,
);
for (const example of examples) {
  for (const [name, command, args] of runtimes) {
    const file = join("examples", example);
    const result = spawnSync(command, [...args, file], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    report(
      result.status === 0,
      `${name} ${file}: ${result.stdout?.trim().split("\n").at(-1)}`,
      `exited ${result.status ?? result.signal}\n${result.stdout}${result.stderr}${
        result.error ?? ""
      }`,
    );
  }
}
console.log(`\nexamples: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
