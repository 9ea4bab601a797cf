// The conformance cases under `node --test` on Windows (run under wine by tests/windows/run.mjs),
// less the ones below, each of which relies on something of Linux that the case itself sets up. The
// list is printed with every run, so nothing is left out silently; a name that no longer matches a
// case fails the run.
import process from "node:process";
import { test } from "node:test";
import { CASE_TIMEOUT_MS } from "../harness.ts";
import { cases } from "../all.ts";

const LINUX_ONLY: Record<string, string> = {
  "engine: Deno with --allow-read only runs atomics and Workers; a region then names --allow-ffi":
    "spawns Deno from the Linux runtime table",
  "engine: Node 24 with no node_modules at all (no koffi, no tsx) runs atomics and Workers":
    "spawns the Linux Node 24 from scripts/node-versions",
  "loader: ATOMICX_LIB_PATH comes first":
    "names the Linux build native/target/release/libatomicx.so",
  "loader: a missing library names every path tried and the fix, with a cause":
    "symlinks node_modules into a scratch directory (no symbolic links on wine's C: drive)",
  "loader: an ATOMICX_LIB_PATH that does not load is an error naming it, never a fallback":
    "loads the Linux libatomicx.so and spawns Deno",
  "loader: a library of another ABI version is refused, naming both versions":
    "builds a Linux .so of another ABI version",
  "loader: Deno without --allow-ffi is told that this flag is missing":
    "spawns Deno from the Linux runtime table",
  "locks: two copies of the library in one thread agree on holders and guards":
    "copies the library and symlinks node_modules (tests/support/library_copy.ts)",
  "locks: two copies of the library queue their tasks in one line":
    "copies the library and symlinks node_modules (tests/support/library_copy.ts)",
  "locks: one thread's region permits are one holder entry, whichever object or library copy takes and gives them":
    "copies the library and symlinks node_modules (tests/support/library_copy.ts)",
  "memory: user memories, a user memory first, aliasing and two library copies (native)":
    "copies the library and symlinks node_modules (tests/support/library_copy.ts)",
  "memory: user memories, a user memory first, aliasing and two library copies (wasm)":
    "copies the library and symlinks node_modules (tests/support/library_copy.ts)",
  "memory: user memories, a user memory first, aliasing and two library copies (wasm+ffi)":
    "copies the library and symlinks node_modules (tests/support/library_copy.ts)",
  "shm: create-only fails on an existing region; permissions default to owner-only":
    "checks POSIX mode bits (Windows: the per-user temporary directory, docs/platforms.md)",
  "shm: a region file of another user is refused unless allowForeignOwner":
    "gives the file to uid 65534 with chown (Windows has no uids; Node's chown there does nothing)",
  "shm: a slot claim held by a live stuck process ends with an Error naming region and slot":
    "spawns the POSIX `sleep` program as the live claimer",
  "shm: symbolic links, FIFOs and directories under the name are refused with a message":
    "makes a symbolic link and a FIFO with POSIX calls",
  "shm: after close() a pending waitAsync's native waiter lets go of the mapping":
    "reads /proc/self/maps",
  "shm: many pending waitAsync on a region leave the I/O thread pool free, then all wake":
    "counts notify()'s wakes of waitAsync waiters, which poll on Windows (docs/platforms.md)",
  "shm: 40 Workers that used waitAsync leave no waiter pipes behind": "counts /proc/self/fd",
};

const names = new Set(cases.map((c) => c.name));
const stale = Object.keys(LINUX_ONLY).filter((name) => !names.has(name));
test("the Linux-only list names existing cases", () => {
  if (stale.length > 0) throw new Error(`no such case: ${stale.join("; ")}`);
});
console.log(
  `${Object.keys(LINUX_ONLY).length} Linux-only cases not run on Windows:`,
);
for (const [name, why] of Object.entries(LINUX_ONLY)) {
  console.log(`  - ${name}: ${why}`);
}

// ATOMICX_WINDOWS_CASES=native: only the cases on regions and locks (`shm…`, `locks…`), where the
// library and this FFI meet Windows; the suite gives its second Node these to stay within its time.
const nativeOnly = process.env.ATOMICX_WINDOWS_CASES === "native";
const chosen = cases.filter(({ name }) =>
  !(name in LINUX_ONLY) && (!nativeOnly || /^(shm|locks)\b/.test(name))
);
if (nativeOnly) {
  console.log(
    `ATOMICX_WINDOWS_CASES=native: the ${chosen.length} shm and locks cases of ${cases.length}`,
  );
}
for (const { name, fn } of chosen) test(name, { timeout: CASE_TIMEOUT_MS }, fn);
