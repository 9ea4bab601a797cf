// AtomicBigInt: the whole signed 64-bit range with wrapping arithmetic.
// (The four kind files share the shape of their cases — made, operated on, refused — but each
// checks its own kind's edge values; what is the same for all kinds is table-driven in arrays.ts.)
import { AtomicBigInt } from "../../mod.ts";
import { assert, assertRefused } from "../support/assert.ts";
import { INT_BINARY, operandCalls } from "../support/ops.ts";
import { test } from "../harness.ts";

const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

test("AtomicBigInt: default 0n, initial values and load/store at the edges", () => {
  assert.equal(new AtomicBigInt().load(), 0n);
  for (const v of [0n, -1n, 1n, MAX, MIN, 2n ** 53n + 1n]) {
    const a = new AtomicBigInt(v);
    assert.equal(a.load(), v);
    a.store(~v);
    assert.equal(a.load(), ~v);
  }
});

test("AtomicBigInt: swap and compareExchange", () => {
  const a = new AtomicBigInt(5n);
  assert.equal(a.swap(MAX), 5n);
  assert.deepEqual(a.compareExchange(MAX, MIN), [true, MAX]);
  assert.deepEqual(a.compareExchange(MAX, 0n), [false, MIN]);
  assert.equal(a.load(), MIN);
});

test("AtomicBigInt: add, sub, inc, dec wrap around", () => {
  const a = new AtomicBigInt(MAX);
  assert.equal(a.inc(), MAX);
  assert.equal(a.load(), MIN);
  assert.equal(a.dec(), MIN);
  assert.equal(a.load(), MAX);
  assert.equal(a.add(MAX), MAX);
  assert.equal(a.load(), -2n);
  assert.equal(a.sub(MIN), -2n);
  assert.equal(a.load(), MAX - 1n);
});

test("AtomicBigInt: mul wraps; div truncates toward zero; MIN / -1 wraps to MIN", () => {
  const a = new AtomicBigInt(-7n);
  assert.equal(a.mul(3n), -7n);
  assert.equal(a.load(), -21n);
  a.div(4n);
  assert.equal(a.load(), -5n);
  a.store(MAX);
  a.mul(2n);
  assert.equal(a.load(), -2n);
  a.store(MIN);
  assert.equal(a.div(-1n), MIN);
  assert.equal(a.load(), MIN);
  a.mul(-1n);
  assert.equal(a.load(), MIN);
});

test("AtomicBigInt: fetchMax, fetchMin and bitwise operations", () => {
  const a = new AtomicBigInt(3n);
  assert.equal(a.fetchMax(MAX), 3n);
  assert.equal(a.fetchMin(MIN), MAX);
  assert.equal(a.fetchMax(-1n), MIN);
  assert.equal(a.load(), -1n);
  assert.equal(a.fetchAnd(MAX), -1n);
  assert.equal(a.load(), MAX);
  assert.equal(a.fetchOr(MIN), MAX);
  assert.equal(a.load(), -1n);
  assert.equal(a.fetchXor(MIN), -1n);
  assert.equal(a.load(), MAX);
});

test("AtomicBigInt: div by zero is RangeError, value unchanged", () => {
  const a = new AtomicBigInt(42n);
  assertRefused(a, () => a.div(0n), RangeError, /zero/);
});

test("AtomicBigInt: non-bigints are TypeError, out-of-range bigints RangeError", () => {
  const a = new AtomicBigInt(7n);
  const ops = operandCalls(a, INT_BINARY, 7n);
  for (const op of ops) {
    for (const bad of [1, "1", null, undefined, {}, true, 1.5]) {
      assertRefused(a, () => op(bad), TypeError);
    }
    for (const bad of [MAX + 1n, MIN - 1n, 2n ** 64n]) assertRefused(a, () => op(bad), RangeError);
  }
  assert.throws(() => new AtomicBigInt(MAX + 1n), RangeError);
  assert.throws(() => new AtomicBigInt(1 as unknown as bigint), TypeError);
});

test("AtomicBigInt: update applies the function, retries, and refuses bad results", () => {
  const a = new AtomicBigInt(10n);
  assert.equal(a.update((v) => v * 3n), 30n);
  let calls = 0;
  assert.equal(
    a.update((v) => {
      if (++calls === 1) a.add(1n);
      return v + 1n;
    }),
    32n,
  );
  assert.equal(calls, 2);
  assertRefused(a, () =>
    a.update(() => {
      throw new Error("boom");
    }), Error);
  assertRefused(a, () => a.update(() => MAX + 1n), RangeError);
  assertRefused(a, () => a.update(() => 1 as unknown as bigint), TypeError);
});
