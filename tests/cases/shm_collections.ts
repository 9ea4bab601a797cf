// Arrays and striped counters in a shared-memory region, and the region's entries() and
// snapshot(): every array operation against the scalar class, element by element; bad names,
// lengths and kinds; a region filled to its last slot; handles; Workers to exact totals. The
// cross-process cases run in tests/processes/shm.test.ts.
import {
  AtomicBigInt,
  AtomicBigIntArray,
  AtomicBool,
  AtomicBoolArray,
  AtomicFloat,
  AtomicFloatArray,
  AtomicInt,
  AtomicIntArray,
  Counter,
  FloatCounter,
  SharedMemory,
} from "../../mod.ts";
import type { DrainReply, DrainTask } from "../fixtures/shm_counter_worker.ts";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import process from "node:process";
import { assert } from "../support/assert.ts";
import { runWorkers } from "../support/workers.ts";
import { contend } from "../support/contend.ts";
import { FLOAT_BINARY, INT_BINARY, outcome } from "../support/ops.ts";
import { regionFile, uniqueName, withRegion } from "../support/regions.ts";
import { test } from "../harness.ts";

const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

// deno-lint-ignore no-explicit-any
type Any = any;

/** One element kind: its region array, its scalar class, the operations and values to compare. */
interface Kind {
  method: "intArray" | "bigintArray" | "boolArray" | "floatArray";
  scalar: (initial: unknown) => Any;
  initials: unknown[];
  operands: unknown[];
  unary: string[];
  binary: readonly string[];
  updates: ((v: Any) => unknown)[];
}

const kinds: Kind[] = [
  {
    method: "intArray",
    scalar: (v) => new AtomicInt(v as number),
    initials: [0, -1, 7, MAX, MIN, 2 ** 32],
    operands: [0, 1, -1, 3, MAX, MIN, 1.5, NaN, "1", 1n, undefined],
    unary: ["load", "inc", "dec"],
    binary: INT_BINARY,
    updates: [(v) => v + 1, (v) => v * 2 ** 30, (v) => String(v)],
  },
  {
    method: "bigintArray",
    scalar: (v) => new AtomicBigInt(v as bigint),
    initials: [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)],
    operands: [0n, 1n, -1n, 5n, 2n ** 63n - 1n, 2n ** 63n, 1, undefined],
    unary: ["load", "inc", "dec"],
    binary: INT_BINARY,
    updates: [(v) => v + 1n, () => 2n ** 64n],
  },
  {
    method: "boolArray",
    scalar: (v) => new AtomicBool(v as boolean),
    initials: [false, true],
    operands: [false, true, 0, "true", undefined],
    unary: ["load", "flip"],
    binary: ["store", "swap", "fetchAnd", "fetchOr", "fetchXor"],
    updates: [(v) => !v, () => 1],
  },
  {
    method: "floatArray",
    scalar: (v) => new AtomicFloat(v as number),
    initials: [0, -0, 1.5, NaN, -Infinity, Number.MAX_VALUE],
    operands: [0, -0, 0.5, -3, NaN, Infinity, 1e308, "1", 1n, undefined],
    unary: ["load"],
    binary: FLOAT_BINARY,
    updates: [(v) => v + 0.5, () => "x"],
  },
];

/** Runs `op(args)` on a scalar and on element 1 of `array` (holding [fill, initial, fill]). */
function compareOne(kind: Kind, array: Any, initial: unknown, op: string, args: unknown[]) {
  const fill = kind.initials[kind.initials.length - 1];
  [fill, initial, fill].forEach((v, i) => array.store(i, v));
  const scalar = kind.scalar(initial);
  const expected = outcome(() => scalar[op](...args));
  const actual = outcome(() => array[op](1, ...args));
  const what = `region ${kind.method}.${op}(1, ${args.map(String)}) on ${String(initial)}`;
  assert.deepStrictEqual(actual, expected, what);
  assert.deepStrictEqual(array.load(1), scalar.load(), `${what}: value`);
  assert.deepStrictEqual(array.load(0), fill, `${what}: element 0 changed`);
  assert.deepStrictEqual(array.load(2), fill, `${what}: element 2 changed`);
}

