// AtomicBool: booleans only.
// (The four kind files share the shape of their cases — made, operated on, refused — but each
// checks its own kind's edge values; what is the same for all kinds is table-driven in arrays.ts.)
import { AtomicBool } from "../../mod.ts";
import { assert, assertRefused } from "../support/assert.ts";
import { test } from "../harness.ts";

test("AtomicBool: default false, load/store/swap", () => {
  const a = new AtomicBool();
  assert.equal(a.load(), false);
  a.store(true);
  assert.equal(a.load(), true);
  assert.equal(a.swap(false), true);
  assert.equal(a.swap(false), false);
  assert.equal(new AtomicBool(true).load(), true);
});

test("AtomicBool: compareExchange", () => {
  const a = new AtomicBool(false);
  assert.deepEqual(a.compareExchange(true, false), [false, false]);
  assert.deepEqual(a.compareExchange(false, true), [true, false]);
  assert.deepEqual(a.compareExchange(false, true), [false, true]);
  assert.equal(a.load(), true);
});

test("AtomicBool: flip and the logical operations return the previous value", () => {
  const a = new AtomicBool(false);
  assert.equal(a.flip(), false);
  assert.equal(a.flip(), true);
  assert.equal(a.load(), false);
  assert.equal(a.fetchOr(true), false);
  assert.equal(a.fetchAnd(true), true);
  assert.equal(a.load(), true);
  assert.equal(a.fetchXor(true), true);
  assert.equal(a.load(), false);
  assert.equal(a.fetchAnd(true), false);
  assert.equal(a.load(), false);
  a.store(true);
  assert.equal(a.fetchAnd(false), true);
  assert.equal(a.load(), false);
});

test("AtomicBool: update", () => {
  const a = new AtomicBool(false);
  assert.equal(a.update((v) => !v), true);
  assert.equal(a.load(), true);
  assertRefused(a, () => a.update(() => 1 as unknown as boolean), TypeError);
  assertRefused(a, () =>
    a.update(() => {
      throw new Error("boom");
    }), Error);
});

test("AtomicBool: anything but a boolean is TypeError, value unchanged", () => {
  const a = new AtomicBool(true);
  const ops: ((v: unknown) => unknown)[] = [
    (v) => a.store(v as boolean),
    (v) => a.swap(v as boolean),
    (v) => a.compareExchange(v as boolean, false),
    (v) => a.compareExchange(true, v as boolean),
    (v) => a.fetchAnd(v as boolean),
    (v) => a.fetchOr(v as boolean),
    (v) => a.fetchXor(v as boolean),
  ];
  for (const op of ops) {
    for (const bad of [0, 1, "true", null, undefined, 1n, {}]) {
      assertRefused(a, () => op(bad), TypeError);
    }
  }
  assert.throws(() => new AtomicBool(1 as unknown as boolean), TypeError);
});
