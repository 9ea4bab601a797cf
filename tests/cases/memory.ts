// Memory identity: every memory told apart by the object itself, on every in-process engine, with
// two copies of the library in one process. Each engine runs in a process of its own (the engine is
// chosen once per process); a crash there (a wrong base address) fails the case.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert } from "../support/assert.ts";
import { libraryCopy } from "../support/library_copy.ts";
import { run, runtimeCommand } from "../support/spawn.ts";
import { test } from "../harness.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const nativeLibrary = process.env.ATOMICX_LIB_PATH ??
  join(repo, "native", "target", "release", "libatomicx.so");

for (const engine of ["wasm", "wasm+ffi", "native"]) {
  test(`memory: user memories, a user memory first, aliasing and two library copies (${engine})`, async () => {
    const copy = libraryCopy();
    try {
      const [command, args] = runtimeCommand(join(repo, "tests", "fixtures", "memory_identity.ts"));
      const result = await run(command, [...args, copy.entry], {
        // Both copies load the repository's library, whichever engine asks for it.
        env: { ATOMICX_ENGINE: engine, ATOMICX_LIB_PATH: nativeLibrary },
        cwd: repo,
        timeoutMs: 120_000,
      });
      assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
      const r = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
      // A user's memory seen first serves its handle and never becomes the library's.
      assert.equal(r.userFirstLoad, 0x1234);
      assert.equal(r.ownInUserMemory, false);
      assert.equal(r.userSentinelAfter, 0x1234);
      assert.equal(r.userHeaderUntouched, true);
      // Three user memories (64 KiB, 16 MiB, 1 MiB): each value where its handle says.
      assert.deepEqual(r.threeLoads, [1, 2, 3]);
      assert.deepEqual(r.rawAt64, [1, 2, 3]);
      assert.deepEqual(r.lastOffsets, [22, 33]);
      assert.match(r.bigOffsetOnSmall, /^RangeError: .*inside the 65536-byte memory/);
      assert.equal(r.aliasLoad, 2);
      assert.deepEqual(r.userArrayAndCounter, [5, 7]);
      assert.equal(r.userHeaderAfterCounter, true);
      // The library's memory under a new object is the same memory; a forged copy of its header
      // is not.
      assert.equal(r.clonedIsNewObject, true);
      assert.equal(r.clonedAdd, 2.5);
      // (The native engine keeps new atomics in SharedArrayBuffers: no library memory to forge.)
      assert.equal(r.forgedLoad, engine === "native" ? undefined : "own");
      // Two copies of the library: handles both ways, one memory.
      assert.equal(r.distinctCopies, true);
      assert.deepEqual(r.copies, {
        firstSees: 15,
        secondSees: 101,
        counter: 7,
        array: 9,
        oneMemory: engine !== "native",
      });
    } finally {
      copy.remove();
    }
  });
}

for (const engine of ["wasm", "wasm+ffi", "native"]) {
  test(`memory: 1,000 8 MiB arrays made and dropped never fill the engine memory (${engine})`, async () => {
    const report = await runChurn(["1000"], engine);
    assert.equal(report.rounds, 1000);
    assert.equal(report.wrong, 0); // every reused block started at zero
    // Before, Node filled the 1 GiB memory after ~130 rounds; measured now: 48–176 MiB.
    assert.ok(report.memoryBytes <= 384 * 2 ** 20, `engine memory grew to ${report.memoryBytes}`);
    assert.ok(report.maxRss <= 768 * 2 ** 20, `resident memory grew to ${report.maxRss}`);
  });
}

test("memory: a full engine memory says how much is held, free and kept, and nothing breaks", async () => {
  const report = await runChurn(["full"], "wasm");
  assert.equal(report.kept, 127); // 127 × 8 MiB beside the first 64 KiB page
  assert.match(report.error, /^RangeError: .*memory is full \(1024 MiB\): cannot allocate 8388608/);
  assert.match(report.error, /101\d\.\d MiB belong to .* alive or await the garbage collector/);
  assert.match(report.error, /free in blocks of other sizes/);
  assert.match(report.error, /shared through handles/);
  assert.equal(report.after, 5);
});

/** Runs `fixture` (the churn one by default) with `args` in a new process using `engine`. */
async function runChurn(args: string[], engine: string, fixture = "memory_churn.ts", gc = false) {
  const [command, base] = runtimeCommand(join(repo, "tests", "fixtures", fixture));
  const flags = !gc || "Bun" in globalThis
    ? base
    : "Deno" in globalThis
    ? [base[0], "--v8-flags=--expose-gc", ...base.slice(1)]
    : ["--expose-gc", ...base];
  const result = await run(command, [...flags, ...args], {
    env: { ATOMICX_ENGINE: engine, ATOMICX_LIB_PATH: nativeLibrary },
    cwd: repo,
    timeoutMs: 240_000,
  });
  assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

test("memory: reused blocks keep their alignment (lock words 64, counter stripes 128)", async () => {
  const report = await runChurn([], "wasm", "memory_alignment.ts", true);
  assert.ok(report.misaligned > 100, "the freed array blocks were not misaligned: nothing tested");
  assert.ok(report.reusedMutexes > 0, "no freed block was reused: nothing tested");
  assert.deepEqual(report.badMutexes, []);
  assert.deepEqual(report.badCounters, []);
});
