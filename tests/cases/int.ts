// AtomicInt: every operation, its edge values, and every refused input.
// (The four kind files share the shape of their cases — made, operated on, refused — but each
// checks its own kind's edge values; what is the same for all kinds is table-driven in arrays.ts.)
import { AtomicInt } from "../../mod.ts";
import { assert, assertRefused } from "../support/assert.ts";
import { INT_BINARY, operandCalls } from "../support/ops.ts";
import { test } from "../harness.ts";

const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

test("AtomicInt: default 0, initial values and load/store at the edges", () => {
  assert.equal(new AtomicInt().load(), 0);
  for (const v of [0, -1, 1, MAX, MIN]) {
    const a = new AtomicInt(v);
    assert.equal(a.load(), v);
    a.store(-v);
    assert.ok(Object.is(a.load(), -v === 0 ? 0 : -v)); // stored as an integer: no −0
  }
});

test("AtomicInt: swap and compareExchange return the previous value", () => {
  const a = new AtomicInt(5);
  assert.equal(a.swap(MAX), 5);
  assert.deepEqual(a.compareExchange(MAX, MIN), [true, MAX]);
  assert.deepEqual(a.compareExchange(MAX, 0), [false, MIN]);
  assert.equal(a.load(), MIN);
});

test("AtomicInt: add, sub, inc, dec return the previous value", () => {
  const a = new AtomicInt(10);
  assert.equal(a.add(5), 10);
  assert.equal(a.sub(20), 15);
  assert.equal(a.inc(), -5);
  assert.equal(a.dec(), -4);
  assert.equal(a.load(), -5);
  a.store(MAX - 1);
  assert.equal(a.inc(), MAX - 1);
  assert.equal(a.load(), MAX);
  a.store(MIN + 1);
  assert.equal(a.dec(), MIN + 1);
  assert.equal(a.load(), MIN);
  a.store(0);
  a.add(MAX);
  a.sub(MAX);
  a.sub(MAX);
  assert.equal(a.load(), MIN);
});

test("AtomicInt: mul and div (truncating toward zero)", () => {
  const a = new AtomicInt(-7);
  assert.equal(a.mul(3), -7);
  assert.equal(a.load(), -21);
  assert.equal(a.div(4), -21);
  assert.equal(a.load(), -5);
  assert.equal(a.div(-2), -5);
  assert.equal(a.load(), 2);
  a.store(MIN);
  a.div(-1);
  assert.equal(a.load(), MAX);
  a.mul(-1);
  assert.equal(a.load(), MIN);
  a.mul(0);
  assert.ok(Object.is(a.load(), 0));
});

test("AtomicInt: fetchMax and fetchMin", () => {
  const a = new AtomicInt(3);
  assert.equal(a.fetchMax(10), 3);
  assert.equal(a.fetchMax(-1), 10);
  assert.equal(a.fetchMin(MIN), 10);
  assert.equal(a.fetchMin(0), MIN);
  assert.equal(a.load(), MIN);
});

test("AtomicInt: bitwise operations act on 64-bit two's complement", () => {
  const a = new AtomicInt(0b1100);
  assert.equal(a.fetchAnd(0b1010), 0b1100);
  assert.equal(a.load(), 0b1000);
  assert.equal(a.fetchOr(0b0011), 0b1000);
  assert.equal(a.load(), 0b1011);
  assert.equal(a.fetchXor(-1), 0b1011);
  assert.equal(a.load(), ~0b1011);
  a.store(-1);
  a.fetchAnd(MAX);
  assert.equal(a.load(), MAX);
  a.fetchXor(MAX);
  assert.equal(a.load(), 0);
  a.store(2 ** 52);
  a.fetchOr(-(2 ** 52)); // same bits in 64-bit two's complement
  assert.equal(a.load(), -(2 ** 52));
});

test("AtomicInt: results beyond ±(2^53−1) throw RangeError naming AtomicBigInt, value unchanged", () => {
  const a = new AtomicInt(MAX);
  assertRefused(a, () => a.add(1), RangeError, /AtomicBigInt/);
  assertRefused(a, () => a.inc(), RangeError, /AtomicBigInt/);
  assertRefused(a, () => a.mul(2), RangeError);
  assertRefused(a, () => a.sub(-1), RangeError);
  a.store(MIN);
  assertRefused(a, () => a.dec(), RangeError);
  assertRefused(a, () => a.sub(1), RangeError);
  assertRefused(a, () => a.add(MIN), RangeError);
  assertRefused(a, () => a.mul(-2), RangeError);
  // −(2^53−1) AND −2 is −2^53: the one bitwise result outside the range.
  assertRefused(a, () => a.fetchAnd(-2), RangeError);
  a.store(MAX);
  assertRefused(a, () => a.fetchXor(-1), RangeError); // ~(2^53−1) is −2^53
});

test("AtomicInt: div by zero throws RangeError, value unchanged", () => {
  const a = new AtomicInt(42);
  assertRefused(a, () => a.div(0), RangeError, /zero/);
  assertRefused(a, () => a.div(-0), RangeError, /zero/);
});

test("AtomicInt: non-numbers are TypeError, non-safe-integers RangeError, value unchanged", () => {
  const a = new AtomicInt(7);
  const ops = operandCalls(a, INT_BINARY, 7);
  for (const op of ops) {
    for (const bad of ["1", 1n, null, undefined, {}, true, [1]]) {
      assertRefused(a, () => op(bad), TypeError);
    }
    for (const bad of [1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 1e300]) {
      assertRefused(a, () => op(bad), RangeError);
    }
  }
  assert.throws(() => new AtomicInt(1.5), RangeError);
  assert.throws(() => new AtomicInt("1" as unknown as number), TypeError);
  assert.throws(() => new AtomicInt(2 ** 53), RangeError);
});

test("AtomicInt: update applies the function and refuses bad results", () => {
  const a = new AtomicInt(10);
  assert.equal(a.update((v) => v * 3 + 1), 31);
  assert.equal(a.load(), 31);
  assertRefused(a, () =>
    a.update(() => {
      throw new Error("boom");
    }), Error);
  assertRefused(a, () => a.update(() => 0.5), RangeError);
  assertRefused(a, () => a.update(() => MAX + 1), RangeError);
  assertRefused(a, () => a.update(() => "x" as unknown as number), TypeError);
  assertRefused(a, () => a.update(42 as unknown as (v: number) => number), TypeError);
});

test("AtomicInt: update retries when the value changed under it", () => {
  const a = new AtomicInt(0);
  let calls = 0;
  const result = a.update((v) => {
    calls++;
    if (calls === 1) a.add(100); // another writer gets in between load and compare-exchange
    return v + 1;
  });
  assert.equal(calls, 2);
  assert.equal(result, 101);
  assert.equal(a.load(), 101);
});
