// The errors people meet first: library not found, another ABI version, Deno without --allow-ffi.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert } from "../support/assert.ts";
import { ABI_VERSION } from "../../ffi/_symbols.ts";
import { run, runtimeCommand } from "../support/spawn.ts";
import { test } from "../harness.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const reporter = join(repo, "tests", "fixtures", "report_load.ts");

interface LoadReport {
  loaded: boolean;
  backend?: string;
  path?: string;
  name?: string;
  message?: string;
  cause?: boolean;
}

/** Loads `ffiModule` in a new process of this runtime and returns what the loader did. */
async function load(ffiModule: string, env: Record<string, string | undefined>) {
  const [command, args] = runtimeCommand(reporter);
  const result = await run(command, [...args, ffiModule], { env, cwd: repo });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as LoadReport;
}

/** A scratch directory, removed after `fn`. */
async function inScratch(fn: (dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "atomicx-loader-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("loader: ATOMICX_LIB_PATH comes first", async () => {
  const built = join(repo, "native", "target", "release", "libatomicx.so");
  const report = await load(join(repo, "ffi", "mod.ts"), { ATOMICX_LIB_PATH: built });
  assert.equal(report.loaded, true);
  assert.equal(report.path, built);
});

test("loader: a missing library names every path tried and the fix, with a cause", async () => {
  await inScratch(async (dir) => {
    // A copy of ffi/ outside the repository has no local build next to it (but can see koffi).
    cpSync(join(repo, "ffi"), join(dir, "ffi"), { recursive: true });
    cpSync(join(repo, "engine"), join(dir, "engine"), { recursive: true }); // runtime detection
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
    const report = await load(join(dir, "ffi", "mod.ts"), { ATOMICX_LIB_PATH: undefined });
    assert.equal(report.loaded, false);
    assert.equal(report.cause, true);
    assert.match(report.message!, /could not load the native library/);
    assert.ok(report.message!.includes("ATOMICX_LIB_PATH"), report.message);
    assert.ok(
      report.message!.includes(join(dir, "native", "target", "release", "libatomicx.so")),
      report.message,
    );
    assert.match(report.message!, /cargo build --release/);
  });
});

test("loader: an ATOMICX_LIB_PATH that does not load is an error naming it, never a fallback", async () => {
  await inScratch(async (dir) => {
    const notLibrary = join(dir, "passwd");
    writeFileSync(notLibrary, "root:x:0:0:root:/root:/bin/sh\n");
    const noAbi = join(dir, "libother.so");
    const source = join(dir, "other.rs");
    writeFileSync(source, '#[no_mangle]\npub extern "C" fn something_else() -> f64 { 1.0 }\n');
    execFileSync("rustc", ["--crate-type", "cdylib", "--edition", "2021", "-o", noAbi, source]);
    const paths = [notLibrary, dir, join(dir, "missing", "libatomicx.so"), noAbi];
    const libc = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"]
      .find((p) => existsSync(p));
    if (libc) paths.push(libc);
    for (const path of paths) {
      const report = await load(join(repo, "ffi", "mod.ts"), { ATOMICX_LIB_PATH: path });
      assert.equal(report.loaded, false, `${path} loaded ${report.path}`);
      assert.equal(report.cause, true);
      assert.ok(report.message!.includes(`ATOMICX_LIB_PATH is set to ${path}`), report.message);
    }
  });
});

test("loader: a library of another ABI version is refused, naming both versions", async () => {
  await inScratch(async (dir) => {
    const source = join(dir, "fake.rs");
    writeFileSync(
      source,
      '#[no_mangle]\npub extern "C" fn atomicx_abi_version() -> f64 { 999.0 }\n',
    );
    const library = join(dir, "libfake.so");
    execFileSync("rustc", ["--crate-type", "cdylib", "--edition", "2021", "-o", library, source]);
    const report = await load(join(repo, "ffi", "mod.ts"), { ATOMICX_LIB_PATH: library });
    assert.equal(report.loaded, false);
    assert.match(report.message!, /ABI version 999/);
    assert.match(report.message!, new RegExp(`needs ABI version ${ABI_VERSION}\\b`));
  });
});

test("loader: Deno without --allow-ffi is told that this flag is missing", async () => {
  const deno = join(repo, "node_modules", ".bin", "deno");
  const result = await run(
    deno,
    ["run", "--no-check", "--allow-read", "--allow-env", reporter, join(repo, "ffi", "mod.ts")],
    { cwd: repo },
  );
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as LoadReport;
  assert.equal(report.loaded, false);
  assert.equal(report.cause, true);
  assert.match(report.message!, /--allow-ffi/);
});
