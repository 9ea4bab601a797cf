// The atomic arrays: every operation against the scalar class, element by element, with edge
// values; bad indexes and lengths; handles, `at(i)` views and buffers; Workers to exact totals.
import {
  AtomicBigInt,
  AtomicBigIntArray,
  AtomicBool,
  AtomicBoolArray,
  AtomicFloat,
  AtomicFloatArray,
  AtomicInt,
  AtomicIntArray,
} from "../../mod.ts";
import type { ArrayHandle } from "../../mod.ts";
import type { AdderReply, AdderTask } from "../fixtures/adder.ts";
import { assert } from "../support/assert.ts";
import { FLOAT_BINARY, INT_BINARY, outcome } from "../support/ops.ts";
import { runWorkers } from "../support/workers.ts";
import { test } from "../harness.ts";

const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

// deno-lint-ignore no-explicit-any
type Any = any;

/** One kind: how to make a scalar and an array (in the engine's memory or in a buffer), the operations to compare and the values to try. */
interface Kind {
  name: string;
  scalar: (initial: unknown, buffer?: SharedArrayBuffer) => Any;
  array: (values: unknown[], buffer?: SharedArrayBuffer) => Any;
  size: number;
  initials: unknown[];
  operands: unknown[];
  unary: string[];
  binary: readonly string[];
  ternary: string[];
  updates: ((v: Any) => unknown)[];
}

/** A scalar class and its array class, as `makers` uses them. */
interface Classes {
  scalar: { new (initial: Any): Any; from(handle: Any): Any };
  array: { of(...values: Any[]): Any; from(handle: Any): Any };
}

/**
 * How to make a scalar of one kind and an array of it: with `new`/`of`, or placed in a buffer
 * (the scalar at offset 0, the array one element in).
 */
function makers(
  { scalar: Scalar, array: Array }: Classes,
  kind: string,
  size: number,
): Pick<Kind, "scalar" | "array" | "size"> {
  return {
    scalar: (v, buffer) => {
      if (!buffer) return new Scalar(v);
      const a = Scalar.from({ kind, buffer, byteOffset: 0 });
      a.store(v);
      return a;
    },
    array: (values, buffer) => {
      if (!buffer) return Array.of(...values);
      const a = Array.from({
        kind: `${kind}Array`,
        buffer,
        byteOffset: size,
        length: values.length,
      });
      values.forEach((v, i) => a.store(i, v));
      return a;
    },
    size,
  };
}

const ints: Kind = {
  name: "AtomicIntArray",
  ...makers({ scalar: AtomicInt, array: AtomicIntArray }, "int", 8),
  initials: [0, 1, -1, 7, MAX, MIN, 2 ** 32, -(2 ** 31)],
  operands: [0, 1, -1, 3, -7, MAX, MIN, 2 ** 31, 1.5, NaN, Infinity, "1", 1n, undefined],
  unary: ["load", "inc", "dec"],
  binary: INT_BINARY,
  ternary: ["compareExchange"],
  updates: [(v) => v + 1, (v) => v * 2 ** 30, (v) => String(v), () => MIN],
};

const bigints: Kind = {
  name: "AtomicBigIntArray",
  ...makers({ scalar: AtomicBigInt, array: AtomicBigIntArray }, "bigint", 8),
  initials: [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 12345678901234567n],
  operands: [0n, 1n, -1n, 5n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 1, "1", undefined],
  unary: ["load", "inc", "dec"],
  binary: INT_BINARY,
  ternary: ["compareExchange"],
  updates: [(v) => v + 1n, (v) => v * 2n, () => 2n ** 64n, (v) => Number(v)],
};

const bools: Kind = {
  name: "AtomicBoolArray",
  ...makers({ scalar: AtomicBool, array: AtomicBoolArray }, "bool", 4),
  initials: [false, true],
  operands: [false, true, 0, 1, "true", undefined],
  unary: ["load", "flip"],
  binary: ["store", "swap", "fetchAnd", "fetchOr", "fetchXor"],
  ternary: ["compareExchange"],
  updates: [(v) => !v, () => 1],
};

const floats: Kind = {
  name: "AtomicFloatArray",
  ...makers({ scalar: AtomicFloat, array: AtomicFloatArray }, "float", 8),
  initials: [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE],
  operands: [0, -0, 0.5, -3, NaN, Infinity, -Infinity, 1e308, "1", 1n, undefined],
  unary: ["load"],
  binary: FLOAT_BINARY,
  ternary: ["compareExchange"],
  updates: [(v) => v + 0.5, (v) => -v, () => "x"],
};

const filler = (kind: Kind): unknown => kind.initials[kind.initials.length - 1];

