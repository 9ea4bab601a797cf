#!/usr/bin/env node
// The one test command (`npm test`): installs what is missing, builds the native library, then runs
// every suite on every runtime, prints each suite's counts and ends with `N passed, M failed`.
// Plain JavaScript on purpose: it must run on a fresh machine's Node before anything is installed.
import { spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { cli } from "./lib/cli.mjs";
import { RUNTIMES, testCommand } from "./lib/runtimes.mjs";
import { bin, buildNative, installDependencies, installExtraNodes, root } from "./lib/setup.mjs";

const options = cli("npm test [-- --only NAME]: every suite on every runtime", {
  only: {
    type: "string",
    placeholder: "TEXT",
    help: "run only the suites whose name contains TEXT (setup still runs)",
  },
});
/** What a failed setup step prints before exiting: the summary line the CI reads. */
const failedSetup = () => console.log("0 passed, 1 failed");

installDependencies(failedSetup);
installExtraNodes(failedSetup);
buildNative(failedSetup);

/** A suite: a command whose output is parsed for its pass and fail counts. */
const suites = [
  {
    name: "rust: cargo test",
    command: "cargo",
    args: ["test", "--release", "--quiet"],
    cwd: join(root, "native"),
    count: (out) => sumMatches(out, /test result: \w+\. (\d+) passed; (\d+) failed/g),
  },
  {
    name: "rust: cargo clippy -D warnings",
    command: "cargo",
    args: ["clippy", "--all-targets", "--quiet", "--", "-D", "warnings"],
    cwd: join(root, "native"),
  },
  {
    name: "rust: cargo fmt --check",
    command: "cargo",
    args: ["fmt", "--check"],
    cwd: join(root, "native"),
  },
  { name: "deno fmt --check", command: bin("deno"), args: ["fmt", "--check"] },
  { name: "deno lint", command: bin("deno"), args: ["lint"] },
  {
    name: "deno check",
    command: bin("deno"),
    args: [
      "check",
      "mod.ts",
      "browser.ts",
      "metrics/mod.ts",
      "tests/metrics/",
      "redis/mod.ts",
      "tests/runners/cases_on_deno.test.ts",
      "tests/fixtures/",
      "tests/processes/",
      "tests/support/",
      "tests/redis/",
      "tests/windows/",
    ],
  },
  {
    // The embedded module is what wasm/generate.mjs builds from its tables, byte for byte.
    name: "wasm: embedded module matches its generator",
    command: process.execPath,
    args: ["wasm/generate.mjs", "--check"],
  },
  // The conformance cases on every runtime (Deno, Bun, Node 26 through node:ffi, the machine's
  // Node, Node 22 and 24 through koffi), once per in-process engine: the default (WebAssembly;
  // wasm+ffi on Bun) and the native library (ATOMICX_ENGINE=native).
  ...["", "-native"].flatMap((engine) => [
    {
      ...testCommand(`deno${engine}`, "tests/runners/cases_on_deno.test.ts"),
      // Type checking is its own suite above; checking again in every Worker would only cost time.
      name: `${RUNTIMES.deno.label} test${engine && " [engine: native]"}`,
      count: (out) => lastMatch(out, /(\d+) passed \S* ?\| (\d+) failed/g),
    },
    {
      ...testCommand(`bun${engine}`, "./tests/runners/cases_on_bun.test.ts"),
      name: `${RUNTIMES.bun.label} test${engine && " [engine: native]"}`,
      count: (out) => {
        const pass = out.match(/^\s*(\d+) pass\s*$/m);
        const fail = out.match(/^\s*(\d+) fail\s*$/m);
        return pass && fail ? [Number(pass[1]), Number(fail[1])] : undefined;
      },
    },
    ...["node", "koffi", "node22", "node24"].map((key) => ({
      ...testCommand(`${key}${engine}`, "tests/runners/cases_on_node.test.ts"),
      name: `${RUNTIMES[key].label} test${engine && " [engine: native]"}`,
      count: nodeCounts,
    })),
  ]),
  {
    // A smoke run of the demo (not a timing: the board is tiny): every variant, 1 and 2 Workers,
    // every runtime, each count checked, so the README's main command cannot silently rot.
    name: "demo smoke run (n=8, every runtime)",
    command: process.execPath,
    args: [
      "scripts/demo/main.mjs",
      "--n",
      "8",
      "--workers",
      "1,2",
      "--repeat",
      "1",
      "--skip-setup",
    ],
    count: (out) => lastMatch(out, /^demo: (\d+) passed, (\d+) failed/gm),
  },
  {
    // Spawns Deno, Bun, Node 26 (node:ffi) and the machine's Node (koffi) processes itself.
    ...testCommand("node", "tests/processes/shm.test.ts"),
    name: "shared memory between processes (deno + bun + node)",
    count: nodeCounts,
  },
  {
    // Region rate limiters: Deno, Bun, Node 26 (node:ffi) and Node (koffi) processes and Workers.
    ...testCommand("node", "tests/processes/rate_limit.test.ts"),
    name: "shared memory: rate limiter across processes and Workers",
    count: nodeCounts,
  },
  {
    // Worker programs waiting on regions print nothing (no --no-warnings); another user's region
    // through handles in Workers; regions dropped without close().
    ...testCommand("node", "tests/processes/servers.test.ts"),
    name:
      "shared memory: regions in servers (quiet Workers on deno, bun, node 20-26; foreign owners; leaks)",
    count: nodeCounts,
  },
  {
    // Spawns Deno, Bun and Node 26 (node:ffi) processes on region locks, and SIGKILLs holders.
    name: "locks between processes (deno + bun + node)",
    ...testCommand("node", "tests/processes/locks.test.ts"),
    count: nodeCounts,
  },
  {
    // prom-client's text compared with render(); a 4-worker cluster over HTTP, worker_threads,
    // and Deno, Bun and Node processes (node:ffi and koffi) adding into one region.
    name: "metrics: atomicx/metrics across processes",
    ...testCommand("node", "tests/metrics/metrics.test.ts"),
    count: nodeCounts,
  },
  {
    // Starts its own redis-server (Debian's; installed with apt-get as root when missing) and
    // spawns Deno, Bun, Node 26 and Node 20 (koffi) processes; pauses and kills the server.
    name: "redis: atomicx/redis against redis-server (deno + bun + node)",
    ...testCommand("node", "tests/redis/redis.test.ts"),
    count: nodeCounts,
  },
  {
    // A 3-master + 3-replica Redis Cluster on free ports, through node-redis createCluster and
    // ioredis Cluster; SIGKILLs the master that owns a lock's slot mid-test.
    name: "redis cluster: atomicx/redis on a real Redis Cluster (node)",
    ...testCommand("node", "tests/redis/cluster.test.ts"),
    count: nodeCounts,
  },
  {
    name: "examples and JSDoc examples (deno, bun, node 26)",
    command: process.execPath,
    args: ["tests/e2e/examples.mjs"],
    count: (out) => lastMatch(out, /^examples: (\d+) passed, (\d+) failed$/gm),
  },
  {
    name: "README code blocks run as pasted (deno, bun, node 26); every script answers --help",
    command: process.execPath,
    args: ["tests/e2e/docs.mjs"],
    count: (out) => lastMatch(out, /^docs: (\d+) passed, (\d+) failed$/gm),
  },
  {
    // Installs Debian's chromium when missing (as root); puppeteer-core needs Node 22+.
    name: "browser: Workers and waitAsync in chromium headless, cross-origin isolated",
    command: bin("node"),
    args: ["tests/browser/run.mjs"],
    count: (out) => lastMatch(out, /^browser: (\d+) passed, (\d+) failed$/gm),
  },
  {
    // Cross-builds atomicx.dll with Debian's rustc 1.63 (MinGW), then runs under wine 10 the
    // conformance cases on Node 26 (node:ffi) and the region and lock cases on Node 22 (koffi) for
    // Windows, and regions, waits and holder death across Windows processes. Installs the Debian
    // packages and a Debian 13 chroot with wine 10 (cached in /var/cache/atomicx-wine; needs root).
    name:
      "windows (wine 10): atomicx.dll for x86_64-pc-windows-gnu; cases on Node 26 and 22; processes",
    command: process.execPath,
    args: ["tests/windows/run.mjs"],
    count: (out) => lastMatch(out, /^windows: (\d+) passed, (\d+) failed$/gm),
  },
  {
    name: "packages: npm pack, install in a new project, run on node 20.19-26, bun, deno",
    command: process.execPath,
    args: ["tests/e2e/run.mjs"],
    count: (out) => lastMatch(out, /^e2e: (\d+) passed, (\d+) failed$/gm),
  },
];

// deno-lint-ignore no-control-regex -- strips the colour codes some runners print regardless
const colourCodes = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * The lines of a suite's output that name a failed case, as each runner prints them (bun
 * `(fail)`, node:test `✖`, deno `... FAILED`, our own scripts `not ok -`), without repeats: the
 * summary repeats them, so the end of a long log says which case failed, not only how many.
 */
