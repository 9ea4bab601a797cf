// Named shared memory and wait/notify within one process (every runtime); the cross-process cases
// run as their own suite (tests/processes/shm.test.ts).
import { execFileSync, spawn } from "node:child_process";
import {
  chownSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import {
  AtomicBigInt,
  AtomicBool,
  AtomicFloat,
  AtomicInt,
  AtomicIntArray,
  Counter,
  FloatCounter,
  Mutex,
  Semaphore,
  SharedMemory,
} from "../../mod.ts";
import type { RegionHandle } from "../../mod.ts";
import { readFile } from "node:fs/promises";
import type { AsyncWaitTask } from "../fixtures/shm_async_waiter.ts";
import type { ShmWaitReply, ShmWaitTask } from "../fixtures/shm_waiter.ts";
import { assert } from "../support/assert.ts";
import { runWorker } from "../support/workers.ts";
import { regionFile, uniqueName, withRegion } from "../support/regions.ts";
import { test } from "../harness.ts";

const waiter = new URL("../fixtures/shm_waiter.ts", import.meta.url);
const asyncWaiter = new URL("../fixtures/shm_async_waiter.ts", import.meta.url);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("shm: the four kinds in a region start at zero and are the ordinary classes", () =>
  withRegion("kinds", (region) => {
    const i = region.int("i");
    const b = region.bigint("b");
    const f = region.bool("f");
    const d = region.float("d");
    assert.ok(i instanceof AtomicInt && b instanceof AtomicBigInt);
    assert.ok(f instanceof AtomicBool && d instanceof AtomicFloat);
    assert.deepEqual([i.load(), b.load(), f.load(), d.load()], [0, 0n, false, 0]);
    i.add(41);
    b.sub(1n);
    f.flip();
    d.add(0.5);
    assert.deepEqual([i.load(), b.load(), f.load(), d.load()], [41, -1n, true, 0.5]);
    assert.equal(region.capacity, 8);
    assert.equal(region.name.startsWith("atomicx-test-kinds-"), true);
  }));

test("shm: a second open of the same name, and a handle, see the same atomics", () =>
  withRegion("same", (region, name) => {
    region.int("n").store(7);
    const again = SharedMemory.open(name, { only: "attach" });
    assert.equal(again.capacity, 8); // attaching without a capacity takes the region's own
    assert.equal(again.int("n").inc(), 7);
    assert.deepEqual({ ...region.int("n").handle }, { kind: "int", region: name, slot: "n" });
    const viaHandle = AtomicInt.from(structuredClone(region.int("n").handle));
    assert.equal(viaHandle.load(), 8);
    again.close();
    assert.equal(region.int("n").load(), 8); // closing one mapping leaves the other open
  }));

test("shm: a handle naming a slot that does not exist attaches nothing and creates nothing", () =>
  withRegion("attach-only", (region, name) => {
    region.int("there");
    const missing = (kind: string) => ({ kind, region: name, slot: "missing", length: 2 });
    const builders: [string, () => unknown][] = [
      ["int", () => AtomicInt.from(missing("int") as RegionHandle<"int">)],
      ["bigint", () => AtomicBigInt.from(missing("bigint") as RegionHandle<"bigint">)],
      ["bool", () => AtomicBool.from(missing("bool") as RegionHandle<"bool">)],
      ["float", () => AtomicFloat.from(missing("float") as RegionHandle<"float">)],
      ["intArray", () => AtomicIntArray.from(missing("intArray") as never)],
      ["counter", () => Counter.from(missing("counter") as never)],
      ["floatCounter", () => FloatCounter.from(missing("floatCounter") as never)],
      ["mutex", () => Mutex.from(missing("mutex") as never)],
      ["semaphore", () => Semaphore.from(missing("semaphore") as never)],
    ];
    for (const [kind, build] of builders) {
      assert.throws(build, (e: unknown) => {
        assert.ok(e instanceof TypeError, `${kind}: ${e}`);
        assert.match(e.message, /has no entry named "missing"/);
        assert.match(e.message, /never creates/);
        return true;
      });
    }
    // Nothing was added to the directory, and the existing entry still attaches.
    assert.deepEqual(region.entries(), [{ name: "there", kind: "int" }]);
    assert.equal(AtomicInt.from({ kind: "int", region: name, slot: "there" }).load(), 0);
  }));

test("shm: a Worker rebuilds a region atomic from its handle and waits on it", () =>
  withRegion("worker", async (region) => {
    const counter = region.int("counter");
    const reply = runWorker<ShmWaitReply>(
      waiter,
      {
        handle: counter.handle,
        expected: 0,
        timeoutMs: 30_000,
        increments: 1000,
      } satisfies ShmWaitTask,
    );
    // The Worker increments 1000 times, then waits while the value is 1000.
    while (counter.load() !== 1000) await sleep(5);
    // Notify until the Worker is asleep and gets woken. The value stays the one it waits on:
    // changing it first would race with a Worker that has not started waiting yet (it would see
    // "not-equal" and never sleep). A futex wake-up is "ok" whatever the value.
    let woken = 0;
    for (let i = 0; i < 2000 && woken === 0; i++) {
      woken = counter.notify();
      if (woken === 0) await sleep(5);
    }
    assert.equal(woken, 1);
    assert.equal((await reply).result, "ok");
  }));

test("shm: an existing name with another type is a TypeError; a full region a RangeError", () =>
  withRegion("errors", (region) => {
    const a = region.int("a");
    a.store(3);
    assert.throws(() => region.bool("a"), TypeError);
    assert.throws(() => region.float("a"), /holds an int, not a float/);
    assert.throws(
      () => AtomicBool.from({ kind: "bool", region: region.name, slot: "a" }),
      TypeError,
    );
    assert.equal(a.load(), 3);
    for (let i = 1; i < 8; i++) region.bool(`b${i}`);
    assert.throws(() => region.int("one-too-many"), RangeError);
    assert.throws(() => region.int("one-too-many"), /full/);
    region.bool("b7"); // existing names still resolve in a full region
  }));

test("shm: bad names and options are refused before touching the filesystem", () => {
  assert.throws(() => SharedMemory.open(""), RangeError);
  assert.throws(() => SharedMemory.open("a/b"), RangeError);
  assert.throws(() => SharedMemory.open("..\\x"), RangeError);
  assert.throws(() => SharedMemory.open(".."), RangeError);
  assert.throws(() => SharedMemory.open("x".repeat(241)), RangeError);
  assert.throws(() => SharedMemory.open("é".repeat(121)), /240 UTF-8 bytes/);
  assert.throws(() => SharedMemory.open(42 as unknown as string), TypeError);
  assert.throws(() => SharedMemory.unlink("a/b"), RangeError);
  const name = uniqueName("opts");
  assert.throws(() => SharedMemory.open(name, { capacity: 0 }), RangeError);
  assert.throws(() => SharedMemory.open(name, { capacity: 1.5 }), RangeError);
  assert.throws(() => SharedMemory.open(name, { capacity: "8" as unknown as number }), TypeError);
  assert.throws(() => SharedMemory.open(name, { permissions: 0o1000 }), RangeError);
  assert.throws(() => SharedMemory.open(name, { only: "never" as "create" }), TypeError);
  assert.throws(() => SharedMemory.open(name, { only: "attach" }), /no region named/);
  // A forged region handle is checked before any region is opened.
  const forged = (region: unknown, slot: unknown) =>
    AtomicInt.from({ kind: "int", region, slot } as unknown as RegionHandle<"int">);
  assert.throws(() => forged("../etc", "a"), RangeError);
  assert.throws(() => forged(name, 5), TypeError);
  assert.throws(() => forged(name, ""), RangeError);
  assert.throws(() => forged(name, "a"), /no region named/);
  assert.equal(SharedMemory.unlink(name), false); // nothing was created by any of the above
});

test("shm: bad slot names are refused and the region is unchanged", () =>
  withRegion("slots", (region) => {
    assert.throws(() => region.int(""), RangeError);
    assert.throws(() => region.int("x".repeat(49)), RangeError);
    assert.throws(() => region.int(7 as unknown as string), TypeError);
    region.int("x".repeat(48)).inc(); // the longest allowed name works
    assert.equal(region.int("x".repeat(48)).load(), 1);
  }));

test("shm: create-only fails on an existing region; permissions default to owner-only", async () => {
  await withRegion("excl", (_region, name) => {
    assert.throws(() => SharedMemory.open(name, { only: "create" }), /exists already/);
  });
  const name = uniqueName("perm");
  const region = SharedMemory.open(name);
  try {
    const { statSync } = await import("node:fs");
    assert.equal(statSync(regionFile(name)).mode & 0o777, 0o600);
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

test("shm: a foreign object or another layout version is a clear Error, not a crash", () => {
  const foreign = uniqueName("foreign");
  writeFileSync(regionFile(foreign), "this is not an atomicx region, just some text".repeat(10));
  try {
    assert.throws(() => SharedMemory.open(foreign), /is not an atomicx region/);
  } finally {
    SharedMemory.unlink(foreign);
  }
  const tiny = uniqueName("tiny");
  writeFileSync(regionFile(tiny), "x");
  try {
    assert.throws(() => SharedMemory.open(tiny), /is not an atomicx region/);
  } finally {
    SharedMemory.unlink(tiny);
  }
  // A well-formed header that says layout version 99.
  const future = uniqueName("future");
  const header = new DataView(new ArrayBuffer(128 + 64 + 128 + 64));
  new Uint8Array(header.buffer).set(new TextEncoder().encode("atomicx\0"));
  header.setUint32(8, 99, true);
  header.setUint32(12, 2, true);
  writeFileSync(regionFile(future), new Uint8Array(header.buffer));
  try {
    assert.throws(() => SharedMemory.open(future), /layout version 99.*layout version 3/);
  } finally {
    SharedMemory.unlink(future);
  }
});

test("shm: every lock operation of a closed region throws, a guard held across close included", () => {
  // Where region words run on a view of the mapping (ffi/_load.ts), close detaches the view before
  // unmapping: a stale lock can only throw, never touch an unmapped page.
  const name = uniqueName("closed-locks");
  const region = SharedMemory.open(name);
  const mutex = region.mutex("m");
  const semaphore = region.semaphore("s", 2);
  const rwlock = region.rwLock("r");
  const guard = mutex.lock();
  const permit = semaphore.acquire();
  region.close();
  SharedMemory.unlink(name);
  for (
    const op of [
      () => mutex.lock(),
      () => mutex.tryLock(),
      () => guard.unlock(),
      () => semaphore.acquire(),
      () => semaphore.tryAcquire(),
      () => permit.release(),
      () => rwlock.read(),
      () => rwlock.write(),
    ]
  ) {
    assert.throws(op, (e: unknown) => e instanceof Error && /closed/.test((e as Error).message));
  }
});

test("shm: every operation on an atomic of a closed region throws", async () => {
  const name = uniqueName("closed");
  const region = SharedMemory.open(name);
  const i = region.int("i");
  const b = region.bigint("b");
  const f = region.bool("f");
  const d = region.float("d");
  const pending = i.waitAsync(0, 1000);
  region.close();
  region.close(); // closing twice does nothing
  SharedMemory.unlink(name);
  assert.equal(region.closed, true);
  await assert.rejects(pending, /was closed/);
  for (
    const op of [
      () => i.load(),
      () => i.add(1),
      () => i.update((v) => v),
      () => i.wait(0, 0),
      () => i.waitAsync(0, 0),
      () => i.notify(),
      () => b.load(),
      () => b.add(1n),
      () => f.flip(),
      () => f.wait(false, 0),
      () => d.add(1),
      () => d.compareExchange(0, 1),
      () => String(i),
      () => region.int("i"),
    ]
  ) {
    assert.throws(op, (e: unknown) => e instanceof Error && /closed/.test((e as Error).message));
  }
  // Wake the native waiter so that it lets go of the mapping.
  const again = SharedMemory.open(name);
  again.int("i").notify();
  again.close();
  SharedMemory.unlink(name);
});

test("shm: a region created without a capacity has the default, room for 128 counters", () => {
  const name = uniqueName("default-capacity");
  const region = SharedMemory.open(name, { only: "create" });
  try {
    assert.equal(SharedMemory.DEFAULT_CAPACITY, 1024);
    assert.equal(region.capacity, SharedMemory.DEFAULT_CAPACITY);
    for (let i = 0; i < 128; i++) region.counter(`c${i}`).inc();
    assert.equal(region.counter("c127").sum(), 1);
    assert.throws(() => region.int("one-more"), RangeError); // 128 × 8 slots: full
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

test("shm: attaching with a capacity other than the region's is a RangeError; nothing attached", () =>
  withRegion("capacity-mismatch", (region, name) => {
    region.int("n").store(7);
    const before = mappingsOf(name);
    for (const [capacity, only] of [[9, undefined], [1, "attach"], [1024, undefined]] as const) {
      assert.throws(
        () => SharedMemory.open(name, { capacity, only }),
        (error: unknown) =>
          error instanceof RangeError &&
          error.message.includes(`already exists with capacity 8 (slots), not the ${capacity}`),
      );
    }
    assert.equal(mappingsOf(name), before, "the refused opens left a mapping behind");
    // The same capacity, or none, attaches; the values are untouched.
    const same = SharedMemory.open(name, { capacity: 8, only: "attach" });
    assert.deepEqual([same.capacity, same.int("n").load()], [8, 7]);
    same.close();
  }));

/** The lines of this process's memory map that map the region `name`. */
function mappingsOf(name: string): number {
  return readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) =>
    l.endsWith(regionFile(name)) || l.endsWith(`/dev/shm/${name} (deleted)`)
  ).length;
}

test("shm: a region file of another user is refused unless allowForeignOwner", () =>
  withRegion("owner", (region, name) => {
    region.int("x").store(5);
    const path = regionFile(name);
    const mine = statSync(path).uid;
    let given = false;
    try {
      chownSync(path, 65534, statSync(path).gid);
      given = mine !== 65534;
    } catch {
      given = false; // not root: a file cannot be given away, the same-owner path is tested
    }
    if (given) {
      assert.throws(
        () => SharedMemory.open(name, { only: "attach" }),
        (e: unknown) =>
          e instanceof Error && /another user \(uid 65534\)/.test(e.message) &&
          /allowForeignOwner/.test(e.message),
      );
    }
    const trusted = SharedMemory.open(name, { only: "attach", allowForeignOwner: true });
    assert.equal(trusted.int("x").load(), 5);
    trusted.close();
    assert.throws(
      () => SharedMemory.open(name, { allowForeignOwner: 1 as unknown as boolean }),
      TypeError,
    );
  }));

test("shm: symbolic links, FIFOs and directories under the name are refused with a message", () => {
  const target = uniqueName("target");
  const created = SharedMemory.open(target, { only: "create", capacity: 1 });
  const link = uniqueName("link");
  const fifo = uniqueName("fifo");
  const dir = uniqueName("dir");
  symlinkSync(regionFile(target), regionFile(link));
  execFileSync("mkfifo", [regionFile(fifo)]);
  mkdirSync(regionFile(dir));
  try {
    for (const name of [link, fifo, dir]) {
      for (const only of [undefined, "attach"] as const) {
        assert.throws(
          () => SharedMemory.open(name, { only }),
          (e: unknown) => e instanceof Error && /not a regular shared-memory file/.test(e.message),
        );
      }
    }
  } finally {
    unlinkSync(regionFile(link));
    unlinkSync(regionFile(fifo));
    rmdirSync(regionFile(dir));
    created.close();
    SharedMemory.unlink(target);
  }
});

test("shm: a truncated region file is refused on attach instead of faulting later", () => {
  const name = uniqueName("short");
  SharedMemory.open(name, { only: "create", capacity: 64 }).close();
  try {
    truncateSync(regionFile(name), 4096);
    assert.throws(
      () => SharedMemory.open(name),
      (e: unknown) => e instanceof Error && /truncated/.test(e.message),
    );
  } finally {
    SharedMemory.unlink(name);
  }
});

test("shm: region and slot names that are not well-formed UTF-16 are refused", () =>
  withRegion("surrogate", (region) => {
    for (const bad of ["\uD800", "\uDBFF", "a\uDC00", "\uDC00\uD800"]) {
      assert.throws(() => SharedMemory.open(bad), RangeError);
      assert.throws(() => SharedMemory.unlink(bad), RangeError);
      assert.throws(() => region.int(bad), RangeError);
    }
    assert.equal(region.int("\uD83D\uDE00").inc(), 0); // a proper pair is fine
  }));

test("shm: error messages never run user code (no getters, no Proxy traps)", () =>
  withRegion("nouser", (region) => {
    const trapped: string[] = [];
    const hostile = new Proxy(function () {}, {
      get(_t, key) {
        trapped.push(`get ${String(key)}`);
        throw new Error("a trap ran");
      },
      getPrototypeOf() {
        trapped.push("getPrototypeOf");
        throw new Error("a trap ran");
      },
      has() {
        trapped.push("has");
        throw new Error("a trap ran");
      },
    });
    const a = region.int("a");
    for (
      const call of [
        () => SharedMemory.open(hostile as unknown as string),
        () => region.int(hostile as unknown as string),
        () => a.wait(0, hostile as unknown as number),
        () => a.notify(hostile as unknown as number),
        () => a.store(hostile as unknown as number),
      ]
    ) {
      assert.throws(call, (e: unknown) => e instanceof TypeError && /function/.test(e.message));
    }
    assert.deepEqual(trapped, []);
  }));

test("shm: a slot claim held by a live stuck process ends with an Error naming region and slot", () =>
  withRegion("stuck", (region, name) => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      // Entry 0's state word (after the 128-byte header) says "being claimed by <child>".
      const fd = openSync(regionFile(name), "r+");
      const word = new Uint8Array(4);
      new DataView(word.buffer).setUint32(0, child.pid!, true);
      writeSync(fd, word, 0, 4, 128);
      closeSync(fd);
      assert.throws(
        () => region.int("late"),
        (e: unknown) =>
          e instanceof Error && e.message.includes(JSON.stringify(name)) &&
          e.message.includes('"late"') && /claimed for too long/.test(e.message),
      );
    } finally {
      child.kill("SIGKILL");
    }
  }));

test("shm: after close() a pending waitAsync's native waiter lets go of the mapping", async () => {
  const name = uniqueName("letgo");
  const region = SharedMemory.open(name, { only: "create", capacity: 1 });
  try {
    const pending = region.int("w").waitAsync(0);
    assert.equal(mappingsOf(name) > 0, true);
    region.close();
    await assert.rejects(pending, /closed/);
    // The waiter sleeps in 50 ms slices: it sees the close and unmaps (bounded wait, no timing).
    for (let i = 0; i < 200 && mappingsOf(name) > 0; i++) await sleep(10);
    assert.equal(mappingsOf(name), 0);
  } finally {
    SharedMemory.unlink(name);
  }
});

/**
 * Starts a Worker on `script` with `task` and returns a function that terminates it and resolves
 * once the runtime reports it gone (Node: `terminate()` settles; Bun: the `close` event; Deno
 * terminates synchronously).
 */
async function startWorker(script: URL, task: unknown): Promise<() => Promise<void>> {
  if ("Deno" in globalThis || "Bun" in globalThis) {
    const worker = new Worker(script, { type: "module" });
    worker.postMessage(task);
    return () => {
      const closed = "Bun" in globalThis
        ? new Promise<void>((resolve) => worker.addEventListener("close", () => resolve()))
        : Promise.resolve();
      worker.terminate();
      return closed;
    };
  }
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const worker = new NodeWorker(new URL("../support/node_worker_boot.mjs", import.meta.url), {
    workerData: { script: script.href },
  });
  worker.postMessage(task);
  return async () => void (await worker.terminate());
}

test("shm: a Worker blocked in a region wait(0) can be terminated", () =>
  withRegion("terminate", async (region) => {
    const a = region.int("w");
    const task: ShmWaitTask = { handle: a.handle, expected: 0, timeoutMs: Infinity, increments: 1 };
    const terminate = await startWorker(waiter, task);
    for (let i = 0; i < 3000 && a.load() === 0; i++) await sleep(10); // it has started waiting
    assert.equal(a.load(), 1);
    await sleep(100); // asleep in the native wait by now (the outcome does not depend on it)
    // Bounded so that a Worker that cannot be terminated fails the case instead of hanging it.
    const outcome = await Promise.race([
      terminate().then(() => "terminated"),
      sleep(20_000).then(() => "still running"),
    ]);
    assert.equal(outcome, "terminated");
  }));

/** This process's open pipes (the waiter pipe is one; runtimes keep other descriptors of their own). */
function pipeCount(): string[] {
  return readdirSync("/proc/self/fd").map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return "";
    }
  }).filter((link) => link.startsWith("pipe:"));
}

