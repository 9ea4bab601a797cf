#!/usr/bin/env node
// `npm run demo`: the parallel N-Queens count on every runtime (Deno, Bun, Node 26 through
// node:ffi, and the machine's Node through koffi), with installs and the native build first, like
// `npm test`. Each runtime prints its own table as it goes; this script ends with the 2-Worker
// speedups side by side and `demo: N passed, M failed` (one check per run). Exits 1 if any count
// is wrong or a runtime fails.
//
//   node scripts/demo/main.mjs [--help] (options below)
//
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { cli } from "../lib/cli.mjs";
import { RUNTIME_KEYS, runtimeCommand } from "../lib/runtimes.mjs";
import { buildNative, installDependencies, root } from "../lib/setup.mjs";

const options = cli(
  "npm run demo [-- options]: the parallel N-Queens count on every runtime",
  {
    n: { type: "string", placeholder: "N", help: "board size", default: "14" },
    workers: { type: "string", placeholder: "LIST", help: "Worker counts", default: "1,2,4,8" },
    repeat: { type: "string", placeholder: "K", help: "timed runs per cell", default: "3" },
    variants: { type: "string", placeholder: "LIST", help: "which solvers (default: all)" },
    runtimes: {
      type: "string",
      placeholder: "LIST",
      help: "which runtimes",
      default: RUNTIME_KEYS.join(","),
    },
    out: {
      type: "string",
      placeholder: "DIR",
      help: "where the JSON results go",
      default: join(".tmp", "demo"),
    },
    "skip-setup": { type: "boolean", help: "do not install tools or build the library first" },
  },
);
const passThrough = ["n", "workers", "repeat", "variants"].flatMap((name) =>
  options[name] !== undefined ? [`--${name}`, options[name]] : []
);
const wanted = options.runtimes.split(",");
const failedSetup = () => console.log("demo: 0 passed, 1 failed");

if (!options["skip-setup"]) {
  installDependencies(failedSetup);
  buildNative(failedSetup);
}

const script = join(root, "scripts", "demo", "nqueens.ts");
const outDir = join(root, options.out);
mkdirSync(outDir, { recursive: true });
const started = Date.now();
const reports = [];
let passed = 0, failed = 0;
for (const name of wanted) {
  let runtime;
  try {
    runtime = runtimeCommand(name, script);
  } catch (error) {
    console.error(error.message);
    failed++;
    continue;
  }
  const json = join(outDir, `${name}.json`);
  rmSync(json, { force: true });
  console.log("");
  const result = spawnSync(runtime.command, [...runtime.args, ...passThrough, "--json", json], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...runtime.env },
  });
  let report;
  try {
    report = JSON.parse(readFileSync(json, "utf8"));
  } catch {
    console.error(`${name}: the demo did not finish (exit ${result.status ?? result.signal})`);
    failed++;
    continue;
  }
  reports.push(report);
  const ok = report.cells.filter((c) => c.ok).length;
  const warmFailures = report.failures - (report.cells.length - ok);
  passed += ok;
  failed += report.failures;
  if (result.status !== 0 && report.failures === 0) failed++;
  if (warmFailures > 0) console.error(`${name}: ${warmFailures} warm-up run(s) had a wrong count`);
}

// Side by side: what 2 Workers buy over 1 on each runtime, for each variant.
if (reports.length > 0 && reports[0].cells.some((c) => c.workers === 2)) {
  const variants = [...new Set(reports[0].cells.map((c) => c.variant))];
  const short = {
    "local-atomic": "(a)",
    "local-lock": "(a')",
    lock: "(b)",
    "lock-hand": "(b')",
    atomicx: "(c)",
    atomics: "(d)",
  };
  const width = Math.max(...reports.map((r) => r.label.length));
  // A target means something only for runs long enough to time (each runtime's report says).
  const timed = reports.every((r) => !r.tooSmall);
  console.log(
    `\n== N-Queens n=${reports[0].n}: speedup of 2 Workers over 1 ${
      timed
        ? "(target ≥ 1.80×)"
        : "(runs too short to time: these ratios mean nothing; this run checks counts)"
    }`,
  );
  console.log(`${"".padEnd(width)}  ${variants.map((v) => short[v].padStart(7)).join("")}`);
  for (const r of reports) {
    const speedups = variants.map((v) => {
      const one = r.cells.find((c) => c.variant === v && c.workers === 1);
      const two = r.cells.find((c) => c.variant === v && c.workers === 2);
      return one && two ? `${(one.ms / two.ms).toFixed(2)}×`.padStart(7) : "".padStart(7);
    });
    const two = r.cells.filter((c) => c.workers === 2);
    const used = two.reduce((sum, c) => sum + (c.cores ?? 0), 0) / two.length;
    const busy = timed && used < 1.6
      ? `  (machine busy: the 2-Worker runs got ${used.toFixed(2)} cores)`
      : "";
    console.log(`${r.label.padEnd(width)}  ${speedups.join("")}${busy}`);
  }
  console.log(
    "(a) local count + 1 AtomicInt.add per Worker, (a') local count + Mutex once per Worker, " +
      "(b) Mutex per solution,\n(b') hand-written Atomics mutex per solution, (c) AtomicInt.add per solution, (d) built-in Atomics.add per " +
      "solution. Times are the best of the repeats on a\nmachine that may be running other work; " +
      "4 and 8 Workers cannot beat the core count.",
  );
}
console.log(
  `\ndemo: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(failed === 0 ? 0 : 1);
