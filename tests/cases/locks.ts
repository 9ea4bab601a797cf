// Locks and coordination within one process: Workers, timeouts, aborts, bad arguments; the
// cross-process cases run as their own suite (tests/processes/locks.test.ts).
import {
  AtomicInt,
  Barrier,
  Condition,
  Latch,
  type LockHandle,
  Mutex,
  MutexGuard,
  Once,
  RwLock,
  RwLockReadGuard,
  RwLockWriteGuard,
  Semaphore,
  SharedMemory,
} from "../../mod.ts";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { LockTask } from "../fixtures/lock_worker.ts";
import { assert } from "../support/assert.ts";
import { libraryCopy } from "../support/library_copy.ts";
import { regionFile, uniqueName } from "../support/regions.ts";
import { runWorker, runWorkers } from "../support/workers.ts";
import { withRegion } from "../support/regions.ts";
import { run as runProcess, runtimeCommand } from "../support/spawn.ts";
import { test } from "../harness.ts";

const worker = new URL("../fixtures/lock_worker.ts", import.meta.url);
const run = (tasks: LockTask[]) => runWorkers<number>(worker, tasks);

/** The Int32Array under an in-process handle (to fake another owner, or read the state). */
function wordsOf(handle: LockHandle): Int32Array {
  if ("memory" in handle) return new Int32Array(handle.memory.buffer, handle.byteOffset, 16);
  if ("buffer" in handle) return new Int32Array(handle.buffer, handle.byteOffset, 16);
  throw new Error("not an in-process handle");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once a Worker set `flag[0]` to 1, and a while later (it sleeps in its wait by then). */
async function flagged(flag: SharedArrayBuffer): Promise<void> {
  const f = new Int32Array(flag);
  for (let waited = 0; Atomics.load(f, 0) === 0; waited += 5) {
    if (waited > 20_000) throw new Error("the Worker never got to its wait");
    await sleep(5);
  }
  await sleep(150);
}

/** `p`'s outcome, or "still pending" after `ms` (a wait that would hang the test). */
function within<T>(p: Promise<T>, ms: number): Promise<T | "still pending"> {
  return Promise.race([p, sleep(ms).then(() => "still pending" as const)]);
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

test("locks: a Mutex keeps a plain Int32Array exact under 4 Workers × 200,000", async () => {
  const mutex = new Mutex();
  const data = new SharedArrayBuffer(4);
  const n = 200_000;
  await run([0, 1, 2, 3].map(() => ({ op: "count", mutex: mutex.handle, data, iterations: n })));
  assert.equal(new Int32Array(data)[0], 4 * n);
  assert.equal(mutex.locked, false);
});

test("locks: lockAsync keeps the count exact alongside blocking lock (2 + 2 Workers)", async () => {
  const mutex = new Mutex();
  const data = new SharedArrayBuffer(4);
  const n = 20_000;
  await run([false, true, false, true].map((async) => ({
    op: "count",
    mutex: mutex.handle,
    data,
    iterations: n,
    async,
  })));
  assert.equal(new Int32Array(data)[0], 4 * n);
});

test("locks: producer/consumer with a Mutex and two Conditions (2 + 2 Workers)", async () => {
  for (const size of [1, 4]) {
    const mutex = new Mutex();
    const notEmpty = new Condition();
    const notFull = new Condition();
    const data = new SharedArrayBuffer(4 * (2 + size));
    const items = 10_000;
    const common = { mutex: mutex.handle, notEmpty: notEmpty.handle, notFull: notFull.handle };
    const sums = await run([
      { op: "produce", ...common, data, items },
      { op: "consume", ...common, data, items },
      { op: "produce", ...common, data, items },
      { op: "consume", ...common, data, items },
    ]);
    const each = (items * (items + 1)) / 2;
    assert.equal(sums[1] + sums[3], 2 * each, `ring of ${size}`);
    const d = new Int32Array(data);
    assert.deepEqual([d[0], d[1]], [2 * items, 2 * items]);
  }
});

test("locks: a Barrier sees every party in every round and one leader per round", async () => {
  const parties = 4;
  const rounds = 200;
  const barrier = new Barrier(parties);
  const log = new SharedArrayBuffer(4 * 2 * rounds);
  const leaders = await run(
    [0, 1, 2, 3].map((party) => ({ op: "barrier", barrier: barrier.handle, log, party, rounds })),
  );
  assert.ok(leaders.every((l) => l >= 0), `a party passed a round early: ${leaders}`);
  assert.equal(leaders.reduce((a, b) => a + b, 0), rounds);
  const perRound = new Int32Array(log, 0, rounds);
  assert.ok(perRound.every((x) => x === 1));
});

test("locks: a Latch opens for every waiter once counted down", async () => {
  const latch = new Latch(3);
  const seen = new SharedArrayBuffer(4);
  const replies = await run([0, 1, 2].map(() => ({ op: "latch", latch: latch.handle, seen })));
  assert.deepEqual(replies.sort(), [0, 1, 2]);
  assert.equal(latch.count, 0);
  latch.wait(); // open: returns at once
});

test("locks: Once runs its function once among 4 Workers; a throwing run is retried", async () => {
  const once = new Once();
  const runs = new SharedArrayBuffer(4);
  const ran = await run([0, 1, 2, 3].map(() => ({ op: "once", once: once.handle, runs })));
  assert.equal(new Int32Array(runs)[0], 1);
  assert.equal(ran.reduce((a, b) => a + b, 0), 1);
  assert.equal(once.done, true);
  assert.equal(once.run(() => assert.fail("ran twice")), false);

  const flaky = new Once();
  assert.throws(() =>
    flaky.run(() => {
      throw new Error("first try");
    }), /first try/);
  assert.equal(flaky.done, false);
  await assert.rejects(flaky.runAsync(() => Promise.reject(new Error("async try"))), /async try/);
  assert.equal(await flaky.runAsync(async () => {}), true);
  assert.equal(flaky.done, true);
});

test("locks: Mutex basics — guards, tryLock, using, re-entry throws", async () => {
  const mutex = new Mutex();
  {
    using guard = mutex.lock();
    assert.ok(guard instanceof MutexGuard);
    assert.equal(guard.ownerDied, false);
    assert.equal(mutex.locked, true);
    assert.equal(mutex.tryLock(), undefined);
    assert.throws(
      () => mutex.lock(),
      (e: unknown) => e instanceof Error && /already holds/.test(String(e)),
    );
    assert.equal(mutex.locked, true);
  }
  assert.equal(mutex.locked, false);
  const g = mutex.tryLock()!;
  g.unlock();
  g.unlock(); // idempotent: does not unlock someone else's lock
  const other = mutex.lock();
  g.unlock();
  assert.equal(mutex.locked, true);
  other.unlock();
  {
    await using _ = await mutex.lockAsync();
    assert.equal(mutex.locked, true);
  }
  assert.equal(mutex.locked, false);
  assert.equal(Mutex.from(mutex.handle).locked, false);
  assert.equal(String(mutex), "Mutex(unlocked)");
});

test("locks: timeouts and aborts on every wait leave the primitive usable", async () => {
  // Mutex: a foreign owner written into its word.
  const mutex = new Mutex();
  const words = wordsOf(mutex.handle);
  words[0] = 12345;
  assert.throws(() => mutex.lock({ timeout: 5 }), isTimeout);
  await assert.rejects(mutex.lockAsync({ timeout: 5 }), isTimeout);
  const reason = new Error("stop");
  assert.throws(() => mutex.lock({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
  const controller = new AbortController();
  const pending = mutex.lockAsync({ signal: controller.signal });
  setTimeout(() => controller.abort(reason), 5);
  await assert.rejects(pending, (e) => e === reason);
  Atomics.store(words, 0, 0);
  Atomics.notify(words, 0);
  mutex.lock({ timeout: 5 }).unlock();
  assert.equal(mutex.locked, false);

  // Condition: "timed-out", the guard held again; abort throws with the lock held.
  const condition = new Condition();
  {
    using guard = mutex.lock();
    assert.equal(condition.wait(guard, { timeout: 5 }), "timed-out");
    assert.equal(mutex.locked, true);
    assert.equal(await condition.waitAsync(guard, { timeout: 5 }), "timed-out");
    assert.equal(mutex.locked, true);
    assert.throws(
      () => condition.wait(guard, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(mutex.locked, true);
  }
  assert.equal(mutex.locked, false);
  assert.equal(typeof condition.notifyAll(), "number");

  // Semaphore.
  const semaphore = new Semaphore(1);
  const permit = semaphore.acquire();
  assert.throws(() => semaphore.acquire(1, { timeout: 5 }), isTimeout);
  await assert.rejects(semaphore.acquireAsync(1, { timeout: 5 }), isTimeout);
  await assert.rejects(
    semaphore.acquireAsync(1, { signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
  assert.equal(semaphore.available, 0);
  permit.release();
  permit.release();
  assert.equal(semaphore.available, 1);
  semaphore.acquire(1, { timeout: 5 }).release();

  // Latch.
  const latch = new Latch(1);
  assert.throws(() => latch.wait({ timeout: 5 }), isTimeout);
  await assert.rejects(latch.waitAsync({ timeout: 5 }), isTimeout);
  latch.countDown();
  await latch.waitAsync({ timeout: 5 });

  // Barrier: a timed-out arrival is withdrawn, so the next round still needs both parties.
  const barrier = new Barrier(2);
  assert.throws(() => barrier.wait({ timeout: 5 }), isTimeout);
  await assert.rejects(barrier.waitAsync({ timeout: 5 }), isTimeout);
  await assert.rejects(
    barrier.waitAsync({ signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
  const both = await Promise.all([barrier.waitAsync(), barrier.waitAsync()]);
  assert.deepEqual(both.sort(), [false, true]);
});

test("locks: notify and unlock racing a waiter in a loop never lose a wakeup", async () => {
  // Ping-pong through a ring of one: every hand-over is a notify racing the other side's wait.
  const mutex = new Mutex();
  const notEmpty = new Condition();
  const notFull = new Condition();
  const data = new SharedArrayBuffer(4 * 3);
  const items = 5_000;
  const common = { mutex: mutex.handle, notEmpty: notEmpty.handle, notFull: notFull.handle };
  const [, sum] = await run([
    { op: "produce", ...common, data, items },
    { op: "consume", ...common, data, items },
  ]);
  assert.equal(sum, (items * (items + 1)) / 2);
  // And on one thread: a notify before the wait is not seen by it, so the wait times out.
  using guard = mutex.lock();
  notEmpty.notifyAll();
  assert.equal(notEmpty.wait(guard, { timeout: 1 }), "timed-out");
});

test("locks: RwLock readers share — 3 Workers hold the read lock at once", async () => {
  const lock = new RwLock();
  const inside = new SharedArrayBuffer(4);
  const seen = await run([0, 1, 2].map(() => ({
    op: "rw-share",
    lock: lock.handle,
    inside,
    parties: 3,
  })));
  assert.deepEqual(seen.map((n) => n >= 3), [true, true, true]);
  assert.equal(lock.readers, 0);
  assert.equal(lock.writeLocked, false);
});

test("locks: RwLock writers exclude readers and writers (4 Workers, plain data exact)", async () => {
  const lock = new RwLock();
  const data = new SharedArrayBuffer(12);
  const n = 40_000;
  const writeEvery = 4;
  const torn = await run([false, true, false, false].map((async) => ({
    op: "rw-mix",
    lock: lock.handle,
    data,
    iterations: async ? n / 4 : n,
    writeEvery,
    async,
  })));
  assert.deepEqual(torn, [0, 0, 0, 0]);
  const writes = 3 * (n / writeEvery) + n / 4 / writeEvery;
  assert.deepEqual([...new Int32Array(data)], [writes, writes, writes]);
  assert.equal(String(lock), "RwLock(unlocked)");
});

test("locks: RwLock writer is not starved by readers re-acquiring back to back", async () => {
  const lock = new RwLock();
  const state = new SharedArrayBuffer(16);
  const limit = 200_000;
  const words = wordsOf(lock.handle);
  const reader = { op: "rw-stream", lock: lock.handle, words, state, limit } as const;
  const replies = await run([
    reader,
    reader,
    reader,
    { op: "rw-writer", lock: lock.handle, state, after: 1000 },
  ]);
  const gotAt = new Int32Array(state)[2];
  // Readers that kept the writer out would run on to `limit`; a writer-preferring lock lets
  // each reader finish at most the round it had started when the writer came.
  assert.ok(gotAt < limit, `the writer got in only after the readers stopped (${gotAt})`);
  for (const behind of replies.slice(0, 3)) {
    assert.ok(behind <= 1, `a reader did ${behind} rounds while the writer wanted the lock`);
  }
});

test("locks: RwLock basics — guards, try, using, re-entry, timeouts, aborts", async () => {
  const lock = new RwLock();
  {
    using r1 = lock.read();
    using r2 = lock.tryRead()!;
    assert.ok(r1 instanceof RwLockReadGuard && r2 instanceof RwLockReadGuard);
    assert.equal(lock.readers, 2);
    assert.equal(String(lock), "RwLock(2 readers)");
    assert.equal(lock.tryWrite(), undefined);
    assert.equal(lock.writeLocked, false); // a failed tryWrite leaves nothing behind
    // Writing while this thread reads would wait for itself: an Error at once, nothing taken.
    assert.throws(() => lock.write({ timeout: 5 }), /holds a read lock/);
    // A writer task waits for the thread's readers (here it times out).
    await assert.rejects(lock.writeAsync({ timeout: 5 }), (e: unknown) => isTimeout(e));
    assert.equal(lock.writeLocked, false);
    lock.read().unlock(); // and readers still get in
    r1.unlock();
    r1.unlock(); // idempotent
    assert.equal(lock.readers, 1);
  }
  assert.equal(lock.readers, 0);
  {
    using w = lock.write();
    assert.ok(w instanceof RwLockWriteGuard);
    assert.equal(w.ownerDied, false);
    assert.equal(String(lock), "RwLock(write-locked)");
    assert.equal(lock.tryRead(), undefined);
    assert.equal(lock.tryWrite(), undefined);
    assert.throws(() => lock.write(), /already holds/);
    assert.throws(() => lock.read(), /already holds/);
    // Async tasks wait for the thread's blocking hold (here they time out).
    await assert.rejects(lock.readAsync({ timeout: 5 }), (e: unknown) => isTimeout(e));
    const reason = new Error("stop");
    assert.throws(() => lock.read({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(lock.writeAsync({ timeout: 5 }), (e: unknown) => isTimeout(e));
    assert.equal(lock.readers, 0);
  }
  assert.equal(lock.writeLocked, false);
  // An abort while waiting for the readers to leave releases the writers' side too.
  {
    const words = wordsOf(lock.handle);
    Atomics.add(words, 4, 1); // a reader in another thread
    const controller = new AbortController();
    const pending = lock.writeAsync({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("gone")), 5);
    await assert.rejects(pending, /gone/);
    assert.equal(lock.writeLocked, false);
    Atomics.sub(words, 4, 1);
  }
  {
    await using w = await lock.writeAsync({ timeout: 100 });
    assert.equal(w.ownerDied, false);
  }
  {
    await using r = await lock.readAsync();
    assert.equal(r.ownerDied, false);
  }
  const w = lock.tryWrite()!;
  w.unlock();
  w.unlock();
  assert.equal(String(RwLock.from(lock.handle)), "RwLock(unlocked)");
});

test("locks: in-process lock words live in the engine's memory beside the atomics", () => {
  const atomicHandle = new AtomicInt(0).handle;
  for (const handle of [new Mutex().handle, new RwLock().handle, new Semaphore(1).handle]) {
    if ("memory" in atomicHandle) {
      // The WebAssembly engine: one memory for atomics and lock words, waits on its buffer.
      assert.ok("memory" in handle && handle.memory === atomicHandle.memory);
    } else {
      // The native engine keeps its atomics (and so the lock words) in SharedArrayBuffers.
      assert.ok("buffer" in handle && handle.buffer instanceof SharedArrayBuffer);
    }
    assert.equal(handle.byteOffset % 4, 0);
  }
  // Rebuilt from its handle, a mutex is the same lock.
  const m = new Mutex();
  const guard = m.lock();
  assert.equal(Mutex.from(m.handle).tryLock(), undefined);
  guard.unlock();
  assert.ok(Mutex.from(m.handle).tryLock() !== undefined);
});

test("locks: every bad argument is a TypeError or RangeError and changes nothing", async () => {
  const mutex = new Mutex();
  for (
    const [options, type] of [
      [{ timeout: -1 }, RangeError],
      [{ timeout: Number.NaN }, RangeError],
      [{ timeout: "1" }, TypeError],
      [{ signal: {} }, TypeError],
      [7, TypeError],
      [null, TypeError],
    ] as const
  ) {
    assert.throws(() => mutex.lock(options as never), type);
    assert.equal(mutex.locked, false);
  }
  for (
    const [make, type] of [
      [() => new Semaphore(-1), RangeError],
      [() => new Semaphore(1.5), RangeError],
      [() => new Semaphore("2" as never), TypeError],
      [() => new Barrier(0), RangeError],
      [() => new Barrier(65_536), RangeError],
      [() => new Latch(-1), RangeError],
      [() => Mutex.from({} as never), TypeError],
      // @ts-expect-error: handles are typed by kind, so this does not compile either
      [() => Mutex.from(new Semaphore(1).handle), TypeError],
      [() => Mutex.from(null as never), TypeError],
      [
        () => Mutex.from({ kind: "mutex", buffer: new SharedArrayBuffer(8), byteOffset: 0 }),
        RangeError,
      ],
      [
        () => Mutex.from({ kind: "mutex", buffer: new SharedArrayBuffer(128), byteOffset: 2 }),
        RangeError,
      ],
      // A memory that is not a genuine shared WebAssembly.Memory, or words outside it.
      [() => Mutex.from({ kind: "mutex", memory: {}, byteOffset: 0 } as never), TypeError],
      [
        () =>
          Mutex.from({
            kind: "mutex",
            memory: Object.create(WebAssembly.Memory.prototype),
            byteOffset: 0,
          } as never),
        TypeError,
      ],
      [
        () => {
          const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
          return Mutex.from({ kind: "mutex", memory, byteOffset: 65_536 - 32 } as never);
        },
        RangeError,
      ],
      [() => new Once().run(1 as never), TypeError],
      // @ts-expect-error: handles are typed by kind
      [() => RwLock.from(new Mutex().handle), TypeError],
      [() => RwLock.from({ kind: "rwlock" } as never), TypeError],
      [() => new RwLock().read({ timeout: -1 }), RangeError],
      [() => new RwLock().write({ signal: 1 } as never), TypeError],
      [() => new RwLock().write(7 as never), TypeError],
      [() => new Condition().wait({} as never), TypeError],
    ] as const
  ) {
    assert.throws(make, type);
  }
  const semaphore = new Semaphore(2);
  for (const n of [0, -1, 1.5, Infinity]) {
    assert.throws(() => semaphore.acquire(n), RangeError);
    assert.throws(() => semaphore.release(n), RangeError);
  }
  assert.throws(() => semaphore.tryAcquire("1" as never), TypeError);
  assert.equal(semaphore.available, 2);
  const latch = new Latch(2);
  assert.throws(() => latch.countDown(0), RangeError);
  assert.equal(latch.count, 2);
  const rw = new RwLock();
  await assert.rejects(rw.readAsync({ timeout: "1" } as never), TypeError);
  await assert.rejects(rw.writeAsync({ timeout: Number.NaN }), RangeError);
  assert.equal(rw.readers, 0);
  assert.equal(rw.writeLocked, false);
  const guard = mutex.lock();
  guard.unlock();
  assert.throws(() => new Condition().wait(guard), TypeError); // unlocked guard
  assert.equal(mutex.locked, false);
});

test("locks: region primitives — kinds, sizes, handles, a Worker on a region mutex", async () => {
  const name = `atomicx-test-locks-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const region = SharedMemory.open(name, { capacity: 32, only: "create" });
  try {
    const mutex = region.mutex("m");
    assert.equal(mutex.locked, false);
    assert.deepEqual({ ...mutex.handle }, { kind: "mutex", region: name, slot: "m" });
    assert.throws(() => region.int("m"), TypeError);
    assert.throws(() => region.semaphore("m", 1), TypeError);
    assert.throws(() => region.mutex(""), RangeError);
    assert.throws(() => region.mutex(1 as never), TypeError);
    const s = region.semaphore("s", 2);
    assert.throws(() => region.semaphore("s", 3), RangeError);
    assert.equal(region.semaphore("s", 2).available, 2);
    assert.equal(s.tryAcquire(2)?.n, 2);
    assert.equal(region.latch("l", 1).count, 1);
    assert.equal(region.barrier("b", 1).wait(), true);
    // A region barrier's waiting parties each have a holder-table entry: at most 32 parties.
    assert.throws(() => region.barrier("b33", 33), { name: "RangeError", message: /1\.\.32/ });
    assert.equal(region.entries().some((e) => e.name === "b33"), false);
    assert.equal(region.once("o").run(() => {}), true);
    assert.equal(region.once("o").done, true);
    const rw = region.rwLock("rw");
    assert.deepEqual({ ...rw.handle }, { kind: "rwlock", region: name, slot: "rw" });
    assert.throws(() => region.mutex("rw"), TypeError);
    assert.throws(() => region.rwLock("m"), TypeError);
    {
      using r = rw.read();
      assert.equal(r.ownerDied, false);
      assert.equal(RwLock.from(rw.handle).readers, 1);
      assert.equal(rw.tryWrite(), undefined);
    }
    {
      using w = rw.write({ timeout: 1000 });
      assert.equal(w.ownerDied, false);
      assert.throws(() => rw.write(), /already holds/);
      assert.equal(rw.tryRead(), undefined); // a live writer is not taken over
    }
    {
      using guard = mutex.lock();
      assert.throws(() => mutex.lock(), /already holds/);
      assert.equal(region.condition("c").wait(guard, { timeout: 5 }), "timed-out");
      assert.equal(guard.ownerDied, false);
    }
    const data = new SharedArrayBuffer(4);
    const n = 20_000;
    await run([0, 1].map(() => ({ op: "count", mutex: mutex.handle, data, iterations: n })));
    assert.equal(new Int32Array(data)[0], 2 * n);
    assert.equal(mutex.locked, false);
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

test("locks: an aborted or timed-out lockAsync takes no wakeup meant for a Worker in lock()", async () => {
  for (const end of ["abort", "timeout"] as const) {
    const mutex = new Mutex();
    const words = wordsOf(mutex.handle);
    words[0] = 12345; // held by another thread, for now
    const controller = new AbortController();
    const options = end === "abort" ? { signal: controller.signal } : { timeout: 20 };
    const given = mutex.lockAsync(options);
    controller.abort(new Error("gone"));
    await assert.rejects(given, end === "abort" ? /gone/ : isTimeout);
    // This thread takes the lock over (no notify: the waiter that gave up is still queued).
    Atomics.store(words, 0, 0);
    const guard = mutex.lock();
    const flag = new SharedArrayBuffer(4);
    const got = runWorker<number>(worker, {
      op: "lock-flagged",
      mutex: mutex.handle,
      flag,
      timeout: 8000,
    });
    await flagged(flag);
    guard.unlock(); // wakes one: it must reach the Worker, not the waiter that gave up
    // Woken, the Worker has the lock at once; with the wakeup lost it sleeps its whole 8 s.
    const took = await got;
    assert.ok(took >= 0 && took < 6000, `after an ${end}, the Worker waited ${took} ms`);
    assert.equal(mutex.locked, false);
  }
});

test("locks: an aborted Condition.waitAsync takes no notifyOne meant for a Worker", async () => {
  const mutex = new Mutex();
  const condition = new Condition();
  const abandon = async () => {
    const guard = await mutex.lockAsync();
    const controller = new AbortController();
    const waiting = condition.waitAsync(guard, { signal: controller.signal });
    controller.abort(new Error("gone"));
    await assert.rejects(waiting, /gone/);
    assert.equal(mutex.locked, true); // held again on return, as after every wait
    guard.unlock();
  };
  await abandon();
  const flag = new SharedArrayBuffer(4);
  const got = runWorker<number>(worker, {
    op: "wait-flagged",
    mutex: mutex.handle,
    condition: condition.handle,
    flag,
    timeout: 8000,
  });
  await flagged(flag);
  {
    using _ = mutex.lock();
    assert.equal(condition.notifyOne(), 1);
  }
  assert.equal(await got, 1, "the Worker was never notified");
  // With only an abandoned waiter left, notifyOne wakes nobody alive and says so.
  await abandon();
  {
    using _ = mutex.lock();
    assert.equal(condition.notifyOne(), 0);
    assert.equal(condition.notifyAll(), 0);
  }
});

test("locks: timeouts of 2^31 ms and more are long waits — no overflow, no polling", async () => {
  type Listen = (event: "warning", listener: (w: Error) => void) => void;
  const proc = (globalThis as { process?: { on?: Listen; off?: Listen } }).process;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  proc?.on?.("warning", onWarning);
  try {
    const mutex = new Mutex();
    const words = wordsOf(mutex.handle);
    words[0] = 12345; // another owner
    const pending = [2 ** 31, 2 ** 40, Infinity].map((timeout) =>
      mutex.lockAsync({ timeout }).then((g) => g.unlock())
    );
    const semaphore = new Semaphore(0);
    const permit = semaphore.acquireAsync(1, { timeout: 2 ** 32 });
    const int = new AtomicInt(0);
    const changed = int.waitAsync(0, 2 ** 32);
    await sleep(300);
    // Each wait sleeps once: a timer overflowing to 1 ms would have left a waiter per poll. Only
    // the first of this thread's three tasks sleeps on the word; the others queue in the thread.
    Atomics.store(words, 0, 0);
    assert.equal(Atomics.notify(words, 0), 1);
    await Promise.all(pending);
    semaphore.release();
    (await permit).release();
    int.store(1);
    int.notify();
    assert.equal(await changed, "ok");
    await sleep(10);
    assert.deepEqual(warnings, []);
  } finally {
    proc?.off?.("warning", onWarning);
  }
});

test("locks: an already-aborted signal rejects every wait alike and changes nothing", async () => {
  const reason = new Error("aborted before");
  const signal = AbortSignal.abort(reason);
  const is = (e: unknown) => e === reason;
  const mutex = new Mutex();
  assert.throws(() => mutex.lock({ signal }), is);
  await assert.rejects(mutex.lockAsync({ signal }), is);
  assert.equal(mutex.locked, false);
  const rw = new RwLock();
  assert.throws(() => rw.read({ signal }), is);
  assert.throws(() => rw.write({ signal }), is);
  await assert.rejects(rw.readAsync({ signal }), is);
  await assert.rejects(rw.writeAsync({ signal }), is);
  assert.equal(String(rw), "RwLock(unlocked)");
  const semaphore = new Semaphore(2);
  assert.throws(() => semaphore.acquire(1, { signal }), is);
  await assert.rejects(semaphore.acquireAsync(1, { signal }), is);
  assert.equal(semaphore.available, 2);
  const barrier = new Barrier(2);
  assert.throws(() => barrier.wait({ signal }), is);
  await assert.rejects(barrier.waitAsync({ signal }), is);
  // No arrival was counted: the next round still needs both parties.
  assert.throws(() => barrier.wait({ timeout: 5 }), isTimeout);
  const latch = new Latch(0);
  assert.throws(() => latch.wait({ signal }), is);
  await assert.rejects(latch.waitAsync({ signal }), is);
  const condition = new Condition();
  {
    using guard = mutex.lock();
    assert.throws(() => condition.wait(guard, { signal }), is);
    await assert.rejects(condition.waitAsync(guard, { signal }), is);
    assert.equal(mutex.locked, true);
    assert.equal(guard.mutex, mutex);
  }
  assert.equal(mutex.locked, false);
});

test("locks: counts stay in range — a Semaphore release past 2^30−1 free is a RangeError", () => {
  const semaphore = new Semaphore(0);
  semaphore.release(2 ** 30 - 1);
  assert.equal(semaphore.available, 2 ** 30 - 1);
  assert.throws(() => semaphore.release(1), RangeError);
  assert.throws(() => semaphore.release(2 ** 30 - 1), RangeError);
  assert.equal(semaphore.available, 2 ** 30 - 1);
  const permit = semaphore.acquire(5);
  assert.equal(semaphore.available, 2 ** 30 - 6);
  permit.release();
  assert.equal(semaphore.available, 2 ** 30 - 1);
});

test("locks: a tampered region holder table cannot push a Semaphore or RwLock out of range", () => {
  const name = `atomicx-test-tamper-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const capacity = 16;
  const region = SharedMemory.open(name, { capacity, only: "create" });
  const data = 128 + capacity * 128; // header, then the directory (docs/regions.md)
  /** Writes `words` (i32) at byte `at` of the region's file (the same pages as the mapping). */
  const poke = (at: number, words: number[]) => {
    const fd = openSync(regionFile(name), "r+");
    try {
      writeSync(fd, new Uint8Array(new Int32Array(words).buffer), 0, words.length * 4, at);
    } finally {
      closeSync(fd);
    }
  };
  /** Entry 5 of the holder table of the primitive at `slot`: a thread that does not exist. */
  const forge = (slot: number, count: number) =>
    poke(data + slot * 128 + 128 + 5 * 20, [0x7fff_fffe, 0x7fff_fffe, 1, 0, count]);
  try {
    const s = region.semaphore("s", 2); // slots 0–5
    const rw = region.rwLock("rw"); // slots 6–11
    assert.equal(s.tryAcquire(2)?.n, 2);
    forge(0, 0x7fff_ffff); // "holds" far more permits than were ever taken
    const permit = s.acquire(1, { timeout: 5_000 }); // a slice runs out: the entry is given back
    assert.equal(permit.ownerDied, true);
    assert.equal(s.available, 2 ** 30 - 2); // at most 2^30−1 free, whatever the table said
    forge(0, -5); // a negative count gives nothing back
    assert.throws(() => s.acquire(2 ** 30 - 1, { timeout: 250 }), { name: "TimeoutError" });
    assert.equal(s.available, 2 ** 30 - 2);
    poke(data + 6 * 128 + 16, [1]); // word 4: one reader, named nowhere but the forged entry
    forge(6, 1000);
    using writer = rw.write({ timeout: 5_000 });
    assert.equal(writer.ownerDied, true);
    assert.equal(rw.readers, 0); // never below zero
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

test("locks: a region Semaphore counts its sleepers in word 3 (blocking, async, aborted) for its release", async () => {
  const capacity = 8;
  await withRegion("sleepers", async (region, name) => {
    const s = region.semaphore("s", 1); // slots 0–5: its words start the data, after the directory
    /** Word 3 of the semaphore, read from the region's file (the same pages as the mapping). */
    const sleepers = () => readFileSync(regionFile(name)).readInt32LE(128 + capacity * 128 + 12);
    const whenSleepers = async (n: number) => {
      for (let waited = 0; sleepers() !== n; waited += 5) {
        if (waited > 20_000) throw new Error(`word 3 never became ${n} (it is ${sleepers()})`);
        await sleep(5);
      }
    };
    const held = s.acquire();
    assert.equal(sleepers(), 0);
    // A Worker asleep in acquire() counts itself (between its 100 ms slices too), and the release
    // wakes it.
    const flag = new SharedArrayBuffer(4);
    const got = runWorker<number>(worker, {
      op: "acquire-flagged",
      semaphore: s.handle,
      flag,
      timeout: 20_000,
    });
    await whenSleepers(1);
    held.release();
    assert.ok((await got) >= 0, "the Worker got the permit");
    assert.equal(sleepers(), 0);
    // An async wait of this thread counts itself while asleep, and no more once aborted or served.
    const again = s.acquire();
    const controller = new AbortController();
    const aborted = s.acquireAsync(1, { signal: controller.signal, timeout: 20_000 });
    await whenSleepers(1);
    controller.abort(new Error("gone"));
    await assert.rejects(aborted, /gone/);
    assert.equal(sleepers(), 0);
    const next = s.acquireAsync(1, { timeout: 20_000 });
    await whenSleepers(1);
    again.release();
    (await next).release();
    assert.equal(sleepers(), 0);
    assert.equal(s.available, 1);
  }, capacity);
});

test("locks: one thread's region permits are one holder entry, whichever object or library copy takes and gives them", async () => {
  const capacity = 8;
  const { pathToFileURL } = await import("node:url");
  const copy = libraryCopy();
  try {
    const second: typeof import("../../mod.ts") = await import(pathToFileURL(copy.entry).href);
    await withRegion("one-entry", (region, name) => {
      // The holder table follows the semaphore's own slot (slot 0): entries of five words.
      const table = 128 + capacity * 128 + 128;
      const entry = (e: number) => {
        const image = readFileSync(regionFile(name));
        return {
          tid: image.readInt32LE(table + e * 20 + 4),
          count: image.readInt32LE(table + e * 20 + 16),
        };
      };
      const a = region.semaphore("s", 8);
      using other = SharedMemory.open(name, { only: "attach" });
      const b = other.semaphore("s", 8);
      using theirs = second.SharedMemory.open(name, { only: "attach" });
      const c = theirs.semaphore("s", 8);
      const p1 = a.acquire(2), p2 = b.acquire(1), p3 = c.acquire(3);
      assert.equal(entry(0).count, 6);
      assert.equal(entry(1).tid, 0, "no second entry for this thread");
      p3.release();
      p1.release();
      assert.equal(entry(0).count, 1);
      p2.release();
      assert.deepEqual(entry(0), { tid: 0, count: 0 }); // freed at 0
      // Taken through one, given back through another: the same entry, counted once.
      const p4 = c.acquire(2);
      b.release(1);
      assert.equal(entry(0).count, 1);
      a.release(1);
      assert.deepEqual(entry(0), { tid: 0, count: 0 });
      p4.keep(); // its permits were given back through the others already
      assert.equal(a.available, 8);
    }, capacity);
  } finally {
    copy.remove();
  }
});

test("locks: permits a thread holds in a region and in another of the same name are given back exactly once when it ends", async () => {
  const name = uniqueName("split");
  const region = SharedMemory.open(name, { capacity: 8, only: "create" });
  try {
    const s = region.semaphore("s", 4);
    // The Worker holds permits here and in a new region of this name, gives them all back, ends.
    assert.equal(await runWorker<number>(worker, { op: "split-holds", name }), 4);
    // Any count the ended Worker left in this table would be given back as an extra permit.
    const all = s.acquire(4, { timeout: 5_000 });
    assert.throws(() => s.acquire(1, { timeout: 1_000 }), isTimeout);
    all.release();
    assert.equal(s.available, 4);
  } finally {
    region.close();
    try {
      SharedMemory.unlink(name);
    } catch {
      // the Worker unlinked it already
    }
  }
});

test("locks: a full region holder table is a clear Error and changes nothing", async () => {
  const name = `atomicx-test-full-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const capacity = 24;
  const region = SharedMemory.open(name, { capacity, only: "create" });
  const data = 128 + capacity * 128;
  /**
   * Fills all 32 entries of the holder table of the primitive at `slot` with entries another
   * waiter is giving back (tid −1): taken, and not for this thread to give back.
   */
  const fill = (slot: number) => {
    const entries = new Int32Array(32 * 5);
    for (let e = 0; e < 32; e++) entries.set([0x7fff_fff0, -1, 1, 0, 1], e * 5);
    const fd = openSync(regionFile(name), "r+");
    try {
      writeSync(fd, new Uint8Array(entries.buffer), 0, entries.byteLength, data + slot * 128 + 128);
    } finally {
      closeSync(fd);
    }
  };
  try {
    const s = region.semaphore("s", 2); // slots 0–5
    const rw = region.rwLock("rw"); // slots 6–11
    const b = region.barrier("b", 2); // slots 12–17
    fill(0);
    fill(6);
    fill(12);
    assert.throws(() => s.tryAcquire(), { name: "Error", message: /32 threads hold permits/ });
    assert.equal(s.available, 2);
    assert.throws(() => rw.read(), { name: "Error", message: /32 threads hold read locks/ });
    assert.equal(rw.readers, 0);
    assert.throws(() => b.wait({ timeout: 10 }), { name: "Error", message: /32 parties wait/ });
    await assert.rejects(b.waitAsync({ timeout: 10 }), { name: "Error", message: /32 parties/ });
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

test("locks: a region holder table full of threads that ended is given back, not refused", async () => {
  const capacity = 24;
  await withRegion("full-dead", async (region, name) => {
    const data = 128 + capacity * 128;
    /**
     * Fills the 32 entries of the primitive at `slot` with threads that ended holding nothing:
     * of a process that does not exist, or (`unnamed`) killed between claiming and naming its
     * process (pid 0, a thread id that does not exist).
     */
    const fill = (slot: number, unnamed: boolean) => {
      const entries = new Int32Array(32 * 5);
      for (let e = 0; e < 32; e++) {
        entries.set([unnamed ? 0 : 0x7fff_fff0, 0x7fff_fff0 - e, 0, 0, 0], e * 5);
      }
      const fd = openSync(regionFile(name), "r+");
      try {
        writeSync(
          fd,
          new Uint8Array(entries.buffer),
          0,
          entries.byteLength,
          data + slot * 128 + 128,
        );
      } finally {
        closeSync(fd);
      }
    };
    const s = region.semaphore("s", 2); // slots 0–5
    const rw = region.rwLock("rw"); // slots 6–11
    const b = region.barrier("b", 2); // slots 12–17
    for (const unnamed of [false, true]) {
      fill(0, unnamed);
      fill(6, unnamed);
      fill(12, unnamed);
      // A thread of no process can be judged by its id alone only where the system lists every
      // thread (Linux); elsewhere such entries stay taken and the table stays full.
      if (unnamed && process.platform !== "linux") {
        assert.throws(() => s.tryAcquire(), /32 threads hold permits/);
        assert.throws(() => rw.read(), /32 threads hold read locks/);
        continue;
      }
      const permit = s.tryAcquire(2);
      assert.ok(permit !== undefined && !permit.ownerDied);
      permit.release();
      assert.equal(s.available, 2);
      rw.read().unlock();
      assert.equal(rw.readers, 0);
      assert.throws(() => b.wait({ timeout: 10 }), isTimeout);
      await assert.rejects(b.waitAsync({ timeout: 10 }), isTimeout);
    }
  }, capacity);
});

test("locks: a kept Permit stays taken — release and dispose do nothing after keep()", () => {
  const semaphore = new Semaphore(3);
  {
    using permit = semaphore.acquire(2);
    assert.equal(permit.ownerDied, false);
    permit.keep();
    permit.release();
    permit.keep();
  }
  assert.equal(semaphore.available, 1);
  const released = semaphore.acquire(1);
  released.release();
  released.keep(); // after release: nothing
  assert.equal(semaphore.available, 1);
});

test("locks: Once re-entry is an Error (run and runAsync inside their own fn), never a hang", async () => {
  const once = new Once();
  assert.throws(() => once.run(() => once.run(() => {})), /inside its own function/);
  assert.equal(once.done, false);
  const nested = new Once();
  const outcome = await within(
    nested.runAsync(async () => {
      await sleep(1);
      await nested.runAsync(() => {});
    }),
    3000,
  ).catch((e: Error) => e.message);
  assert.match(String(outcome), /inside its own function/);
  assert.equal(nested.done, false);
  // Synchronously inside runAsync's fn, too; and run (blocking) inside runAsync's fn.
  const early = new Once();
  await assert.rejects(early.runAsync(() => early.runAsync(() => {})), /inside its own/);
  const mixed = new Once();
  await assert.rejects(
    mixed.runAsync(async () => {
      await sleep(1);
      mixed.run(() => {});
    }),
    /inside its own/,
  );
  // Two runAsync of one thread at once are no re-entry: the second waits for the first.
  const shared = new Once();
  let runs = 0;
  const both = await Promise.all([
    shared.runAsync(async () => {
      runs++;
      await sleep(20);
    }),
    shared.runAsync(() => {
      runs++;
    }),
  ]);
  assert.deepEqual([both, runs], [[true, false], 1]);
});

test("locks: Once.run with an async or thenable-returning fn is a TypeError", () => {
  const once = new Once();
  assert.throws(() => once.run(async () => {}), TypeError);
  assert.equal(once.done, false);
  assert.throws(() => once.run(() => Promise.resolve() as never), TypeError);
  assert.throws(() => once.run(() => ({ then() {} }) as never), TypeError);
  assert.equal(once.done, false); // the run counts as failed: a later run tries again
  assert.equal(once.run(() => {}), true);
  assert.equal(once.ranAfterOwnerDied, false);
});

test("locks: a reader of this thread reads again while a writer waits (no self-deadlock)", () => {
  const lock = new RwLock();
  const first = lock.read();
  const words = wordsOf(lock.handle);
  words[0] = 12345; // a writer of another thread holds the writers' side, waiting for the readers
  const third = lock.tryRead(); // this thread reads already: it gets in
  assert.ok(third !== undefined);
  third.unlock();
  const second = lock.read({ timeout: 1000 }); // not behind the writer: the writer waits for it
  assert.equal(lock.readers, 2);
  second.unlock();
  first.unlock();
  Atomics.store(words, 0, 0);
  assert.equal(String(lock), "RwLock(unlocked)");
});

test("locks: region Once.run inside its own fn is an Error; refused sizes leave no entry", () => {
  const name = `atomicx-test-reentry-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const region = SharedMemory.open(name, { capacity: 8, only: "create" });
  try {
    const once = region.once("o");
    assert.throws(() => once.run(() => region.once("o").run(() => {})), /inside its own/);
    assert.equal(once.done, false);
    assert.equal(once.run(() => {}), true);
    const mutex = region.mutex("m");
    const guard = mutex.lock();
    assert.throws(() => region.mutex("m").lock({ timeout: 1000 }), /already holds/);
    guard.unlock();
    assert.throws(() => region.semaphore("s", -1), RangeError);
    assert.throws(() => region.barrier("b", 0), RangeError);
    assert.throws(() => region.latch("l", 1.5), RangeError);
    assert.deepEqual(region.entries().map((e) => e.name).sort(), ["m", "o"]);
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

test("locks: two copies of the library in one thread agree on holders and guards", async () => {
  const { pathToFileURL } = await import("node:url");
  const copy = libraryCopy();
  try {
    const second: typeof import("../../mod.ts") = await import(pathToFileURL(copy.entry).href);
    assert.ok(second.Mutex !== Mutex);
    // A mutex held through one copy: the other copy's lock is a re-entry, not a wait forever.
    const mutex = new Mutex();
    const guard = mutex.lock();
    const theirs = second.Mutex.from(mutex.handle);
    assert.throws(() => theirs.lock({ timeout: 2000 }), /already holds/);
    // An async task waits for the thread's hold instead (here it times out).
    await assert.rejects(theirs.lockAsync({ timeout: 20 }), (e: unknown) => isTimeout(e));
    // The other copy's Condition takes this copy's guard (and gives the lock back held).
    assert.equal(new second.Condition().wait(guard, { timeout: 5 }), "timed-out");
    assert.equal(
      await new second.Condition().waitAsync(guard, { timeout: 5 }),
      "timed-out",
    );
    assert.equal(mutex.locked, true);
    guard.unlock();
    assert.equal(mutex.locked, false);
    // And the other way round.
    const theirGuard = theirs.lock();
    assert.throws(() => mutex.lock({ timeout: 2000 }), /already holds/);
    assert.equal(new Condition().wait(theirGuard, { timeout: 5 }), "timed-out");
    theirGuard.unlock();
    assert.equal(mutex.locked, false);
    // A read hold through one copy, a write through the other; a run inside a run.
    const rw = new RwLock();
    const reading = rw.read();
    assert.throws(() => second.RwLock.from(rw.handle).write({ timeout: 2000 }), /read lock/);
    reading.unlock();
    const once = new Once();
    assert.throws(
      () => once.run(() => second.Once.from(once.handle).run(() => {})),
      /inside its own/,
    );
  } finally {
    copy.remove();
  }
});

test("locks: an aborted region lockAsync whose region is then closed leaves no stray error", async () => {
  const name = `atomicx-test-abandon-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const region = SharedMemory.open(name, { capacity: 32, only: "create" });
  const stray: unknown[] = [];
  const onStray = (e: unknown) => stray.push(e);
  type On = (event: string, listener: (e: unknown) => void) => void;
  const proc = (globalThis as { process?: { on?: On; off?: On } }).process;
  proc?.on?.("unhandledRejection", onStray);
  const onEvent = (event: Event) => {
    event.preventDefault();
    stray.push((event as PromiseRejectionEvent).reason);
  };
  globalThis.addEventListener?.("unhandledrejection", onEvent);
  try {
    // A Worker takes "w" and ends holding it: this thread's wait sleeps until a slice runs out.
    await runWorker(new URL("../fixtures/lock_thread.ts", import.meta.url), { region: name });
    const controller = new AbortController();
    const waiting = region.mutex("w").lockAsync({ signal: controller.signal });
    controller.abort(new Error("gone"));
    await assert.rejects(waiting, /gone/);
    region.close(); // the abandoned native wait ends with the region closed
    await sleep(400);
    assert.deepEqual(stray, []);
  } finally {
    proc?.off?.("unhandledRejection", onStray);
    globalThis.removeEventListener?.("unhandledrejection", onEvent);
    region.close();
    SharedMemory.unlink(name);
  }
});

// ---- Tasks of one thread: an async hold belongs to its task; the thread's other tasks queue. ----

/** Something an acquisition gives: released by `unlock()` or `release()`. */
type Held = { unlock(): void } | { release(): void };
const letGo = (h: Held) => "unlock" in h ? h.unlock() : h.release();

/**
 * The server-handler program: 4 tasks, 3 rounds each, `await acquire(); try { …await… } finally
 * { release }` around a plain read-then-write with awaits inside. The count must be exact and the
 * tasks must get the lock in the order they asked for it (first come first served).
 */
async function fourHandlers(acquire: () => Promise<Held>, fifo = true): Promise<void> {
  let count = 0;
  const asked: number[] = [];
  const got: number[] = [];
  await Promise.all([0, 1, 2, 3].map(async (task) => {
    for (let round = 0; round < 3; round++) {
      asked.push(task);
      const held = await acquire();
      try {
        got.push(task);
        const seen = count;
        await sleep(1);
        await null;
        count = seen + 1;
      } finally {
        letGo(held);
      }
    }
  }));
  assert.equal(count, 12);
  if (fifo) assert.deepEqual(got, asked);
}

/** The same program through a `runExclusive`-style function. */
async function fourRunners(run: (fn: () => Promise<void>) => Promise<unknown>): Promise<void> {
  let count = 0;
  const asked: number[] = [];
  const got: number[] = [];
  await Promise.all([0, 1, 2, 3].map(async (task) => {
    for (let round = 0; round < 3; round++) {
      asked.push(task);
      await run(async () => {
        got.push(task);
        const seen = count;
        await sleep(1);
        count = seen + 1;
      });
    }
  }));
  assert.equal(count, 12);
  assert.deepEqual(got, asked);
}

/** Every primitive with an async acquisition, run through the four-handler program. */
async function fourHandlersOnEvery(
  make: {
    mutex(): Mutex;
    rwLock(): RwLock;
    semaphore(permits: number): Semaphore;
    condition(): Condition;
  },
): Promise<void> {
  const mutex = make.mutex();
  await fourHandlers(() => mutex.lockAsync());
  await fourHandlers(() => mutex.lockAsync({ timeout: 10_000 }));
  await fourRunners((fn) => mutex.runExclusive(fn));
  assert.equal(mutex.locked, false);
  const rw = make.rwLock();
  await fourHandlers(() => rw.writeAsync());
  assert.equal(rw.writeLocked, false);
  const one = make.semaphore(1);
  await fourHandlers(() => one.acquireAsync());
  await fourRunners((fn) => one.runExclusive(fn));
  const three = make.semaphore(3);
  await fourHandlers(() => three.acquireAsync(3, { timeout: 10_000 })); // weighted: all 3 at once
  await fourRunners((fn) => three.runExclusive(fn, 3));
  assert.equal(three.available, 3);
  // Condition.waitAsync gives the mutex up and queues again for it behind the other tasks (in
  // the order their waits end, not the order they first asked).
  const condition = make.condition();
  await fourHandlers(async () => {
    const guard = await mutex.lockAsync();
    assert.equal(await condition.waitAsync(guard, { timeout: 2 }), "timed-out");
    return guard;
  }, false);
  assert.equal(mutex.locked, false);
}

test("locks: four async handlers of one thread queue in order — exact counts, in-process", async () => {
  await fourHandlersOnEvery({
    mutex: () => new Mutex(),
    rwLock: () => new RwLock(),
    semaphore: (n) => new Semaphore(n),
    condition: () => new Condition(),
  });
});

test("locks: four async handlers of one thread queue in order — exact counts, in a region", async () => {
  await withRegion("tasks", async (region) => {
    await fourHandlersOnEvery({
      mutex: () => region.mutex("m"),
      rwLock: () => region.rwLock("rw"),
      semaphore: (n) => region.semaphore(`s${n}`, n),
      condition: () => region.condition("c"),
    });
    // Two objects for one slot are one lock, and one queue.
    await fourHandlers(() => region.mutex("m").lockAsync());
  }, 32);
});

test("locks: readers of one thread share; a writer task queues behind them, and readers behind it", async () => {
  for (const rw of [new RwLock()]) {
    const a = await rw.readAsync();
    const b = await rw.readAsync(); // both tasks read at once
    assert.equal(rw.readers, 2);
    const events: string[] = [];
    const writer = rw.writeAsync().then((g) => {
      events.push("write");
      return g;
    });
    await sleep(10);
    assert.deepEqual([...events], []);
    a.unlock();
    await sleep(5);
    assert.deepEqual([...events], []);
    b.unlock();
    const w = await writer;
    assert.deepEqual([...events], ["write"]);
    // A reader task now waits for the writer task.
    const reader = rw.readAsync().then((g) => {
      events.push("read");
      return g;
    });
    await sleep(10);
    assert.deepEqual([...events], ["write"]);
    w.unlock();
    (await reader).unlock();
    assert.deepEqual([...events], ["write", "read"]);
    assert.equal(rw.readers, 0);
  }
});

test("locks: Barrier, Latch and Once serve four tasks of one thread", async () => {
  const barrier = new Barrier(4);
  for (let round = 0; round < 2; round++) {
    const leaders = await Promise.all(
      [0, 1, 2, 3].map(() => barrier.waitAsync({ timeout: 10_000 })),
    );
    assert.equal(leaders.filter((x) => x).length, 1);
  }
  const latch = new Latch(1);
  const opened = Promise.all([0, 1, 2, 3].map(() => latch.waitAsync({ timeout: 10_000 })));
  await sleep(5);
  latch.countDown();
  await opened;
  const once = new Once();
  let runs = 0;
  const ran = await Promise.all([0, 1, 2, 3].map(() =>
    once.runAsync(async () => {
      const seen = runs;
      await sleep(5);
      runs = seen + 1;
    })
  ));
  assert.equal(runs, 1);
  assert.deepEqual(ran.filter((x) => x).length, 1);
  await withRegion("tasks-b", async (region) => {
    const b = region.barrier("b", 4);
    const leaders = await Promise.all([0, 1, 2, 3].map(() => b.waitAsync({ timeout: 10_000 })));
    assert.equal(leaders.filter((x) => x).length, 1);
    const l = region.latch("l", 1);
    const waiting = Promise.all([0, 1, 2, 3].map(() => l.waitAsync({ timeout: 10_000 })));
    l.countDown();
    await waiting;
    const o = region.once("o");
    let n = 0;
    await Promise.all([0, 1, 2, 3].map(() => o.runAsync(async () => void (await sleep(5), n++))));
    assert.equal(n, 1);
  }, 16);
});

test("locks: a blocking acquisition under an async hold of this thread throws at once", async () => {
  const mutex = new Mutex();
  const guard = await mutex.lockAsync();
  assert.throws(() => mutex.lock({ timeout: 5_000 }), /already holds/);
  assert.throws(() => mutex.lock(), /already holds/);
  guard.unlock();
  const rw = new RwLock();
  const writing = await rw.writeAsync();
  assert.throws(() => rw.read({ timeout: 5_000 }), /already holds/);
  assert.throws(() => rw.write({ timeout: 5_000 }), /already holds/);
  writing.unlock();
  const reading = await rw.readAsync();
  assert.throws(() => rw.write({ timeout: 5_000 }), /read lock/);
  reading.unlock();
  // The reverse is a queue, not an error: a task waits for the thread's blocking hold.
  const held = mutex.lock();
  const task = mutex.lockAsync({ timeout: 10_000 });
  await sleep(5);
  held.unlock();
  (await task).unlock();
  assert.equal(mutex.locked, false);
});

test("locks: a timed-out or aborted task leaves the in-thread queue; the others go on in order", async () => {
  const mutex = new Mutex();
  const first = await mutex.lockAsync();
  const order: string[] = [];
  const controller = new AbortController();
  const b = mutex.lockAsync({ signal: controller.signal });
  const c = mutex.lockAsync({ timeout: 20 });
  const d = mutex.lockAsync().then((g) => (order.push("d"), g.unlock()));
  controller.abort(new Error("no longer"));
  await assert.rejects(b, /no longer/);
  await assert.rejects(c, (e: unknown) => isTimeout(e));
  assert.deepEqual(order, []);
  first.unlock();
  await d;
  assert.deepEqual(order, ["d"]);
  assert.equal(mutex.locked, false);
  await assert.rejects(
    mutex.lockAsync({ signal: AbortSignal.abort(new Error("before")) }),
    /before/,
  );
  (await mutex.lockAsync()).unlock();
});

test("locks: runExclusive returns fn's value, releases on throw; waitForUnlock; re-entry", async () => {
  const mutex = new Mutex();
  assert.equal(await mutex.runExclusive(() => 7), 7);
  assert.equal(await mutex.runExclusive(() => Promise.resolve("x"), { timeout: 1000 }), "x");
  await assert.rejects(
    mutex.runExclusive(() => {
      throw new RangeError("inside");
    }),
    RangeError,
  );
  assert.equal(mutex.locked, false);
  await assert.rejects(mutex.runExclusive(42 as never), TypeError);
  const guard = await mutex.lockAsync();
  let waited = false;
  const unlocked = mutex.waitForUnlock({ timeout: 10_000 }).then(() => (waited = true));
  await sleep(5);
  assert.equal(waited, false);
  guard.unlock();
  await unlocked;
  assert.equal(mutex.locked, false);
  // A task awaiting a lock it holds itself: an Error where AsyncLocalStorage exists, else bounded.
  const hasAls = typeof (globalThis as { process?: { getBuiltinModule?: unknown } }).process
    ?.getBuiltinModule === "function";
  if (hasAls) {
    await assert.rejects(
      mutex.runExclusive(() => mutex.lockAsync({ timeout: 5_000 })),
      /holds the lock already/,
    );
    await assert.rejects(
      mutex.runExclusive(async () => {
        await sleep(1);
        await mutex.runExclusive(() => {});
      }),
      /holds the lock already/,
    );
  } else {
    await assert.rejects(
      mutex.runExclusive(() => mutex.lockAsync({ timeout: 20 })),
      (e: unknown) => isTimeout(e),
    );
  }
  assert.equal(mutex.locked, false);
  const s = new Semaphore(2);
  assert.equal(await s.runExclusive(() => s.available, 2), 0);
  assert.equal(s.available, 2);
  await assert.rejects(s.runExclusive(() => Promise.reject(new Error("x"))), /x/);
  assert.equal(s.available, 2);
});

test("locks: an async acquisition used without await is a TypeError naming await, and released", async () => {
  const mutex = new Mutex();
  const rw = new RwLock();
  const semaphore = new Semaphore(1);
  const cases: [string, string, () => Promise<unknown>, () => boolean][] = [
    ["lockAsync", "unlock", () => mutex.lockAsync(), () => !mutex.locked],
    ["readAsync", "unlock", () => rw.readAsync(), () => rw.readers === 0],
    ["writeAsync", "unlock", () => rw.writeAsync(), () => !rw.writeLocked],
    ["acquireAsync", "release", () => semaphore.acquireAsync(), () => semaphore.available === 1],
  ];
  for (const [name, release, acquire, free] of cases) {
    // `await using` falls back to `[Symbol.dispose]` when there is no `[Symbol.asyncDispose]`.
    for (const misuse of [release, Symbol.dispose]) {
      const p = acquire() as unknown as Record<string | symbol, unknown>;
      const method = p[misuse];
      assert.equal(typeof method, "function");
      assert.throws(
        () => (method as () => void).call(p),
        (e: unknown) => e instanceof TypeError && new RegExp(`await ${name}\\(\\)`).test(e.message),
      );
      await p;
      await sleep(1);
      assert.ok(free(), `${name}: released after ${String(misuse)}`);
    }
  }
});

test("locks: two copies of the library queue their tasks in one line", async () => {
  const { pathToFileURL } = await import("node:url");
  const copy = libraryCopy();
  try {
    const second: typeof import("../../mod.ts") = await import(pathToFileURL(copy.entry).href);
    const mutex = new Mutex();
    const theirs = second.Mutex.from(mutex.handle);
    let count = 0;
    const asked: number[] = [];
    const got: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (task) => {
      for (let round = 0; round < 2; round++) {
        asked.push(task);
        const g = await (task % 2 === 0 ? mutex : theirs).lockAsync();
        try {
          got.push(task);
          const seen = count;
          await sleep(1);
          count = seen + 1;
        } finally {
          g.unlock();
        }
      }
    }));
    assert.equal(count, 8);
    assert.deepEqual(got, asked);
    // A blocking lock through one copy under an async hold through the other throws.
    const g = await theirs.lockAsync();
    assert.throws(() => mutex.lock({ timeout: 2000 }), /already holds/);
    g.unlock();
  } finally {
    copy.remove();
  }
});

test("locks: an aborted async wait never delays exit (a child process)", async () => {
  await withRegion("exit", async (_region, name) => {
    _region.latch("exit-latch", 1);
    const [command, args] = runtimeCommand(
      fileURLToPath(new URL("../fixtures/lock_exit.ts", import.meta.url)),
    );
    const result = await runProcess(command, [...args, name], { timeoutMs: 60_000 });
    const ended = Date.now();
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const { aborted } = lines.find((l) => "aborted" in l);
    const { rejected, of } = lines.find((l) => "rejected" in l);
    assert.equal(rejected, of);
    // A wait that kept the process alive would hold it for its whole 60 s timeout; 5 s leaves room
    // for a slow exit on a loaded machine.
    assert.ok(ended - aborted < 5000, `exited ${ended - aborted} ms after the abort`);
  }, 16);
});

test("locks: tasks handing the lock on within a thread never starve Workers (plain data exact)", async () => {
  const mutex = new Mutex();
  const data = new SharedArrayBuffer(4);
  const plain = new Int32Array(data);
  const n = 5_000;
  const workers = run([false, true].map((async) => ({
    op: "count",
    mutex: mutex.handle,
    data,
    iterations: n,
    async,
  })));
  let local = 0;
  await Promise.all([0, 1, 2, 3].map(async () => {
    for (let i = 0; i < 1_000; i++) {
      const g = await mutex.lockAsync();
      try {
        const seen = plain[0];
        if (i % 50 === 0) await sleep(0);
        else await null;
        plain[0] = seen + 1;
        local++;
      } finally {
        g.unlock();
      }
    }
  }));
  await workers;
  assert.equal(local, 4_000);
  assert.equal(plain[0], 2 * n + 4_000);
  assert.equal(mutex.locked, false);
});

test("locks: withLock — the guard-free form keeps a plain count exact (2 + 2 Workers), returns fn's value", async () => {
  const mutex = new Mutex();
  const data = new SharedArrayBuffer(4);
  const n = 50_000;
  await run([true, false, true, false].map((withLock) => ({
    op: "count",
    mutex: mutex.handle,
    data,
    iterations: n,
    withLock,
  })));
  assert.equal(new Int32Array(data)[0], 4 * n);
  assert.equal(mutex.withLock(() => 5), 5);
  assert.throws(() =>
    mutex.withLock(() => {
      throw new RangeError("inside");
    }), RangeError);
  assert.equal(mutex.locked, false);
  const guard = mutex.lock();
  assert.throws(() => mutex.withLock(() => 1), /already holds/);
  guard.unlock();
  assert.equal(mutex.withLock(() => "t", { timeout: 100 }), "t");
  await withRegion("withlock", (region) => {
    const m = region.mutex("m");
    assert.equal(m.withLock(() => m.locked), true);
    assert.equal(m.locked, false);
  });
});
