#!/usr/bin/env node
// The README's code runs as pasted. Every fenced block of README.md carries a marker on the line
// before it saying what the test does with it:
//
//   <!-- docs: run deno bun node koffi -->      run the block on each runtime named (keys of the
//                                               runtime table, scripts/lib/runtimes.mjs)
//   <!-- docs: together deno bun node -->       start one process per runtime named at the same
//                                               time (a block about several processes)
//   <!-- docs: not run (REASON) -->             shell commands, layouts, output: nothing to run
//   <!-- docs: clone (REASON) -->               the Install block: its shell lines run as written
//                                               in a fresh clone of this repository's HEAD (the
//                                               `git clone` line clones it from here), with a new
//                                               npm project `my-project` beside it; then a program
//                                               there opens a region through the installed package
//
// An unmarked block fails the test. A block that is run is written to .tmp/docs/ beside a mod.ts
// that re-exports the repository's (and a metrics/mod.ts), with `from "atomicx"` (what a user of
// the package writes) pointed at it; a TypeScript block is also type-checked with `deno check`. Every run must
// exit 0 within two minutes; a hang fails. Also checks that every repository command answers
// `--help` without running anything. Ends with `docs: N passed, M failed`.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cli } from "../../scripts/lib/cli.mjs";
import { bin, root } from "../../scripts/lib/paths.mjs";
import { runtimeCommand, RUNTIMES, systemNode } from "../../scripts/lib/runtimes.mjs";

const { file: readme } = cli(
  "node tests/e2e/docs.mjs [options]: run the README's code blocks",
  {
    file: {
      type: "string",
      placeholder: "PATH",
      help: "the Markdown file",
      default: "README.md",
    },
  },
);

/** The fenced blocks of `text`: language, code, line number and the marker before it. */
function blocks(text) {
  const lines = text.split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\S*)\s*$/);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = lines[before]?.match(/^<!-- docs: (.*) -->$/)?.[1];
    found.push({
      lang: open[1],
      code: lines.slice(i + 1, end).join("\n"),
      line: i + 1,
      marker,
    });
    i = end;
  }
  return found;
}

let passed = 0;
let failed = 0;
/** Counts one result and prints it. */
function report(ok, line, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(
    ok ? `ok - ${line}` : `not ok - ${line}\n  ${detail.replaceAll("\n", "\n  ")}`,
  );
}

/** Runs `command` to its end (two minutes at most); resolves to its status and output. */
function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...clean, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on(
      "close",
      (code, signal) => resolve({ ok: code === 0, code: code ?? signal, output }),
    );
  });
}

/** The environment of a user who pasted the block: none of atomicx's variables. */
const clean = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("ATOMICX_")),
  ),
  NO_COLOR: "1",
};

const dir = join(root, ".tmp", "docs");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "mod.ts"), 'export * from "../../mod.ts";\n');
mkdirSync(join(dir, "metrics"));
writeFileSync(
  join(dir, "metrics", "mod.ts"),
  'export * from "../../../metrics/mod.ts";\n',
);

/**
 * Runs an Install block in a fresh clone of HEAD: its `git clone URL && cd DIR` line clones this
 * repository into DIR instead, every other line runs as written (bash, `set -e`), starting in the
 * clone, with an empty npm project `my-project` beside it. Then a program in my-project opens a
 * region and takes from a rate limiter through the installed package, on the machine's Node
 * (koffi). npm's cache makes `npm ci` cheap after the first run.
 */
