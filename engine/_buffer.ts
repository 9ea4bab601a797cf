/**
 * The `Atomics` engine: atomics in a SharedArrayBuffer of the user's own (`X.from({ kind, buffer,
 * byteOffset })`), which WebAssembly cannot address. Every operation is the built-in `Atomics` on a
 * view of the buffer — one instruction where `Atomics` has it, a compare-exchange loop otherwise —
 * so it needs no native code and works on every runtime and in browsers.
 *
 * @module
 */

import { waitOps32, waitOps64 } from "./_wait.ts";
import type { BigIntOps, BoolOps, FloatOps, IntOps, Space } from "./_ops.ts";

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Per-thread scratch for converting between a float and its bit pattern. */
const scratchF64 = new Float64Array(1);
const scratchI64 = new BigInt64Array(scratchF64.buffer);
const bitsOf = (x: number): bigint => {
  scratchF64[0] = x !== x ? NaN : x;
  return scratchI64[0];
};
const floatOf = (bits: bigint): number => {
  scratchI64[0] = bits;
  return scratchF64[0];
};

/** The operation tables for one buffer. */
function bufferSpace(buffer: SharedArrayBuffer): Space {
  const i32 = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  const i64 = new BigInt64Array(buffer, 0, buffer.byteLength >>> 3);
  const views = { i32: () => i32, i64: () => i64 };

  /** A compare-exchange loop on the i64 at `loc`: `next` returns the new bits, or undefined to refuse. */
  const update = (loc: number, next: (cur: bigint) => bigint | undefined): bigint | undefined => {
    const i = loc >>> 3;
    let cur = Atomics.load(i64, i);
    for (;;) {
      const value = next(cur);
      if (value === undefined) return undefined;
      const seen = Atomics.compareExchange(i64, i, cur, value);
      if (seen === cur) return cur;
      cur = seen;
    }
  };

  /** AtomicInt's read-modify-write: NaN (nothing stored) for a result beyond ±(2^53−1). */
  const intRmw = (f: (cur: number, v: number) => number) => (loc: number, v: number): number => {
    const previous = update(loc, (cur) => {
      const next = f(Number(cur), v);
      return Math.abs(next) <= MAX_SAFE ? BigInt(next) : undefined;
    });
    return previous === undefined ? NaN : Number(previous);
  };
  const int: IntOps = {
    load: (loc) => Number(Atomics.load(i64, loc >>> 3)),
    store: (loc, v) => void Atomics.store(i64, loc >>> 3, BigInt(v)),
    swap: (loc, v) => Number(Atomics.exchange(i64, loc >>> 3, BigInt(v))),
    compareExchange: (loc, e, r) =>
      Number(Atomics.compareExchange(i64, loc >>> 3, BigInt(e), BigInt(r))),
    add: intRmw((a, b) => a + b),
    sub: intRmw((a, b) => a - b),
    mul: intRmw((a, b) => a * b),
    div: intRmw((a, b) => Math.trunc(a / b)),
    max: intRmw((a, b) => Math.max(a, b)),
    min: intRmw((a, b) => Math.min(a, b)),
    and: intRmw((a, b) => Number(BigInt(a) & BigInt(b))),
    or: intRmw((a, b) => Number(BigInt(a) | BigInt(b))),
    xor: intRmw((a, b) => Number(BigInt(a) ^ BigInt(b))),
    ...waitOps64(views),
  };

  const bigRmw = (f: (cur: bigint, v: bigint) => bigint) => (loc: number, v: bigint): bigint =>
    update(loc, (cur) => BigInt.asIntN(64, f(cur, v)))!;
  const bigint: BigIntOps = {
    load: (loc) => Atomics.load(i64, loc >>> 3),
    store: (loc, v) => void Atomics.store(i64, loc >>> 3, v),
    swap: (loc, v) => Atomics.exchange(i64, loc >>> 3, v),
    compareExchange: (loc, e, r) => Atomics.compareExchange(i64, loc >>> 3, e, r),
    add: (loc, v) => Atomics.add(i64, loc >>> 3, v),
    sub: (loc, v) => Atomics.sub(i64, loc >>> 3, v),
    mul: bigRmw((a, b) => a * b),
    div: bigRmw((a, b) => a / b),
    max: bigRmw((a, b) => a > b ? a : b),
    min: bigRmw((a, b) => a < b ? a : b),
    and: (loc, v) => Atomics.and(i64, loc >>> 3, v),
    or: (loc, v) => Atomics.or(i64, loc >>> 3, v),
    xor: (loc, v) => Atomics.xor(i64, loc >>> 3, v),
  };

  /** Any non-zero word reads as true: the buffer is the user's, so it may hold anything. */
  const boolUpdate = (loc: number, f: (cur: number) => number): number => {
    const i = loc >>> 2;
    let cur = Atomics.load(i32, i);
    for (;;) {
      const seen = Atomics.compareExchange(i32, i, cur, f(cur !== 0 ? 1 : 0));
      if (seen === cur) return cur !== 0 ? 1 : 0;
      cur = seen;
    }
  };
  const bool: BoolOps = {
    load: (loc) => Atomics.load(i32, loc >>> 2) !== 0 ? 1 : 0,
    store: (loc, v) => void Atomics.store(i32, loc >>> 2, v),
    swap: (loc, v) => Atomics.exchange(i32, loc >>> 2, v) !== 0 ? 1 : 0,
    compareExchange: (loc, e, r) => {
      const i = loc >>> 2;
      for (;;) {
        const cur = Atomics.load(i32, i);
        if ((cur !== 0 ? 1 : 0) !== e) return cur !== 0 ? 1 : 0;
        if (Atomics.compareExchange(i32, i, cur, r) === cur) return e;
      }
    },
    and: (loc, v) => boolUpdate(loc, (cur) => cur & v),
    or: (loc, v) => boolUpdate(loc, (cur) => cur | v),
    xor: (loc, v) => boolUpdate(loc, (cur) => cur ^ v),
    ...waitOps32(views),
  };

  const floatRmw = (f: (cur: number, v: number) => number) => (loc: number, v: number): number =>
    floatOf(update(loc, (cur) => bitsOf(f(floatOf(cur), v)))!);
  const maxOf = (a: number, b: number) => b !== b ? a : a !== a ? b : a >= b ? a : b;
  const minOf = (a: number, b: number) => b !== b ? a : a !== a ? b : a <= b ? a : b;
  const float: FloatOps = {
    load: (loc) => floatOf(Atomics.load(i64, loc >>> 3)),
    store: (loc, v) => void Atomics.store(i64, loc >>> 3, bitsOf(v)),
    swap: (loc, v) => floatOf(Atomics.exchange(i64, loc >>> 3, bitsOf(v))),
    compareExchange: (loc, e, r) => {
      if (e === e) return floatOf(Atomics.compareExchange(i64, loc >>> 3, bitsOf(e), bitsOf(r)));
      // A NaN `expected` matches whichever NaN is stored.
      const previous = update(loc, (cur) => floatOf(cur) !== floatOf(cur) ? bitsOf(r) : undefined);
      return previous === undefined ? floatOf(Atomics.load(i64, loc >>> 3)) : floatOf(previous);
    },
    add: floatRmw((a, b) => a + b),
    sub: floatRmw((a, b) => a - b),
    mul: floatRmw((a, b) => a * b),
    div: floatRmw((a, b) => a / b),
    max: floatRmw(maxOf),
    min: floatRmw(minOf),
  };
  return { engine: "atomics", int, bigint, bool, float };
}

const spaces = new WeakMap<SharedArrayBuffer, Space>();

/** The `Atomics` engine's tables for `buffer` (a checked, genuine SharedArrayBuffer). */
export function atomicsSpace(buffer: SharedArrayBuffer): Space {
  let space = spaces.get(buffer);
  if (space === undefined) spaces.set(buffer, space = bufferSpace(buffer));
  return space;
}