/** Runs `op` with `args` on a scalar and on element 1 of a 3-element array; compares all. */
function compareOne(kind: Kind, initial: unknown, op: string, args: unknown[], inBuffer: boolean) {
  const fill = filler(kind);
  const scalar = kind.scalar(initial, inBuffer ? new SharedArrayBuffer(8) : undefined);
  const array = kind.array(
    [fill, initial, fill],
    inBuffer ? new SharedArrayBuffer(8 + 3 * kind.size + 8) : undefined,
  );
  const expected = outcome(() => scalar[op](...args));
  const actual = outcome(() => array[op](1, ...args));
  const what = `${kind.name}.${op}(1, ${args.map(String)}) on ${String(initial)}`;
  assert.deepStrictEqual(actual, expected, what);
  assert.deepStrictEqual(array.load(1), scalar.load(), `${what}: value`);
  assert.deepStrictEqual(array.load(0), fill, `${what}: element 0 changed`);
  assert.deepStrictEqual(array.load(2), fill, `${what}: element 2 changed`);
}

function compareAll(kind: Kind, inBuffer: boolean) {
  for (const initial of kind.initials) {
    for (const op of kind.unary) compareOne(kind, initial, op, [], inBuffer);
    for (const op of kind.binary) {
      for (const x of kind.operands) compareOne(kind, initial, op, [x], inBuffer);
    }
    for (const op of kind.ternary) {
      for (const x of [initial, ...kind.operands]) {
        for (const y of kind.operands.slice(0, 4)) compareOne(kind, initial, op, [x, y], inBuffer);
      }
    }
    for (const fn of kind.updates) compareOne(kind, initial, "update", [fn], inBuffer);
    compareOne(kind, initial, "update", ["not a function"], inBuffer);
  }
}

const BAD_RANGE = [-1, 3, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 32 + 1, MAX];
const BAD_TYPE = ["0", undefined, null, 0n, {}, [1]];

/** Every operation of `kind` with a bad index throws the right error and changes nothing. */
function badIndexes(kind: Kind) {
  const fill = filler(kind);
  const array = kind.array([fill, kind.initials[1], fill]);
  const before = array.toArray();
  const ops = [...kind.unary, ...kind.binary, ...kind.ternary, "update", "at"];
  const arg = kind.operands[1];
  for (const op of ops) {
    const args = kind.ternary.includes(op)
      ? [arg, arg]
      : op === "update"
      ? [kind.updates[0]]
      : kind.binary.includes(op)
      ? [arg]
      : [];
    for (const i of BAD_RANGE) {
      assert.throws(() => array[op](i, ...args), RangeError, `${kind.name}.${op}(${i})`);
    }
    for (const i of BAD_TYPE) {
      assert.throws(() => array[op](i, ...args), TypeError, `${kind.name}.${op}(${String(i)})`);
    }
  }
  assert.deepStrictEqual(array.toArray(), before);
}

for (const kind of [ints, bigints, bools, floats]) {
  test(`${kind.name}: every operation matches the scalar class element by element`, () => {
    compareAll(kind, false);
  });
  test(`${kind.name}: in a SharedArrayBuffer, every operation matches the scalar class there`, () => {
    compareAll(kind, true);
  });
  test(`${kind.name}: a bad index throws RangeError (TypeError for a non-number) and changes nothing`, () => {
    badIndexes(kind);
  });
}

test("Arrays: new X(length) is zeroed; lengths are checked; of, toArray, iteration, JSON", () => {
  assert.deepStrictEqual(new AtomicIntArray(3).toArray(), [0, 0, 0]);
  assert.deepStrictEqual(new AtomicBigIntArray(2).toArray(), [0n, 0n]);
  assert.deepStrictEqual(new AtomicBoolArray(5).toArray(), [false, false, false, false, false]);
  assert.deepStrictEqual([...new AtomicFloatArray(2)], [0, 0]);
  assert.equal(new AtomicIntArray(0).length, 0);
  assert.deepStrictEqual([...new AtomicIntArray(0)], []);
  for (const ctor of [AtomicIntArray, AtomicBigIntArray, AtomicBoolArray, AtomicFloatArray]) {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 27 + 1]) {
      assert.throws(() => new ctor(bad), RangeError);
    }
    for (const bad of ["3", undefined, 3n]) assert.throws(() => new ctor(bad as never), TypeError);
  }
  const a = AtomicIntArray.of(3, -4, MAX);
  assert.deepStrictEqual([...a], [3, -4, MAX]);
  // The length cannot be changed (reading past the end would be the next array's memory).
  assert.throws(() => {
    (a as Any).length = 9;
  }, TypeError);
  assert.equal(a.length, 3);
  assert.equal(JSON.stringify(a), `[3,-4,${MAX}]`);
  assert.equal(JSON.stringify(AtomicBigIntArray.of(1n, -2n)), '["1","-2"]');
  assert.equal(Object.prototype.toString.call(a), "[object AtomicIntArray]");
  assert.throws(() => AtomicIntArray.of(1, 1.5), RangeError);
  assert.throws(() => AtomicBoolArray.of(true, 1 as never), TypeError);
  assert.throws(() => AtomicBigIntArray.of(2n ** 63n), RangeError);
  assert.throws(() => AtomicFloatArray.of("1" as never), TypeError);
  // Arrays of many elements, allocated side by side, do not overlap.
  const big = new AtomicIntArray(1000);
  const next = new AtomicIntArray(1000);
  for (let i = 0; i < 1000; i++) big.store(i, i);
  for (let i = 0; i < 1000; i++) assert.equal(next.load(i), 0);
  assert.equal(big.load(999), 999);
});

