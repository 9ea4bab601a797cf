#!/usr/bin/env node
// The Windows suite: builds atomicx.dll with Debian's rustc 1.63 for x86_64-pc-windows-gnu, then
// runs under wine 10 (a Debian 13 chroot, tests/windows/install-wine.sh) the conformance cases on
// Node 26 (node:ffi) and Node 22 (koffi) for Windows, and the cross-process cases
// (tests/windows/cross.test.ts). Everything is installed here: the Debian packages and the chroot
// (cached in /var/cache/atomicx-wine), Node and koffi for Windows from npm (tests/windows/
// package.json, into .tmp/windows/deps). Prints `N passed, M failed` last.
//
// The sources are copied to .tmp/windows/stage next to the Windows node_modules, so that koffi,
// tsx and esbuild resolve to their win32 builds rather than the workspace's Linux ones.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { cli } from "../../scripts/lib/cli.mjs";
import { wine, winPath } from "./wine.mjs";

cli(
  "node tests/windows/run.mjs: atomicx.dll cross-built with rustc 1.63, tested under wine 10 " +
    "(as root: installs wine in a Debian 13 chroot cached in /var/cache/atomicx-wine)",
  {},
);

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const work = join(root, ".tmp", "windows");
const deps = join(work, "deps");
const stage = join(work, "stage");
const dll = join(
  root,
  "native",
  "target",
  "x86_64-pc-windows-gnu",
  "release",
  "atomicx.dll",
);
let passed = 0;
let failed = 0;
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

function finish() {
  console.log(`\nwindows suite took ${elapsed()}`);
  console.log(`windows: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

/** Runs a setup step; a failure is one failed test and ends the suite. */
function step(title, command, args, options = {}) {
  console.log(`== ${title} (${elapsed()})`);
  const r = spawnSync(command, args, {
    stdio: "inherit",
    cwd: root,
    ...options,
  });
  if (r.status !== 0) {
    console.log(`setup step "${title}" failed (exit ${r.status ?? r.signal})`);
    failed++;
    finish();
  }
}

// 1. Debian packages and the wine 10 chroot (root and apt-get, as on a fresh CI machine).
if (
  process.getuid?.() !== 0 &&
  !existsSync("/var/cache/atomicx-wine/trixie/.atomicx-ready")
) {
  console.log(
    "the Windows suite needs root (apt-get, debootstrap, chroot) to install wine",
  );
  failed++;
  finish();
}
step("install rustc 1.63 for Windows, MinGW and wine 10", "sh", [
  join(here, "install-wine.sh"),
]);

// 2. The DLL, with the rustc that has the Windows target (it is also the 1.63 compatibility check).
mkdirSync(dirname(dll), { recursive: true });
step(
  "build atomicx.dll (rustc 1.63, x86_64-pc-windows-gnu)",
  "/usr/bin/rustc",
  [
    "--edition",
    "2021",
    "--crate-type",
    "cdylib",
    "--crate-name",
    "atomicx",
    "--target",
    "x86_64-pc-windows-gnu",
    "-C",
    "linker=x86_64-w64-mingw32-gcc",
    "-C",
    "opt-level=3",
    "-C",
    "panic=abort",
    "-C",
    "strip=symbols",
    "-A",
    "illegal_floating_point_literal_pattern",
    "-D",
    "warnings",
    "--out-dir",
    dirname(dll),
    join(root, "native", "src", "lib.rs"),
  ],
);
passed++; // the build is the check that the crate compiles with rustc 1.63 for Windows

// 3. Node 22 and 26 for Windows, koffi's and esbuild's win32 builds.
const lock = join(here, "package-lock.json");
const marker = join(deps, "node_modules", ".package-lock.json");
if (
  !existsSync(marker) ||
  readFileSync(join(deps, "package-lock.json"), "utf8") !==
    readFileSync(lock, "utf8")
) {
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(deps, { recursive: true });
  copyFileSync(join(here, "package.json"), join(deps, "package.json"));
  copyFileSync(lock, join(deps, "package-lock.json"));
  step("install Node 22/26, koffi and tsx for Windows", "npm", [
    "ci",
    "--os=win32",
    "--cpu=x64",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
  ], { cwd: deps });
}

// 4. The sources next to the Windows node_modules.
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (
  const entry of [
    "mod.ts",
    "src",
    "ffi",
    "engine",
    "wasm",
    "tests",
    "package.json",
    "deno.json",
  ]
) {
  cpSync(join(root, entry), join(stage, entry), { recursive: true });
}
symlinkSync(join(deps, "node_modules"), join(stage, "node_modules"));

const node22 = join(deps, "node_modules", "node22", "bin", "node.exe");
const node26 = join(deps, "node_modules", "node26", "bin", "node.exe");
const env = {
  ATOMICX_LIB_PATH: winPath(dll),
  ATOMICX_WIN_NODE22: winPath(node22),
  ATOMICX_WIN_NODE26: winPath(node26),
};

/** Counts of a `node --test` run (spec reporter), printing its output. */
async function nodeTest(title, exe, args, extraEnv = {}) {
  console.log(`== ${title} (${elapsed()})`);
  const r = await wine(root, exe, args, {
    cwd: stage,
    env: { ...env, ...extraEnv },
  });
  console.log(r.output.replace(/^error: XDG_RUNTIME_DIR.*\n/gm, ""));
  const pass = [...r.output.matchAll(/^ℹ pass (\d+)/gm)].at(-1);
  const fail = [...r.output.matchAll(/^ℹ fail (\d+)/gm)].at(-1);
  if (!pass || !fail) {
    console.log(`${title}: no test counts (exit ${r.code})`);
    failed++;
    return;
  }
  console.log(`${title}: ${pass[1]} passed, ${fail[1]} failed`);
  passed += Number(pass[1]);
  failed += Number(fail[1]);
  if (r.code !== 0 && Number(fail[1]) === 0) failed++;
}

const spec = ["--test", "--test-reporter=spec", "--test-concurrency=1"];
await nodeTest("conformance cases on Windows Node 26 (node:ffi)", node26, [
  "--experimental-ffi",
  "--no-warnings",
  ...spec,
  "tests/windows/cases_on_windows.test.ts",
]);
await nodeTest("region and lock cases on Windows Node 22 (koffi)", node22, [
  "--import",
  "tsx",
  "--no-warnings",
  ...spec,
  "tests/windows/cases_on_windows.test.ts",
], { ATOMICX_FFI: "koffi", ATOMICX_WINDOWS_CASES: "native" });
await nodeTest(
  "regions, waits and holder death across Windows processes",
  node26,
  [
    "--experimental-ffi",
    "--no-warnings",
    ...spec,
    "tests/windows/cross.test.ts",
  ],
);
finish();