// Deno runs each pending waitAsync on a thread of its small blocking pool (its node:fs cannot read
// the waiter pipe), so there a few dozen pending waits still delay file I/O: Deno is held to 8.
const manyWaits = "Deno" in globalThis ? 8 : 100;

test("shm: many pending waitAsync on a region leave the I/O thread pool free, then all wake", () =>
  withRegion("many", async (region, name) => {
    const a = region.int("w");
    const pending = Array.from({ length: manyWaits }, () => a.waitAsync(0));
    // File I/O still runs, and a short wait still times out, while the waits are pending.
    assert.equal(readFileSync(regionFile(name)).length > 0, true);
    assert.equal((await readFile(regionFile(name))).length > 0, true);
    assert.equal(await region.int("other").waitAsync(0, 10), "timed-out");
    a.store(1);
    let woken = 0;
    for (let i = 0; i < 1000 && woken < manyWaits; i++) {
      woken += a.notify();
      if (woken < manyWaits) await sleep(5);
    }
    assert.deepEqual(new Set(await Promise.all(pending)), new Set(["ok"]));
  }));

test("shm: 40 Workers that used waitAsync leave no waiter pipes behind", () =>
  withRegion("fds", async (region) => {
    const a = region.int("w");
    const task: AsyncWaitTask = { handle: a.handle, timeoutMs: 1 };
    // Warm up once (the runtime's own Worker machinery may keep descriptors of its own).
    await runWorker(asyncWaiter, task);
    const before = pipeCount().length;
    for (let batch = 0; batch < 5; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => runWorker<{ result: string }>(asyncWaiter, task)),
      );
      assert.deepEqual(replies.map((r) => r.result), Array(8).fill("timed-out"));
    }
    // Terminated Workers release their descriptors as they wind down: give them a moment.
    for (let i = 0; i < 300 && pipeCount().length > before; i++) await sleep(10);
    // No more pipes than before (the runtime's own may have closed meanwhile).
    assert.ok(pipeCount().length <= before, pipeCount().join(" "));
  }));