for (const kind of kinds) {
  test(`shm ${kind.method}: every operation matches the scalar class element by element`, () =>
    withRegion(kind.method, (region) => {
      const array: Any = region[kind.method]("a", 3);
      for (const initial of kind.initials) {
        for (const op of kind.unary) compareOne(kind, array, initial, op, []);
        for (const op of kind.binary) {
          for (const x of kind.operands) compareOne(kind, array, initial, op, [x]);
        }
        for (const x of [initial, ...kind.operands]) {
          for (const y of kind.operands.slice(0, 3)) {
            compareOne(kind, array, initial, "compareExchange", [x, y]);
          }
        }
        for (const fn of kind.updates) compareOne(kind, array, initial, "update", [fn]);
        compareOne(kind, array, initial, "update", ["not a function"]);
      }
    }, 64));

  test(`shm ${kind.method}: a bad index throws RangeError (TypeError for a non-number) and changes nothing`, () =>
    withRegion(`${kind.method}-index`, (region) => {
      const array: Any = region[kind.method]("a", 3);
      array.store(1, kind.initials[1]);
      const before = array.toArray();
      for (const op of [...kind.unary, "store", "swap", "compareExchange", "update", "at"]) {
        const args = op === "compareExchange"
          ? [kind.initials[0], kind.initials[1]]
          : op === "update"
          ? [kind.updates[0]]
          : op === "store" || op === "swap"
          ? [kind.initials[1]]
          : [];
        for (const i of [-1, 3, 1.5, NaN, Infinity, 2 ** 32]) {
          assert.throws(() => array[op](i, ...args), RangeError, `${op}(${i})`);
        }
        for (const i of ["0", undefined, null, 0n]) {
          assert.throws(() => array[op](i, ...args), TypeError, `${op}(${String(i)})`);
        }
      }
      assert.deepStrictEqual(array.toArray(), before);
    }, 64));
}

test("shm arrays: packed across consecutive slots, zeroed, shared by name, the ordinary classes", () =>
  withRegion("arrays", (region) => {
    const ints = region.intArray("ints", 40); // 320 bytes: 3 slots
    const bools = region.boolArray("bools", 33); // 132 bytes: 2 slots
    const big = region.bigintArray("big", 2);
    const floats = region.floatArray("floats", 0);
    assert.ok(ints instanceof AtomicIntArray);
    assert.ok(bools instanceof AtomicBoolArray);
    assert.ok(big instanceof AtomicBigIntArray);
    assert.ok(floats instanceof AtomicFloatArray);
    assert.deepStrictEqual(ints.toArray(), Array(40).fill(0));
    assert.deepStrictEqual(bools.toArray(), Array(33).fill(false));
    assert.deepStrictEqual(big.toArray(), [0n, 0n]);
    assert.deepStrictEqual(floats.toArray(), []);
    for (let i = 0; i < 40; i++) ints.store(i, i * 1000 - 7);
    bools.store(32, true);
    // Neighbouring elements and neighbouring entries do not overlap.
    assert.deepStrictEqual(ints.toArray(), Array.from({ length: 40 }, (_, i) => i * 1000 - 7));
    assert.deepStrictEqual(bools.toArray(), [...Array(32).fill(false), true]);
    assert.deepStrictEqual(big.toArray(), [0n, 0n]);
    // The same name gives the same memory.
    assert.equal(region.intArray("ints", 40).load(39), 38_993);
    assert.equal(region.boolArray("bools", 33).load(32), true);
    assert.equal(JSON.stringify(region.intArray("ints", 40)).length > 0, true);
  }, 64));

test("shm arrays and counters: bad names, lengths and kinds are refused and change nothing", () =>
  withRegion("bad", (region) => {
    const ints = region.intArray("ints", 4);
    ints.store(3, 9);
    region.int("scalar").store(5);
    region.counter("hits").add(2);
    const entries = region.entries();
    const r: Any = region;
    for (const bad of ["4", undefined, null, 4n]) {
      assert.throws(() => r.intArray("x", bad), TypeError, String(bad));
    }
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 27 + 1]) {
      assert.throws(() => r.intArray("x", bad), RangeError, String(bad));
    }
    // More slots than the region has at all.
    assert.throws(() => region.intArray("x", 65 * 16), /needs 65 slots, more than the 64/);
    for (const bad of [1, undefined, {}]) {
      assert.throws(() => r.intArray(bad, 1), TypeError);
      assert.throws(() => r.counter(bad), TypeError);
    }
    assert.throws(() => region.intArray("", 1), RangeError);
    assert.throws(() => region.counter("x".repeat(49)), RangeError);
    assert.throws(
      () => region.intArray("ints", 5),
      (e: Error) =>
        e instanceof RangeError && /holds an intArray of length 4, not 5/.test(e.message),
    );
    assert.throws(() => region.floatArray("ints", 4), /holds an intArray, not a floatArray/);
    assert.throws(() => region.floatArray("ints", 4), TypeError);
    assert.throws(() => region.int("ints"), TypeError);
    assert.throws(() => region.intArray("scalar", 1), /holds an int, not an intArray/);
    assert.throws(() => region.counter("ints"), TypeError);
    assert.throws(() => region.floatCounter("hits"), /holds a counter, not a floatCounter/);
    assert.throws(() => region.counter("scalar"), TypeError);
    assert.throws(() => region.mutex("hits"), TypeError);
    assert.deepStrictEqual(region.entries(), entries);
    assert.deepStrictEqual(ints.toArray(), [0, 0, 0, 9]);
    assert.equal(region.counter("hits").sum(), 2);
  }, 64));

