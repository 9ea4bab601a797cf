// The in-process engines: WebAssembly memory, handles between Workers that allocate on their own,
// reclaiming dropped cells, no native code unless a region needs it, and forged inputs refused.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AtomicBigInt,
  AtomicBool,
  AtomicFloat,
  type AtomicHandle,
  AtomicInt,
  AtomicIntArray,
  Counter,
  info,
} from "../../mod.ts";
import type { EngineReply, EngineTask } from "../fixtures/engine_worker.ts";
import { assert } from "../support/assert.ts";
import { run, runtimeCommand } from "../support/spawn.ts";
import { runWorker } from "../support/workers.ts";
import { test } from "../harness.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const workerScript = new URL("../fixtures/engine_worker.ts", import.meta.url);

for (const allocateFirst of [false, true]) {
  const order = allocateFirst ? "before" : "after";
  test(`engine: a Worker allocating ${order} it receives a handle uses both, exactly`, async () => {
    const shared = new AtomicInt(0);
    const reply = await runWorker<EngineReply>(
      workerScript,
      {
        handle: shared.handle,
        allocateFirst,
        adds: 100_000,
      } satisfies EngineTask,
    );
    assert.equal(shared.load(), 100_000);
    assert.equal(reply.ownValue, 101_000);
    // The Worker's own atomic, made in its memory or in ours, works here through its handle.
    const own = AtomicInt.from(reply.own);
    own.add(5);
    assert.equal(own.load(), 101_005);
    assert.equal(reply.engine, info().engine);
  });
}

test("engine: forged buffers and memories are refused before any address is taken", () => {
  const fakeBuffer = Object.create(SharedArrayBuffer.prototype, { byteLength: { value: 64 } });
  assert.throws(
    () => AtomicInt.from({ kind: "int", buffer: fakeBuffer, byteOffset: 0 }),
    TypeError,
  );
  const fakeMemory = Object.create(WebAssembly.Memory.prototype, {
    buffer: { value: new SharedArrayBuffer(65536) },
  });
  assert.throws(
    () => AtomicInt.from({ kind: "int", memory: fakeMemory, byteOffset: 64 }),
    TypeError,
  );
  const unshared = new WebAssembly.Memory({ initial: 1 });
  assert.throws(() => AtomicInt.from({ kind: "int", memory: unshared, byteOffset: 64 }), TypeError);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
  assert.throws(() => AtomicInt.from({ kind: "int", memory, byteOffset: 65536 }), RangeError);
  assert.throws(() => AtomicInt.from({ kind: "int", memory, byteOffset: 68 }), RangeError);
  assert.throws(() => AtomicInt.from({ kind: "int", memory, byteOffset: -8 }), RangeError);
  // A real foreign memory works: the engine instantiates on it.
  const foreign = AtomicInt.from({ kind: "int", memory, byteOffset: 64 });
  foreign.add(7);
  assert.equal(new BigInt64Array(memory.buffer)[8], 7n);
});

test("engine: a constructor accepts no cell but its own, and from() hands nothing over", () => {
  const fakeCell = { kind: "int", loc: 0, space: {}, handle: undefined };
  assert.throws(() => Reflect.construct(AtomicInt, [0, fakeCell]), TypeError);
  // A subclass hook that runs user code inside AtomicBool.from cannot take the bool's cell.
  const bool = new AtomicBool(false);
  let madeInside: AtomicInt | undefined;
  class Evil {
    constructor() {
      madeInside = new AtomicInt(0);
    }
  }
  const original = Object.getPrototypeOf(AtomicBool);
  Object.setPrototypeOf(AtomicBool, Evil);
  try {
    AtomicBool.from(bool.handle);
  } finally {
    Object.setPrototypeOf(AtomicBool, original);
  }
  madeInside!.store(Number.MAX_SAFE_INTEGER);
  assert.equal(bool.load(), false);
  assert.equal(madeInside!.load(), Number.MAX_SAFE_INTEGER);
});

test("engine: a genuine block too small for the length asked is refused (no write past it)", () => {
  // An array's block is reachable (the protected `block` getter is a plain getter at run time).
  const small = new AtomicIntArray(1);
  const block = (small as unknown as { block: object }).block;
  const canary = new AtomicIntArray(4);
  canary.store(0, 77);
  assert.throws(
    () => Reflect.construct(AtomicIntArray, [1 << 20, block]),
    /^TypeError: atomicx: an array block too small for its length$/,
  );
  assert.throws(() => Reflect.construct(Counter, [block]), TypeError);
  assert.throws(() => Reflect.construct(AtomicIntArray, [1, { ...block }]), TypeError);
  // Within its size, the same block is accepted: the check is the size, not the object.
  assert.equal((Reflect.construct(AtomicIntArray, [1, block]) as AtomicIntArray).load(0), 0);
  assert.equal(canary.load(0), 77);
});

test("engine: posting the atomic instead of its handle is named as the likely mistake", () => {
  const posted = structuredClone({}); // what postMessage(atomic) delivers: private fields are gone
  assert.throws(() => AtomicInt.from(posted as never), /Did you post the atomic itself/);
  assert.throws(
    () => AtomicFloat.from(new AtomicInt().handle as never),
    /AtomicFloat\.from: this handle is for kind "int" \(AtomicInt\.from takes it\), not "float"$/,
  );
  assert.throws(
    () => AtomicInt.from(undefined as never),
    /^TypeError: AtomicInt\.from: expected a handle object, got undefined$/,
  );
});

