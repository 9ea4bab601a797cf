// wait, waitAsync and notify on atomics in this process's shared memory: results, bad
// arguments, a Worker woken from a blocking wait, and waitAsync leaving the event loop free.
import { AtomicBool, AtomicInt } from "../../mod.ts";
import type { ShmWaitReply, ShmWaitTask } from "../fixtures/shm_waiter.ts";
import { assert, assertRefused } from "../support/assert.ts";
import { runWorker } from "../support/workers.ts";
import { test } from "../harness.ts";

const waiter = new URL("../fixtures/shm_waiter.ts", import.meta.url);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("wait: not-equal, timed-out and bad arguments, for AtomicInt and AtomicBool", () => {
  const a = new AtomicInt(5);
  assert.equal(a.wait(4), "not-equal");
  assert.equal(a.wait(5, 0), "timed-out");
  assert.equal(a.wait(5, 15), "timed-out");
  // The futex word is the low half: a value with the same low 32 bits is still "not-equal".
  a.store(5 + 2 ** 32);
  assert.equal(a.wait(5, 0), "not-equal");
  assertRefused(a, () => a.wait(1.5), RangeError);
  assertRefused(a, () => a.wait("5" as unknown as number), TypeError);
  assertRefused(a, () => a.wait(5, -1), RangeError);
  assertRefused(a, () => a.wait(5, NaN), RangeError);
  assertRefused(a, () => a.waitAsync(5, "1" as unknown as number), TypeError);
  assertRefused(a, () => a.notify(-1), RangeError);
  assertRefused(a, () => a.notify(1.5), RangeError);
  assert.equal(a.notify(), 0);
  const f = new AtomicBool(true);
  assert.equal(f.wait(false), "not-equal");
  assert.equal(f.wait(true, 1), "timed-out");
  assertRefused(f, () => f.wait(1 as unknown as boolean), TypeError);
  assert.equal(f.notify(3), 0);
});

test("wait: a Worker blocked in AtomicInt.wait on a SharedArrayBuffer is woken by notify", async () => {
  const a = new AtomicInt(0);
  const reply = runWorker<ShmWaitReply>(
    waiter,
    {
      handle: a.handle,
      expected: 0,
      timeoutMs: 30_000,
      increments: 1,
    } satisfies ShmWaitTask,
  );
  // The Worker increments to 1, then waits while the value is 1.
  while (a.load() !== 1) await sleep(5);
  // Notify until the Worker is asleep and gets woken (the value stays the one it waits on; see
  // the region test above).
  let woken = 0;
  for (let i = 0; i < 2000 && woken === 0; i++) {
    woken = a.notify(1);
    if (woken === 0) await sleep(5);
  }
  assert.equal(woken, 1);
  assert.equal((await reply).result, "ok");
});

test("waitAsync: resolves on notify without blocking the event loop or spinning a core", async () => {
  const a = new AtomicInt(0);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const pending = a.waitAsync(0, 60_000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  await sleep(300);
  clearInterval(timer);
  a.store(1);
  assert.equal(a.notify(), 1);
  assert.equal(await pending, "ok");
  const cpu = process.cpuUsage(cpuBefore);
  assert.ok(ticks >= 5, `the event loop ran ${ticks} timer ticks while waiting`);
  // A spinning wait would burn ~300 ms of CPU; a sleeping one next to nothing.
  assert.ok(
    (cpu.user + cpu.system) / 1000 < 150,
    `used ${(cpu.user + cpu.system) / 1000} ms CPU in ${performance.now() - started} ms`,
  );
  const b = new AtomicBool(false);
  assert.equal(await b.waitAsync(false, 20), "timed-out");
  assert.equal(await b.waitAsync(true, 20), "not-equal");
});
