// Property tests (fast-check): each class against a model computed in plain JavaScript.
import fc from "fast-check";
import {
  AtomicBigInt,
  AtomicFloat,
  AtomicInt,
  AtomicIntArray,
  type AtomicKind,
  type BufferHandle,
} from "../../mod.ts";
import { assert } from "../support/assert.ts";
import { INT_BINARY } from "../support/ops.ts";
import { test } from "../harness.ts";

/**
 * Where each property runs: an atomic of this process (the WebAssembly engine, or the native one
 * under ATOMICX_ENGINE=native) and an atomic placed in a SharedArrayBuffer of the caller's (the
 * built-in `Atomics` engine), so every engine meets the same model.
 */
const places = ["engine memory", "caller's SharedArrayBuffer"] as const;

/** An atomic holding `initial` in the place `where`. */
function place<K extends AtomicKind, V, T extends { store(value: V): void }>(
  where: (typeof places)[number],
  make: () => T,
  from: (handle: BufferHandle<K>) => T,
  kind: K,
  initial: V,
): T {
  if (where === "engine memory") return make();
  const atomic = from({ kind, buffer: new SharedArrayBuffer(24), byteOffset: 8 });
  atomic.store(initial);
  return atomic;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The arithmetic and bitwise operations (not `store`/`swap`, which the model does not cover). */
const intOps = INT_BINARY.slice(2);

/** The exact result of `op` on 64-bit integers, before any range check. */
function model(op: string, v: bigint, x: bigint): bigint | "div0" {
  switch (op) {
    case "add":
      return v + x;
    case "sub":
      return v - x;
    case "mul":
      return v * x;
    case "div":
      return x === 0n ? "div0" : v / x; // bigint division truncates toward zero
    case "fetchMax":
      return v > x ? v : x;
    case "fetchMin":
      return v < x ? v : x;
    case "fetchAnd":
      return v & x;
    case "fetchOr":
      return v | x;
    default:
      return v ^ x;
  }
}

// Safe integers, biased toward the edges where overflow happens.
const safeInt = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -1, 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 52, -(2 ** 52)),
);

for (const where of places) {
  test(`property (${where}): AtomicInt matches exact integer arithmetic, refusing what leaves ±(2^53−1)`, () => {
    fc.assert(
      fc.property(
        safeInt,
        fc.array(fc.tuple(fc.constantFrom(...intOps), safeInt)),
        (init, steps) => {
          const a = place(where, () => new AtomicInt(init), AtomicInt.from, "int", init);
          let expected = BigInt(init);
          for (const [op, x] of steps) {
            const next = model(op, expected, BigInt(x));
            const call = () => (a as unknown as Record<string, (x: number) => number>)[op](x);
            if (next === "div0" || next > MAX_SAFE || next < -MAX_SAFE) {
              assert.throws(call, RangeError);
            } else {
              assert.equal(call(), Number(expected));
              expected = next;
            }
            assert.equal(a.load(), Number(expected));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  // add/sub/inc/dec compute on the cell's i64 form (wasm/generate.mjs `intOnCell`), where a sum of
  // two safe integers reaches ±(2^54−2): each step either returns the previous value and stores the
  // exact sum, or throws RangeError with the value unchanged, for AtomicInt and AtomicIntArray.
  test(`property (${where}): AtomicInt add/sub/inc/dec at the edges: exact, or RangeError and unchanged`, () => {
    const edge = fc.oneof(
      safeInt,
      fc.integer({ min: Number.MAX_SAFE_INTEGER - 4, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MIN_SAFE_INTEGER + 4 }),
    );
    const step = fc.tuple(fc.constantFrom("add", "sub", "inc", "dec"), edge);
    fc.assert(
      fc.property(edge, fc.array(step), fc.boolean(), (init, steps, inArray) => {
        const a = place(where, () => new AtomicInt(init), AtomicInt.from, "int", init);
        const array = new AtomicIntArray(3);
        array.store(1, init);
        let expected = BigInt(init);
        for (const [op, x] of steps) {
          const delta = op === "inc" ? 1 : op === "dec" ? -1 : op === "sub" ? -x : x;
          const next = expected + BigInt(delta);
          const call = inArray
            ? () => (array as unknown as Record<string, (i: number, x: number) => number>)[op](1, x)
            : () => (a as unknown as Record<string, (x: number) => number>)[op](x);
          if (next > MAX_SAFE || next < -MAX_SAFE) {
            assert.throws(call, RangeError);
          } else {
            assert.equal(call(), Number(expected));
            expected = next;
          }
          assert.equal(inArray ? array.load(1) : a.load(), Number(expected));
          assert.equal(array.load(0), 0);
          assert.equal(array.load(2), 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  test(`property (${where}): AtomicBigInt matches 64-bit wrapping arithmetic`, () => {
    const int64 = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -1000n, max: 1000n }),
      fc.constantFrom(0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n)),
    );
    fc.assert(
      fc.property(int64, fc.array(fc.tuple(fc.constantFrom(...intOps), int64)), (init, steps) => {
        const a = place(where, () => new AtomicBigInt(init), AtomicBigInt.from, "bigint", init);
        let expected = init;
        for (const [op, x] of steps) {
          const next = model(op, expected, x);
          const call = () => (a as unknown as Record<string, (x: bigint) => bigint>)[op](x);
          if (next === "div0") {
            assert.throws(call, RangeError);
          } else {
            assert.equal(call(), expected);
            expected = BigInt.asIntN(64, next);
          }
          assert.equal(a.load(), expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  test(`property (${where}): AtomicFloat matches JavaScript's IEEE-754 arithmetic`, () => {
    const ops: Record<string, (v: number, x: number) => number> = {
      add: (v, x) => v + x,
      sub: (v, x) => v - x,
      mul: (v, x) => v * x,
      div: (v, x) => v / x,
      // Rust's f64::max/min: a NaN operand is ignored.
      fetchMax: (v, x) => (Number.isNaN(v) ? x : Number.isNaN(x) ? v : Math.max(v, x)),
      fetchMin: (v, x) => (Number.isNaN(v) ? x : Number.isNaN(x) ? v : Math.min(v, x)),
    };
    fc.assert(
      fc.property(
        fc.double(),
        fc.array(fc.tuple(fc.constantFrom(...Object.keys(ops)), fc.double())),
        (init, steps) => {
          const a = place(where, () => new AtomicFloat(init), AtomicFloat.from, "float", init);
          let expected = init;
          for (const [op, x] of steps) {
            const call = () => (a as unknown as Record<string, (x: number) => number>)[op](x);
            if (op === "div" && x === 0) {
              assert.throws(call, RangeError);
            } else {
              assert.ok(Object.is(call(), expected));
              const next = ops[op](expected, x);
              // ±0 from max/min of +0 and −0 may be either zero (IEEE-754 leaves it open).
              expected = (op.startsWith("fetch") && next === 0) ? a.load() : next;
            }
            assert.ok(Object.is(a.load(), expected), `${op}(${x}): ${a.load()} vs ${expected}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
}
