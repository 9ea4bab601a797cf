// AtomicFloat: IEEE-754 binary64 semantics.
// (The four kind files share the shape of their cases — made, operated on, refused — but each
// checks its own kind's edge values; what is the same for all kinds is table-driven in arrays.ts.)
import { AtomicFloat } from "../../mod.ts";
import { assert, assertRefused } from "../support/assert.ts";
import { FLOAT_BINARY, operandCalls } from "../support/ops.ts";
import { test } from "../harness.ts";

const is = (actual: number, expected: number) =>
  assert.ok(Object.is(actual, expected), `expected ${expected}, got ${actual}`);

test("AtomicFloat: default 0, load/store of NaN, ±0, ±Infinity, extremes", () => {
  is(new AtomicFloat().load(), 0);
  const a = new AtomicFloat();
  for (
    const v of [NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 0.1, -1]
  ) {
    a.store(v);
    is(a.load(), v);
  }
  is(a.swap(2.5), -1);
  is(a.load(), 2.5);
});

test("AtomicFloat: compareExchange compares bit patterns", () => {
  const a = new AtomicFloat(NaN);
  assert.deepEqual(a.compareExchange(NaN, 1), [true, NaN]);
  is(a.load(), 1);
  a.store(0);
  const [ok, previous] = a.compareExchange(-0, 5);
  assert.equal(ok, false);
  is(previous, 0);
  is(a.load(), 0);
  assert.deepEqual(a.compareExchange(0, -0), [true, 0]);
  is(a.load(), -0);
  assert.deepEqual(a.compareExchange(0, 1), [false, -0]);
  // A NaN produced by arithmetic is stored canonically, so it still matches.
  a.store(Infinity);
  a.sub(Infinity);
  is(a.load(), NaN);
  assert.deepEqual(a.compareExchange(NaN, 2), [true, NaN]);
});

test("AtomicFloat: add, sub, mul, div follow IEEE-754", () => {
  const a = new AtomicFloat(0.1);
  is(a.add(0.2), 0.1);
  is(a.load(), 0.1 + 0.2);
  a.store(1);
  is(a.sub(3), 1);
  is(a.load(), -2);
  is(a.mul(-0.5), -2);
  is(a.load(), 1);
  is(a.div(3), 1);
  is(a.load(), 1 / 3);
  a.store(Infinity);
  a.mul(0);
  is(a.load(), NaN);
  a.store(-0);
  a.add(0);
  is(a.load(), 0);
  a.store(Number.MAX_VALUE);
  a.mul(2);
  is(a.load(), Infinity);
});

test("AtomicFloat: fetchMax and fetchMin ignore a NaN operand", () => {
  const a = new AtomicFloat(1);
  is(a.fetchMax(5), 1);
  is(a.fetchMax(NaN), 5);
  is(a.load(), 5);
  is(a.fetchMin(-Infinity), 5);
  is(a.fetchMin(NaN), -Infinity);
  is(a.load(), -Infinity);
  a.store(NaN);
  a.fetchMax(3);
  is(a.load(), 3);
  a.store(NaN);
  a.fetchMin(-3);
  is(a.load(), -3);
});

test("AtomicFloat: div by ±0 is RangeError, value unchanged", () => {
  const a = new AtomicFloat(1.5);
  assertRefused(a, () => a.div(0), RangeError, /zero/);
  assertRefused(a, () => a.div(-0), RangeError, /zero/);
});

test("AtomicFloat: non-numbers are TypeError, value unchanged", () => {
  const a = new AtomicFloat(1.5);
  const ops = operandCalls(a, FLOAT_BINARY, 1.5);
  for (const op of ops) {
    for (const bad of ["1", 1n, null, undefined, {}, true]) {
      assertRefused(a, () => op(bad), TypeError);
    }
  }
  assert.throws(() => new AtomicFloat("1" as unknown as number), TypeError);
});

test("AtomicFloat: update, including over a NaN", () => {
  const a = new AtomicFloat(2);
  is(a.update((v) => v ** 10), 1024);
  a.store(NaN);
  is(a.update((v) => (Number.isNaN(v) ? 0.5 : v)), 0.5);
  assertRefused(a, () => a.update(() => "1" as unknown as number), TypeError);
  assertRefused(a, () =>
    a.update(() => {
      throw new Error("boom");
    }), Error);
});