const failureLine =
  /^\s*(?:\(fail\) .+|✖ (?!failing tests:).+|not ok - .+|.+ \.\.\. FAILED\b.*)$/gm;
const failedCases = (out) => [...new Set(out.match(failureLine)?.map((l) => l.trim()) ?? [])];

function nodeCounts(out) {
  const pass = out.match(/^\S*\s*pass (\d+)$/m);
  const fail = out.match(/^\S*\s*fail (\d+)$/m);
  return pass && fail ? [Number(pass[1]), Number(fail[1])] : undefined;
}

function sumMatches(out, regex) {
  let passed = 0, failed = 0, any = false;
  for (const m of out.matchAll(regex)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    any = true;
  }
  return any ? [passed, failed] : undefined;
}

function lastMatch(out, regex) {
  const all = [...out.matchAll(regex)];
  const m = all.at(-1);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Runs one suite, streaming and capturing its output. */
function run(suite) {
  console.log(`\n== ${suite.name}`);
  return new Promise((resolve) => {
    const child = spawn(suite.command, suite.args, {
      cwd: suite.cwd ?? root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...suite.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    // A log file or CI page gets plain text; a terminal gets the runners' colours.
    const collect = (stream, sink) => {
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        out += chunk;
        sink.write(sink.isTTY ? chunk : chunk.replace(colourCodes, ""));
      });
    };
    collect(child.stdout, process.stdout);
    collect(child.stderr, process.stderr);
    child.on("error", (error) => {
      out += String(error);
      resolve({ code: 1, out });
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

const results = [];
for (const suite of suites.filter((s) => !options.only || s.name.includes(options.only))) {
  const started = Date.now();
  const { code, out } = await run(suite);
  const seconds = Math.round((Date.now() - started) / 1000);
  let counts = suite.count
    ? suite.count(out.replace(colourCodes, ""))
    : code === 0
    ? [1, 0]
    : [0, 1];
  if (counts === undefined) counts = [0, 1]; // no summary: the runner did not finish
  if (code !== 0 && counts[1] === 0) counts = [counts[0], 1]; // failed without a counted failure
  const failures = counts[1] > 0 ? failedCases(out.replace(colourCodes, "")) : [];
  results.push({ name: suite.name, passed: counts[0], failed: counts[1], seconds, failures });
}

console.log("\n== summary");
// Each suite's time too, so that a suite creeping towards CI's limit is seen before it hits it.
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds} s)`);
  for (const line of r.failures.slice(0, 10)) console.log(`    ${line}`);
  if (r.failures.length > 10) console.log(`    … and ${r.failures.length - 10} more`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
