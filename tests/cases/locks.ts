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
import { closeSync, openSync, writeSync } from "node:fs";
import type { LockTask } from "../fixtures/lock_worker.ts";
import { assert } from "../support/assert.ts";
import { libraryCopy } from "../support/library_copy.ts";
import { regionFile } from "../support/regions.ts";
import { runWorker, runWorkers } from "../support/workers.ts";
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
  const replies = await run([
    { op: "rw-stream", lock: lock.handle, state, limit },
    { op: "rw-stream", lock: lock.handle, state, limit },
    { op: "rw-stream", lock: lock.handle, state, limit },
    { op: "rw-writer", lock: lock.handle, state, after: 1000 },
  ]);
  const waited = replies[3];
  const gotAt = new Int32Array(state)[2];
  // Readers that kept the writer out would run on to `limit`; a writer-preferring lock lets
  // at most the rounds already started finish.
  assert.ok(gotAt < limit, `the writer got in only after the readers stopped (${gotAt})`);
  assert.ok(waited < 1000, `readers did ${waited} rounds while the writer waited`);
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
    await assert.rejects(lock.writeAsync({ timeout: 5 }), /holds a read lock/);
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
    await assert.rejects(lock.readAsync({ timeout: 5 }), /already holds/);
    const reason = new Error("stop");
    assert.throws(() => lock.read({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(lock.writeAsync({ timeout: 5 }), /already holds/);
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
    // Each wait sleeps once: a timer overflowing to 1 ms would have left a waiter per poll.
    Atomics.store(words, 0, 0);
    assert.equal(Atomics.notify(words, 0), 3);
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

test("locks: a full region holder table is a clear Error and changes nothing", async () => {
  const name = `atomicx-test-full-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const capacity = 24;
  const region = SharedMemory.open(name, { capacity, only: "create" });
  const data = 128 + capacity * 128;
  /** Fills all 32 entries of the holder table of the primitive at `slot` (other holders). */
  const fill = (slot: number) => {
    const entries = new Int32Array(32 * 5);
    for (let e = 0; e < 32; e++) entries.set([0x7fff_fff0, 0x7fff_fff0 - e, 1, 0, 1], e * 5);
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
    await assert.rejects(theirs.lockAsync({ timeout: 2000 }), /already holds/);
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