function inFreshClone(where, code) {
  const lines = code.split("\n");
  const clone = lines[0].match(/^git clone \S+ && cd (\S+)$/);
  if (!clone) {
    report(false, `${where}: starts with "git clone URL && cd DIR"`, lines[0]);
    return;
  }
  const top = mkdtempSync(join(tmpdir(), "atomicx-install-"));
  try {
    const cloned = spawnSync("git", ["clone", "--quiet", root, join(top, clone[1])], {
      encoding: "utf8",
    });
    report(cloned.status === 0, `${where}: git clone of HEAD`, cloned.stderr);
    if (cloned.status !== 0) return;
    mkdirSync(join(top, "my-project"));
    writeFileSync(
      join(top, "my-project", "package.json"),
      '{ "name": "my-project", "private": true, "type": "module" }\n',
    );
    // What the user's shell has: no npm_* variables of an npm script running this test.
    const env = Object.fromEntries(Object.entries(clean).filter(([key]) => !/^npm_/i.test(key)));
    const script = ["set -e", ...lines.slice(1)].join("\n");
    const steps = spawnSync("bash", ["-c", script], {
      cwd: join(top, clone[1]),
      env: { ...env, npm_config_prefer_offline: "true", npm_config_audit: "false" },
      encoding: "utf8",
      timeout: 600_000,
    });
    report(
      steps.status === 0,
      `${where}: the Install commands, as written, in a fresh clone`,
      `exited ${steps.status ?? steps.signal}\n${steps.stdout}${steps.stderr}`,
    );
    if (steps.status !== 0) return;
    writeFileSync(
      join(top, "my-project", "main.mjs"),
      `import { SharedMemory } from "atomicx";
const region = SharedMemory.open("atomicx-install-" + process.pid, { capacity: 80 });
const limiter = region.rateLimiter("api", { limit: 2, windowMs: 60_000 });
console.log([1, 2, 3].map(() => limiter.take("203.0.113.7").allowed).join(" "));
region.close();
SharedMemory.unlink(region.name);
`,
    );
    const used = spawnSync(systemNode, ["main.mjs"], {
      cwd: join(top, "my-project"),
      env,
      encoding: "utf8",
    });
    report(
      used.status === 0 && used.stdout === "true true false\n" && used.stderr === "",
      `${where}: my-project uses the installed package (${RUNTIMES.koffi.label})`,
      `exited ${used.status}\n${used.stdout}${used.stderr}`,
    );
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

/** A block's package imports as a clone's files: "atomicx" → ./mod.ts, "atomicx/x" → ./x/mod.ts. */
function asPastedInClone(code) {
  return code.replace(
    /from "atomicx(?:\/(\w+))?"/g,
    (_, sub) => `from "./${sub ? `${sub}/` : ""}mod.ts"`,
  );
}

const all = blocks(readFileSync(join(root, readme), "utf8"));
report(all.length > 0, `${readme} has code blocks (${all.length})`);
for (const [index, block] of all.entries()) {
  const where = `${readme}:${block.line}`;
  const [mode, ...rest] = (block.marker ?? "").split(/\s+/);
  if (mode === "not") {
    report(
      /^run \(.+\)$/.test(rest.join(" ")),
      `${where}: not run, says why`,
      block.marker,
    );
    continue;
  }
  if (mode === "clone") {
    inFreshClone(where, block.code);
    continue;
  }
  if (mode !== "run" && mode !== "together") {
    report(
      false,
      `${where}: marked`,
      "a ```" + block.lang + " block without <!-- docs: ... -->",
    );
    continue;
  }
  const unknown = rest.filter((key) => !RUNTIMES[key]);
  if (rest.length === 0 || unknown.length > 0) {
    report(
      false,
      `${where}: names runtimes`,
      `unknown runtimes: ${unknown.join(", ") || "none"}`,
    );
    continue;
  }
  const file = join(
    dir,
    `block-${index}.${block.lang === "js" ? "mjs" : "ts"}`,
  );
  writeFileSync(file, `${asPastedInClone(block.code)}\n`);
  if (block.lang === "ts") {
    const checked = spawnSync(bin("deno"), [
      "check",
      "--no-config",
      "--quiet",
      file,
    ], {
      cwd: root,
      encoding: "utf8",
      env: clean,
    });
    report(
      checked.status === 0,
      `${where}: deno check`,
      `${checked.stdout}${checked.stderr}`,
    );
  }
  const start = (key) => {
    const { command, args, env } = runtimeCommand(key, file);
    return run(command, args, env);
  };
  if (mode === "together") {
    const results = await Promise.all(rest.map(start));
    results.forEach((result, i) =>
      report(
        result.ok,
        `${where}: ${rest[i]} (together with ${rest.filter((_, j) => j !== i).join(", ")})`,
        `exited ${result.code}\n${result.output}`,
      )
    );
  } else {
    for (const key of rest) {
      const result = await start(key);
      report(
        result.ok,
        `${where}: ${RUNTIMES[key].label}`,
        `exited ${result.code}\n${result.output}`,
      );
    }
  }
}
rmSync(dir, { recursive: true, force: true });

// Every repository command explains itself: `--help` prints its options and does nothing else.
for (
  const script of [
    "scripts/test-all.mjs",
    "scripts/demo/main.mjs",
    "scripts/bench/main.mjs",
    "scripts/bench/shm.mjs",
    "scripts/bench/redis.mjs",
    "scripts/bench/rate_limit.mjs",
    "scripts/build-npm.mjs",
    "tests/e2e/run.mjs",
    "tests/e2e/examples.mjs",
    "tests/browser/run.mjs",
    "tests/windows/run.mjs",
  ]
) {
  const help = spawnSync(process.execPath, [script, "--help"], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
  });
  report(
    help.status === 0 && help.stdout.includes("--help") &&
      !help.stdout.includes("== "),
    `${script} --help prints its options and runs nothing`,
    `exited ${help.status ?? help.signal}\n${help.stdout}${help.stderr}`,
  );
}
console.log(`\ndocs: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