test("shm: a region filled to its last slot; a run that does not fit says how many slots are free", () =>
  withRegion("full", (region) => {
    // 12 slots: 1 (16 ints) + 8 (a counter) + 3 (65 bools: 260 bytes) = 12.
    region.intArray("ints", 16);
    region.counter("hits").inc();
    assert.throws(
      () => region.boolArray("too-many", 97), // 388 bytes: 4 slots, 3 free
      (e: Error) =>
        e instanceof RangeError &&
        /is full: a boolArray of 97 elements needs 4 slots but 3 of its 12 are free/.test(
          e.message,
        ),
    );
    // The failed claim was given back: the next entry still gets the 3 slots.
    const flags = region.boolArray("flags", 65);
    flags.store(64, true);
    assert.equal(flags.load(64), true);
    assert.throws(
      () => region.int("one-more"),
      (e: Error) =>
        e instanceof RangeError && /needs 1 slot but 0 of its 12 are free/.test(e.message),
    );
    assert.throws(() => region.counter("c2"), RangeError);
    // Existing entries are still found when full.
    assert.equal(region.counter("hits").sum(), 1);
    assert.deepStrictEqual(region.entries().map((e) => e.name), ["ints", "hits", "flags"]);
  }, 12));

test("shm arrays: handles round-trip, at(i) has a handle of its own, wrong handles are refused", () =>
  withRegion("handles", (region, name) => {
    const a = region.intArray("a", 5);
    const h = a.handle;
    assert.deepStrictEqual({ ...h }, { kind: "intArray", region: name, slot: "a", length: 5 });
    assert.ok(Object.isFrozen(h));
    AtomicIntArray.from(h).add(4, 11);
    assert.equal(a.load(4), 11);
    const element = a.at(4);
    assert.deepStrictEqual({ ...element.handle }, {
      kind: "int",
      region: name,
      slot: "a",
      index: 4,
    });
    element.inc();
    assert.equal(a.load(4), 12);
    assert.equal(AtomicInt.from(element.handle).load(), 12);
    const f = region.floatArray("f", 2);
    f.at(1).store(0.5);
    assert.equal(AtomicFloat.from(f.at(1).handle).load(), 0.5);
    const b = region.boolArray("b", 3);
    b.at(2).store(true);
    assert.deepStrictEqual(AtomicBoolArray.from(b.handle).toArray(), [false, false, true]);
    assert.equal(AtomicBool.from(b.at(2).handle).load(), true);
    const g = region.bigintArray("g", 1);
    g.at(0).add(3n);
    assert.equal(AtomicBigInt.from(g.at(0).handle).load(), 3n);
    // Wrong handles: another length, another kind, an index out of range, no such array.
    assert.throws(() => AtomicIntArray.from({ ...h, length: 6 }), RangeError);
    assert.throws(() => AtomicFloatArray.from({ ...h, kind: "floatArray" }), TypeError);
    assert.throws(
      () => AtomicInt.from({ kind: "int", region: name, slot: "a", index: 5 }),
      RangeError,
    );
    assert.throws(
      () => AtomicInt.from({ kind: "int", region: name, slot: "a", index: 1.5 }),
      RangeError,
    );
    assert.throws(
      () => AtomicInt.from({ kind: "int", region: name, slot: "f", index: 0 }),
      TypeError,
    );
    assert.throws(
      () => AtomicInt.from({ kind: "int", region: name, slot: "zz", index: 0 }),
      TypeError,
    );
    assert.throws(
      () => AtomicIntArray.from({ kind: "intArray", region: name, slot: "zz", length: -1 }),
      RangeError,
    );
    assert.deepStrictEqual(a.toArray(), [0, 0, 0, 0, 12]);
  }, 64));