test("Arrays: handles round-trip; at(i) shares the element's memory; wrong handles are refused", () => {
  const a = AtomicIntArray.of(1, 2, 3);
  const h = a.handle;
  assert.equal(h.kind, "intArray");
  assert.equal(h.length, 3);
  assert.equal(a.handle, h);
  const same = AtomicIntArray.from(h);
  same.add(2, 10);
  assert.equal(a.load(2), 13);
  const element = a.at(1);
  assert.ok(element instanceof AtomicInt);
  element.add(5);
  assert.equal(a.load(1), 7);
  a.store(1, -1);
  assert.equal(element.load(), -1);
  // The element's handle names the same memory.
  AtomicInt.from(element.handle).inc();
  assert.equal(a.load(1), 0);
  const b = AtomicBoolArray.of(false, false);
  b.at(1).store(true);
  assert.deepStrictEqual(b.toArray(), [false, true]);
  const f = AtomicFloatArray.of(0.5);
  assert.equal(f.at(0).add(1), 0.5);
  assert.equal(f.load(0), 1.5);
  const g = AtomicBigIntArray.of(5n);
  assert.equal(g.at(0).load(), 5n);
  assert.throws(() => AtomicFloatArray.from(h as never), TypeError);
  assert.throws(() => AtomicIntArray.from(element.handle as never), TypeError);
  assert.throws(() => AtomicIntArray.from({ kind: "intArray" } as never), TypeError);
  assert.throws(() => AtomicIntArray.from(null as never), TypeError);
  assert.throws(() => Reflect.construct(AtomicIntArray, [1, { space: {}, base: 0 }]), TypeError);
  const buffer = new SharedArrayBuffer(32);
  const from = (byteOffset: number, length: unknown) =>
    AtomicIntArray.from(
      { kind: "intArray", buffer, byteOffset, length } as ArrayHandle<"intArray">,
    );
  assert.equal(from(0, 4).length, 4);
  assert.throws(() => from(0, 5), RangeError);
  assert.throws(() => from(4, 1), RangeError);
  assert.throws(() => from(8, 4), RangeError);
  assert.throws(() => from(0, -1), RangeError);
  assert.throws(() => from(0, "4"), TypeError);
  assert.equal(
    AtomicBoolArray.from({ kind: "boolArray", buffer, byteOffset: 4, length: 7 }).length,
    7,
  );
});

test("Arrays: an element view keeps working after its array is dropped", () => {
  let view: AtomicInt | undefined;
  {
    const a = AtomicIntArray.of(0, 41);
    view = a.at(1);
  }
  // Other arrays allocated now must not reuse the dropped array's memory while the view lives.
  const others = Array.from({ length: 100 }, () => AtomicIntArray.of(9, 9));
  view.inc();
  assert.equal(view.load(), 42);
  for (const o of others) assert.deepStrictEqual(o.toArray(), [9, 9]);
});

/** Runs `op` on `handle` in 2 Workers at once, `iterations` times each. */
async function contend(op: AdderTask["op"], handle: ArrayHandle, iterations: number) {
  const ready = new AtomicInt(0);
  const done = new AtomicInt(0);
  return await runWorkers<AdderReply>(
    new URL("../fixtures/adder.ts", import.meta.url),
    [0, 1].map(() => ({
      op,
      handle,
      iterations,
      ready: ready.handle,
      parties: 2,
      done: done.handle,
      adders: 2,
    } satisfies AdderTask)),
  );
}

test("Workers: 2 × 1,000,000 AtomicIntArray.inc over 10 elements end exactly at 200,000 each", async () => {
  const a = new AtomicIntArray(10);
  await contend("intArray.inc", a.handle, 1_000_000);
  assert.deepStrictEqual(a.toArray(), Array(10).fill(200_000));
});

test("Workers: 2 × 1,000,000 AtomicFloatArray.add(0.5) over 10 elements end exactly at 100,000 each", async () => {
  const a = new AtomicFloatArray(10);
  await contend("floatArray.add", a.handle, 1_000_000);
  assert.deepStrictEqual(a.toArray(), Array(10).fill(100_000));
});

test("Workers: 2 × 1,000,000 AtomicBoolArray.flip over 10 elements: an even count per element ends at false", async () => {
  const a = new AtomicBoolArray(10);
  await contend("boolArray.flip", a.handle, 1_000_000);
  assert.deepStrictEqual(a.toArray(), Array(10).fill(false));
});

test("Workers: an AtomicIntArray in a SharedArrayBuffer: 2 × 1,000,000 inc end exactly", async () => {
  const buffer = new SharedArrayBuffer(8 * 4);
  const a = AtomicIntArray.from({ kind: "intArray", buffer, byteOffset: 0, length: 4 });
  await contend("intArray.inc", a.handle, 1_000_000);
  assert.deepStrictEqual(a.toArray(), Array(4).fill(500_000));
});