test("engine: handles of every kind survive structuredClone and name their kind", () => {
  for (const atomic of [new AtomicInt(1), new AtomicBigInt(2n), new AtomicBool(true)]) {
    const handle = structuredClone(atomic.handle) as AtomicHandle;
    assert.equal(handle.kind, atomic.handle.kind);
  }
  const f = new AtomicFloat(0.5);
  AtomicFloat.from(structuredClone(f.handle)).add(0.25);
  assert.equal(f.load(), 0.75);
});

/**
 * The environment of a child that must use the runtime's default engine, whatever engine this
 * suite runs with (the cases about the WebAssembly engine and about loading no native code).
 */
const DEFAULT_ENGINE = { ATOMICX_ENGINE: undefined };

/** Runs an engine fixture in a new process of this runtime, with `gc` exposed. */
async function runFixture(
  fixture: string,
  args: string[],
  env: Record<string, string | undefined> = {},
) {
  const [command, base] = runtimeCommand(join(repo, "tests", "fixtures", fixture));
  const withGc = "Deno" in globalThis
    ? [base[0], "--v8-flags=--expose-gc", ...base.slice(1)]
    : "Bun" in globalThis
    ? base
    : ["--expose-gc", ...base];
  const result = await run(command, [...withGc, ...args], { env, cwd: repo, timeoutMs: 120_000 });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

test("engine: making and dropping 400,000 atomics reuses their cells (bounded memory)", async () => {
  const report = await runFixture("engine_reclaim.ts", ["400000"]);
  // 400,000 live cells would need 3.2 MB; reclaimed ones keep the memory near one batch (0.8 MB).
  assert.ok(report.memoryBytes <= 2 * 1024 * 1024, `memory grew to ${report.memoryBytes} bytes`);
  assert.equal(report.wrong, 0);
});

test("engine: making and dropping 100,000 mutexes reuses their lock words (bounded memory)", async () => {
  const report = await runFixture("engine_reclaim.ts", ["100000", "mutex"]);
  // 100,000 live mutexes would need 6.4 MB of lock words; reclaimed ones stay near one batch.
  assert.ok(report.memoryBytes <= 2 * 1024 * 1024, `memory grew to ${report.memoryBytes} bytes`);
  assert.equal(report.checksum, 100_000);
  assert.equal(report.wrong, 0);
});

test("engine: in-process atomics load no native library, even with a broken ATOMICX_LIB_PATH", async () => {
  const report = await runFixture("engine_no_native.ts", [], {
    ...DEFAULT_ENGINE,
    ATOMICX_LIB_PATH: "/nonexistent/libatomicx.so",
  });
  assert.equal(report.total, 200_000);
  assert.equal(report.nativeLoaded, false); // the broken path was never tried
  assert.match(report.regionError, /ATOMICX_LIB_PATH|could not load/);
});

test("engine: a Worker blocked in wait is terminated, and a waitAsync with no timeout lets the process end", async () => {
  // `runFixture` kills a process still running after two minutes: a hang fails the test. (On Deno
  // the fixture exits explicitly: Deno 2.9 keeps a process with a terminated-but-blocked Worker
  // alive, atomicx or not; see the fixture.)
  const report = await runFixture("engine_blocked.ts", []);
  assert.equal(report.terminated, true);
  assert.equal(report.woke, "ok");
});

test("engine: process.exit ends a process with a long waitAsync pending", async () => {
  const started = performance.now();
  const report = await runFixture("engine_exit.ts", []);
  assert.equal(report.exiting, true);
  // The wait's timeout is ten minutes: finishing before the fixture limit means exit took effect.
  assert.ok(performance.now() - started < 120_000);
});

const denoBinary = join(repo, "node_modules", ".bin", "deno");

/** engine_no_native.ts's report, after checking the run ended well and loaded no native code. */
function noNativeReport(result: { code: number | null; stdout: string; stderr: string }) {
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
  assert.equal(report.total, 200_000);
  assert.equal(report.nativeLoaded, false);
  return report as { regionError: string };
}

test("engine: Deno with --allow-read only runs atomics and Workers; a region then names --allow-ffi", async () => {
  const fixture = join(repo, "tests", "fixtures", "engine_no_native.ts");
  const result = await run(denoBinary, ["run", `--allow-read=${repo}`, "--no-check", fixture], {
    cwd: repo,
    env: DEFAULT_ENGINE,
    timeoutMs: 120_000,
  });
  const report = noNativeReport(result);
  assert.match(report.regionError, /--allow-ffi/);
});

test("engine: Node 24 with no node_modules at all (no koffi, no tsx) runs atomics and Workers", async () => {
  const { RUNTIMES } = await import("../../scripts/lib/runtimes.mjs");
  const node24 = RUNTIMES.node24.command as string | undefined;
  assert.ok(node24, "Node 24 is not installed (npm test installs it: scripts/node-versions)");
  const dir = mkdtempSync(join(tmpdir(), "atomicx-bare-node-"));
  try {
    for (
      const part of [
        "mod.ts",
        "deno.json",
        "src",
        "engine",
        "wasm",
        "ffi",
        "tests/fixtures",
        "tests/support",
      ]
    ) {
      cpSync(join(repo, part), join(dir, part), { recursive: true });
    }
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
    const fixture = join(dir, "tests", "fixtures", "engine_no_native.ts");
    const result = await run(node24!, ["--no-warnings", fixture], {
      cwd: dir,
      env: DEFAULT_ENGINE,
      timeoutMs: 120_000,
    });
    const report = noNativeReport(result);
    // No library and no koffi next to this copy: opening a region says what is missing.
    assert.match(report.regionError, /koffi|could not load/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