test("shm counters: add, inc, dec, sum, reset, sumThenReset; refused amounts; handles", () =>
  withRegion("counters", (region, name) => {
    const c = region.counter("c");
    assert.ok(c instanceof Counter);
    assert.equal(c.sum(), 0);
    c.add();
    c.add(41);
    c.inc();
    c.dec();
    c.add(-2);
    assert.equal(c.sum(), 40);
    assert.equal(+c, 40);
    for (const bad of [1.5, NaN, Infinity, MAX + 1]) assert.throws(() => c.add(bad), RangeError);
    for (const bad of ["1", 1n, null]) assert.throws(() => c.add(bad as Any), TypeError);
    assert.equal(c.sum(), 40);
    assert.equal(c.sumThenReset(), 40);
    assert.equal(c.sum(), 0);
    c.add(7);
    const h = c.handle;
    assert.deepStrictEqual({ ...h }, { kind: "counter", region: name, slot: "c" });
    Counter.from(h).add(3);
    assert.equal(region.counter("c").sum(), 10);
    c.reset();
    assert.equal(c.sum(), 0);
    const f = region.floatCounter("f");
    assert.ok(f instanceof FloatCounter);
    f.add(0.25);
    f.add(0.5);
    assert.equal(f.sum(), 0.75);
    assert.throws(() => f.add("1" as Any), TypeError);
    assert.equal(FloatCounter.from(f.handle).sum(), 0.75);
    assert.equal(f.sumThenReset(), 0.75);
    assert.equal(f.sum(), 0);
    assert.throws(() => Counter.from({ kind: "counter", region: name, slot: "f" }), TypeError);
    assert.throws(
      () => FloatCounter.from({ kind: "floatCounter", region: name, slot: "c" }),
      TypeError,
    );
  }, 64));

test("shm counters: 8 stripes of 128 bytes in the region; a process's main thread adds to stripe pid mod 8", () =>
  withRegion("stripes", (region, name) => {
    region.int("first"); // slot 0; the counter's stripes are slots 1..8
    const c = region.counter("c");
    c.add(5);
    c.inc();
    const capacity = 16;
    const data = 128 + capacity * 128; // after the header and the 128-byte directory entries
    const bytes = readFileSync(regionFile(name));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stripes = Array.from(
      { length: 8 },
      (_, s) => Number(view.getBigInt64(data + (1 + s) * 128, true)),
    );
    const expected = Array(8).fill(0);
    expected[process.pid % 8] = 6;
    assert.deepStrictEqual(stripes, expected);
  }, 16));

test("shm: entries() lists every entry in order; snapshot() reads every value, no lock primitives", () =>
  withRegion("snapshot", (region) => {
    assert.deepStrictEqual(region.entries(), []);
    assert.deepStrictEqual(region.snapshot(), {});
    region.int("requests").add(3);
    region.bigint("bytes").store(1n << 40n);
    region.bool("healthy").store(true);
    region.float("load").store(0.5);
    region.intArray("status", 3).inc(1);
    region.bigintArray("big", 1).store(0, -2n);
    region.boolArray("flags", 2).store(0, true);
    region.floatArray("seconds", 2).add(1, 1.5);
    region.counter("hits").add(42);
    region.floatCounter("time").add(2.5);
    region.mutex("lock");
    region.semaphore("permits", 2);
    region.once("init");
    const long = "é".repeat(24); // 48 UTF-8 bytes
    region.int(long).store(-1);
    assert.deepStrictEqual(region.entries(), [
      { name: "requests", kind: "int" },
      { name: "bytes", kind: "bigint" },
      { name: "healthy", kind: "bool" },
      { name: "load", kind: "float" },
      { name: "status", kind: "intArray", length: 3 },
      { name: "big", kind: "bigintArray", length: 1 },
      { name: "flags", kind: "boolArray", length: 2 },
      { name: "seconds", kind: "floatArray", length: 2 },
      { name: "hits", kind: "counter" },
      { name: "time", kind: "floatCounter" },
      { name: "lock", kind: "mutex" },
      { name: "permits", kind: "semaphore" },
      { name: "init", kind: "once" },
      { name: long, kind: "int" },
    ]);
    assert.deepStrictEqual(region.snapshot(), {
      requests: 3,
      bytes: 1n << 40n,
      healthy: true,
      load: 0.5,
      status: [0, 1, 0],
      big: [-2n],
      flags: [true, false],
      seconds: [0, 1.5],
      hits: 42,
      time: 2.5,
      [long]: -1,
    });
    // Another opener of the region sees the same entries and values.
    const again = SharedMemory.open(region.name, { only: "attach" });
    try {
      assert.deepStrictEqual(again.entries(), region.entries());
      assert.deepStrictEqual(again.snapshot(), region.snapshot());
    } finally {
      again.close();
    }
  }, 64));

