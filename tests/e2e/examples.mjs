#!/usr/bin/env node
// Runs every program in examples/ (`examples/*.ts`, and `examples/*/main.ts` for an example that
// is a folder of modules) with each command its header comment shows (`deno run ...`, `bun ...`,
// `node --experimental-ffi ...` on the pinned Node 26; an `npx tsx ...` line runs on the machine's
// Node through koffi), exactly as written there, so the comments cannot rot. Each example checks
// its own result and exits non-zero on a mismatch. Also checks the JSDoc: `deno doc --lint`, an
// example on every export, and every example of every published module (mod.ts, browser.ts, src/,
// engine/, wasm/, ffi/) runs — one that cannot (marked `ignore`) says why and is type-checked.
// Ends with `examples: N passed, M failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cli } from "../../scripts/lib/cli.mjs";
import { bin, root } from "../../scripts/lib/paths.mjs";
import { systemNode } from "../../scripts/lib/runtimes.mjs";

cli("node tests/e2e/examples.mjs: every example as its header runs it, and the JSDoc examples", {});
/**
 * The header's commands of an example: lines like `//   deno run --allow-ffi examples/x.ts`,
 * each turned into the pinned executable it names and the arguments as written.
 */
function headerCommands(file) {
  const text = readFileSync(join(root, file), "utf8");
  const header = text.slice(0, text.search(/^import /m));
  const commands = [];
  for (const [, line] of header.matchAll(/^\/\/ {3}(\S.*?\.ts)\b/gm)) {
    const words = line.split(/\s+/);
    if (words[0] === "deno") commands.push({ command: bin("deno"), args: words.slice(1) });
    else if (words[0] === "bun") commands.push({ command: bin("bun"), args: words.slice(1) });
    else if (words[0] === "node") commands.push({ command: bin("node"), args: words.slice(1) });
    else if (words[0] === "npx" && words[1] === "tsx") {
      commands.push({ command: systemNode, args: ["--import", "tsx", ...words.slice(2)] });
    } else throw new Error(`${file}: unknown command in its header: ${line}`);
    commands.at(-1).line = line;
  }
  return commands;
}
// A program of its own is `examples/NAME.ts`; an example with several modules is a folder whose
// entry is `examples/NAME/main.ts` (its other modules are imported, not run).
const examples = readdirSync(join(root, "examples"), { withFileTypes: true }).flatMap((entry) =>
  entry.isFile() && entry.name.endsWith(".ts")
    ? [entry.name]
    : entry.isDirectory() && existsSync(join(root, "examples", entry.name, "main.ts"))
    ? [`${entry.name}/main.ts`]
    : []
).sort();
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith("ATOMICX_")),
);

/** The .ts files under `dir`, at any depth, relative to the repository. */
function sources(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(`${dir}/${entry.name}`)
      : entry.name.endsWith(".ts")
      ? [`${dir}/${entry.name}`]
      : []
  ).sort();
}
/** Every module the packages publish: the entries and every directory they import from. */
const published = [
  "mod.ts",
  "browser.ts",
  ...["src", "engine", "wasm", "ffi", "metrics"].flatMap(sources),
];

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
const entries = ["mod.ts", "browser.ts", "metrics/mod.ts"];
const lint = spawnSync(bin("deno"), ["doc", "--lint", ...entries], { cwd: root, encoding: "utf8" });
report(lint.status === 0, `deno doc --lint ${entries.join(" ")}`, `${lint.stdout}${lint.stderr}`);
// One entry per run: a symbol both entries export would otherwise be listed once without its docs.
const docs = entries.map((entry) =>
  spawnSync(bin("deno"), ["doc", "--json", entry], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  })
);
const doc = { stderr: docs.map((d) => d.stderr).join("") };
const exported = docs.every((d) => d.status === 0)
  ? docs.flatMap((d) => Object.values(JSON.parse(d.stdout).nodes).flatMap((m) => m.symbols))
  : [];
const withoutExample = exported.filter((symbol) =>
  !symbol.declarations.some((d) => (d.jsDoc?.tags ?? []).some((t) => t.kind === "example"))
).map((symbol) => symbol.name);
report(
  exported.length > 0 && withoutExample.length === 0,
  `every export of ${entries.join(", ")} has an @example (${exported.length} exports)`,
  `${doc.stderr}without an example: ${withoutExample.join(", ")}`,
);
const docTests = spawnSync(bin("deno"), ["test", "--doc", "--allow-all", ...published], {
  cwd: root,
  encoding: "utf8",
  env: { ...env, NO_COLOR: "1" },
  maxBuffer: 64 * 1024 * 1024,
});
report(
  docTests.status === 0,
  `deno test --doc over ${published.length} published modules: ${
    docTests.stdout.match(/(\d+) passed \| (\d+) failed/)?.[0]
  }`,
  `${docTests.stdout}${docTests.stderr}`,
);
// An example marked `ignore` (one that cannot run here, e.g. it needs a page and a Worker file)
// must say why just above it, and is still type-checked: with the DOM library when it imports
// the browser entry.
const scratch = mkdtempSync(join(tmpdir(), "atomicx-doc-examples-"));
for (const file of published) {
  const text = readFileSync(join(root, file), "utf8");
  const blocks = text.matchAll(
    /((?:^ \*.*\n){0,3})^ \* ```ts ignore\n((?:^ \*(?! ```).*\n)*)^ \* ```/gm,
  );
  for (const [whole, before, body] of blocks) {
    const line = text.slice(0, text.indexOf(whole)).split("\n").length + before.split("\n").length -
      1;
    const where = `${file}:${line}`;
    report(/not run/i.test(before), `${where}: an ignored example says why it is not run`, before);
    const code = body.split("\n").map((l) => l.replace(/^ \* ?/, "")).join("\n");
    const dom = code.includes('"@atomicx/atomicx/browser"') ? '/// <reference lib="dom" />\n' : "";
    const path = join(scratch, `${file.replaceAll("/", "_")}-${line}.ts`);
    writeFileSync(path, `${dom}${code}`);
    const result = spawnSync(bin("deno"), ["check", "--config", "deno.json", path], {
      cwd: root,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1" },
    });
    report(
      result.status === 0,
      `${where}: the ignored example type-checks`,
      `${result.stdout}${result.stderr}`,
    );
  }
}
rmSync(scratch, { recursive: true, force: true });
for (const example of examples) {
  const file = join("examples", example);
  const commands = headerCommands(file);
  report(commands.length >= 3, `${file}: its header shows a command for every runtime`);
  for (const { command, args, line } of commands) {
    const result = spawnSync(command, args, {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    report(
      result.status === 0,
      `${line}: ${result.stdout?.trim().split("\n").at(-1)}`,
      `exited ${result.status ?? result.signal}\n${result.stdout}${result.stderr}${
        result.error ?? ""
      }`,
    );
  }
}
console.log(`\nexamples: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
