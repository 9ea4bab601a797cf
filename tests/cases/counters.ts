// Counter and FloatCounter: every operation, refused inputs, handles, and Workers adding at once
// to exact totals.
import { Counter, FloatCounter } from "../../mod.ts";
import { assert } from "../support/assert.ts";
import { contend } from "../support/contend.ts";
import { test } from "../harness.ts";

const MAX = Number.MAX_SAFE_INTEGER;

test("Counter: add, inc, dec, sum, reset and sumThenReset", () => {
  const c = new Counter();
  assert.equal(c.sum(), 0);
  c.add();
  c.add(41);
  c.inc();
  c.dec();
  c.add(-2);
  assert.equal(c.sum(), 40);
  assert.equal(+c, 40);
  assert.equal(JSON.stringify({ c }), '{"c":40}');
  assert.equal(c.sumThenReset(), 40);
  assert.equal(c.sum(), 0);
  c.add(MAX);
  assert.equal(c.sum(), MAX);
  c.reset();
  assert.equal(c.sum(), 0);
  assert.equal(Object.prototype.toString.call(c), "[object Counter]");
});

test("Counter: refused amounts change nothing; a stripe that would overflow throws RangeError", () => {
  const c = new Counter();
  c.add(5);
  for (const bad of [1.5, NaN, Infinity, MAX + 1]) {
    assert.throws(() => c.add(bad), RangeError);
  }
  for (const bad of ["1", 1n, null]) {
    assert.throws(() => c.add(bad as never), TypeError);
  }
  assert.equal(c.sum(), 5);
  c.add(MAX - 5);
  assert.throws(() => c.add(1), RangeError);
  assert.throws(() => c.inc(), RangeError);
  assert.equal(c.sum(), MAX);
  c.reset();
  c.add(-MAX);
  assert.throws(() => c.dec(), RangeError);
  assert.equal(c.sum(), -MAX);
});

test("Counter: sum() throws RangeError when the exact total is not a safe integer", () => {
  // Two stripes at MAX each: a second thread's stripe, through a handle in a SharedArrayBuffer of
  // 1024 bytes whose stripes are written directly.
  const buffer = new SharedArrayBuffer(1024);
  const stripes = new BigInt64Array(buffer);
  stripes[0] = BigInt(MAX);
  stripes[16] = BigInt(MAX);
  const c = Counter.from({ kind: "counter", buffer, byteOffset: 0 });
  assert.throws(() => c.sum(), RangeError);
  // sumThenReset refuses too, and puts the amounts back.
  assert.throws(() => c.sumThenReset(), RangeError);
  assert.equal(stripes[0] + stripes[16], 2n * BigInt(MAX));
  stripes[16] = -1n;
  assert.equal(c.sum(), MAX - 1);
});

test("Counter and FloatCounter: handles round-trip; wrong handles are refused", () => {
  const c = new Counter();
  const h = c.handle;
  assert.equal(h.kind, "counter");
  assert.equal(c.handle, h);
  Counter.from(h).add(7);
  assert.equal(c.sum(), 7);
  const f = new FloatCounter();
  FloatCounter.from(f.handle).add(0.5);
  assert.equal(f.sum(), 0.5);
  assert.throws(() => Counter.from(f.handle as never), TypeError);
  assert.throws(() => FloatCounter.from(h as never), TypeError);
  assert.throws(() => Counter.from(null as never), TypeError);
  assert.throws(() => Counter.from({ kind: "counter", byteOffset: 0 } as never), TypeError);
  const small = new SharedArrayBuffer(1016);
  assert.throws(() => Counter.from({ kind: "counter", buffer: small, byteOffset: 0 }), RangeError);
  const buffer = new SharedArrayBuffer(2048);
  assert.throws(() => Counter.from({ kind: "counter", buffer, byteOffset: 4 }), RangeError);
  assert.throws(() => Counter.from({ kind: "counter", buffer, byteOffset: 1032 }), RangeError);
  assert.throws(() => Reflect.construct(Counter, [{ space: {} }]), TypeError);
});

test("FloatCounter: add, sum, reset, sumThenReset and refused amounts", () => {
  const f = new FloatCounter();
  f.add();
  f.add(0.25);
  f.add(-0.5);
  assert.equal(f.sum(), 0.75);
  assert.throws(() => f.add("1" as never), TypeError);
  assert.equal(f.sum(), 0.75);
  assert.equal(f.sumThenReset(), 0.75);
  assert.equal(f.sum(), 0);
  f.add(Infinity);
  assert.equal(f.sum(), Infinity);
  f.reset();
  assert.equal(f.sum(), 0);
  assert.equal(Object.prototype.toString.call(f), "[object FloatCounter]");
});

test("Workers: 4 × 1,000,000 Counter.add(3) sum exactly to 12,000,000", async () => {
  const c = new Counter();
  const h = c.handle;
  await contend(["counter.add", "counter.add", "counter.add", "counter.add"], h, 1_000_000);
  assert.equal(c.sum(), 12_000_000);
  if (h.memory !== undefined) {
    // Each Worker added to a stripe of its own: 4 stripes of 3,000,000, 128 bytes apart.
    const words = new BigInt64Array(h.memory.buffer, h.byteOffset, 8 * 16);
    const stripes = Array.from({ length: 8 }, (_, s) => Number(words[s * 16]));
    assert.deepStrictEqual(stripes.filter((v) => v !== 0), Array(4).fill(3_000_000));
  }
});

test("Workers: 2 × 1,000,000 FloatCounter.add(2) sum exactly to 4,000,000", async () => {
  const f = new FloatCounter();
  await contend(["floatCounter.add", "floatCounter.add"], f.handle, 1_000_000);
  assert.equal(f.sum(), 4_000_000);
});

test("Workers: sumThenReset() while 2 × 1,000,000 Counter.inc run loses nothing", async () => {
  const c = new Counter();
  const replies = await contend(
    ["counter.inc", "counter.inc", "counter.drain"],
    c.handle,
    1_000_000,
  );
  const { drained, calls } = replies[2];
  assert.ok(calls! > 1, `sumThenReset ran ${calls} times`);
  assert.equal(drained! + c.sum(), 2_000_000);
});