test("shm: a directory entry another program overwrote makes entries() and snapshot() refuse the region", async () => {
  // Each field of entry 0 that atomicx checks, overwritten as a program that is not atomicx could.
  for (const [field, value] of [[4, 99], [8, 0], [8, 200], [12, 0x7fff_ffff], [16, ~0], [20, 0]]) {
    await withRegion("tampered", (region, name) => {
      region.intArray("a", 20).store(3, 7);
      region.counter("c").add(5);
      const file = openSync(regionFile(name), "r+");
      const word = new Uint8Array(new Uint32Array([value >>> 0]).buffer);
      writeSync(file, word, 0, 4, 128 + field); // the directory starts after the 128-byte header
      closeSync(file);
      assert.throws(() => region.entries(), /not an atomicx region/);
      assert.throws(() => region.snapshot(), /not an atomicx region/);
    }, 64);
  }
});

test("shm arrays and counters: every operation of a closed region throws", () => {
  const name = uniqueName("closed");
  const region = SharedMemory.open(name, { capacity: 16 });
  try {
    const a = region.intArray("a", 2);
    const c = region.counter("c");
    const element = a.at(1);
    region.close();
    assert.throws(() => a.load(0), /was closed/);
    assert.throws(() => a.store(0, 1), /was closed/);
    assert.throws(() => element.load(), /was closed/);
    assert.throws(() => c.add(1), /was closed/);
    assert.throws(() => c.sum(), /was closed/);
    assert.throws(() => region.entries(), /is closed/);
    assert.throws(() => region.snapshot(), /is closed/);
    assert.throws(() => region.intArray("b", 1), /is closed/);
    assert.throws(() => region.counter("d"), /is closed/);
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
});

const drainWorker = new URL("../fixtures/shm_counter_worker.ts", import.meta.url);

test("Workers: 2 × 200,000 inc on a region AtomicIntArray of 10 end exactly at 40,000 each", () =>
  withRegion("workers-array", async (region) => {
    const a = region.intArray("a", 10);
    await contend(["intArray.inc", "intArray.inc"], a.handle, 200_000);
    assert.deepStrictEqual(a.toArray(), Array(10).fill(40_000));
  }, 64));

test("Workers: 3 × 200,000 Counter.add(3) on a region counter sum exactly to 1,800,000", () =>
  withRegion("workers-counter", async (region) => {
    const c = region.counter("c");
    await contend(["counter.add", "counter.add", "counter.add"], c.handle, 200_000);
    assert.equal(c.sum(), 1_800_000);
    const f = region.floatCounter("f");
    await contend(["floatCounter.add", "floatCounter.add"], f.handle, 200_000);
    assert.equal(f.sum(), 800_000);
  }, 64));

test("Workers: sumThenReset() on a region counter while 2 × 200,000 inc run loses nothing", () =>
  withRegion("workers-drain", async (region) => {
    const c = region.counter("c");
    const [drains, done] = [new AtomicInt(0), new AtomicInt(0)];
    const task = (role: DrainTask["role"]): DrainTask => ({
      role,
      counter: c.handle,
      iterations: 200_000,
      drains: drains.handle,
      done: done.handle,
      adders: 2,
    });
    const replies = await runWorkers<DrainReply>(drainWorker, [
      task("add"),
      task("add"),
      task("drain"),
    ]);
    const { drained, calls } = replies[2];
    assert.ok(calls >= 1, `sumThenReset ran ${calls} times`);
    // Every add landed either in what sumThenReset returned or in the counter afterwards.
    assert.equal(drained + c.sum(), 400_000);
  }, 64));
