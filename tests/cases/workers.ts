// Real Workers contending on one atomic: the totals must be exact.
import { AtomicBigInt, AtomicBool, AtomicFloat, AtomicInt } from "../../mod.ts";
import type { AtomicHandle } from "../../mod.ts";
import type { HammerReply, HammerTask } from "../fixtures/hammer.ts";
import { assert } from "../support/assert.ts";
import { runWorkers } from "../support/workers.ts";
import { test } from "../harness.ts";

const hammer = new URL("../fixtures/hammer.ts", import.meta.url);
const WORKERS = 2;
const ITERATIONS = 1_000_000;

/** Runs `op` on `handle` in WORKERS Workers at once, ITERATIONS times each. */
async function contend(op: HammerTask["op"], handle: AtomicHandle, iterations = ITERATIONS) {
  const ready = new AtomicInt(0);
  return await runWorkers<HammerReply>(
    hammer,
    Array.from({ length: WORKERS }, () => ({
      op,
      handle,
      iterations,
      ready: ready.handle,
      parties: WORKERS,
    })),
  );
}

test("Workers: 2 × 1,000,000 AtomicInt.inc end exactly at 2,000,000", async () => {
  const a = new AtomicInt(0);
  await contend("int.inc", a.handle);
  assert.equal(a.load(), WORKERS * ITERATIONS);
});

test("Workers: 2 × 1,000,000 AtomicInt.add(3) end exactly at 6,000,000", async () => {
  const a = new AtomicInt(0);
  await contend("int.add", a.handle);
  assert.equal(a.load(), 3 * WORKERS * ITERATIONS);
});

test("Workers: 2 × 1,000,000 AtomicInt.update(v + 2) retry under contention and end exactly at 4,000,000", async () => {
  const a = new AtomicInt(0);
  const replies = await contend("int.update", a.handle);
  assert.equal(a.load(), 2 * WORKERS * ITERATIONS);
  // The loops overlapped, so some compare-exchanges lost and their functions ran again.
  const calls = replies.reduce((sum, reply) => sum + reply.calls!, 0);
  assert.ok(calls > WORKERS * ITERATIONS, `no retries in ${calls} calls`);
});

test("Workers: 2 × 1,000,000 AtomicFloat.add(0.5) end exactly at 1,000,000", async () => {
  const a = new AtomicFloat(0);
  await contend("float.add", a.handle);
  assert.equal(a.load(), 0.5 * WORKERS * ITERATIONS);
});

test("Workers: 2 × 1,000,000 AtomicBigInt.add(2^40) end exactly at 2^41 × 10^6", async () => {
  const a = new AtomicBigInt(0n);
  await contend("bigint.add", a.handle);
  assert.equal(a.load(), 2n ** 40n * BigInt(WORKERS * ITERATIONS));
});

test("Workers: 2 × 1,000,001 AtomicBool.flip: an even number of flips ends at false", async () => {
  const a = new AtomicBool(false);
  // 2,000,002 flips in all: an even count, so a single lost flip would leave the value true.
  await contend("bool.flip", a.handle, ITERATIONS + 1);
  assert.equal(a.load(), false);
});

test("Workers: a Worker receiving a handle sees the sender's value", async () => {
  const a = new AtomicInt(123_456_789);
  const [reply] = await contend("read", a.handle, 0);
  assert.equal(reply.last, "123456789");
});
