// What the four classes share: handles, conversions, console output.
import { inspect } from "node:util";
import { AtomicBigInt, AtomicBool, AtomicFloat, AtomicInt } from "../../mod.ts";
import { assert } from "../support/assert.ts";
import { test } from "../harness.ts";

test("handle/from: a handle rebuilds the same atomic for every class", () => {
  const i = new AtomicInt(1);
  AtomicInt.from(i.handle).add(2);
  assert.equal(i.load(), 3);
  const b = new AtomicBigInt(1n);
  AtomicBigInt.from(b.handle).add(2n);
  assert.equal(b.load(), 3n);
  const f = new AtomicBool();
  AtomicBool.from(f.handle).flip();
  assert.equal(f.load(), true);
  const d = new AtomicFloat(1.5);
  AtomicFloat.from(d.handle).add(1);
  assert.equal(d.load(), 2.5);
  assert.equal(i.handle.kind, "int");
  // The engine's shared memory, or (ATOMICX_ENGINE=native) a SharedArrayBuffer of the atomic's own.
  assert.ok(
    i.handle.memory instanceof WebAssembly.Memory || i.handle.buffer instanceof SharedArrayBuffer,
  );
  assert.equal(i.handle, i.handle);
  // Plain data: structured clone keeps the buffer shared.
  const clone = structuredClone(i.handle);
  AtomicInt.from(clone).inc();
  assert.equal(i.load(), 4);
});

test("handle/from: atomics placed in a caller's SharedArrayBuffer", () => {
  const buffer = new SharedArrayBuffer(32);
  const a = AtomicInt.from({ kind: "int", buffer, byteOffset: 8 });
  const b = AtomicFloat.from({ kind: "float", buffer, byteOffset: 16 });
  const c = AtomicBool.from({ kind: "bool", buffer, byteOffset: 28 });
  a.store(-5);
  b.store(0.5);
  c.store(true);
  assert.equal(new BigInt64Array(buffer)[1], -5n);
  assert.equal(new Float64Array(buffer)[2], 0.5);
  assert.equal(new Int32Array(buffer)[7], 1);
  assert.equal(new BigInt64Array(buffer)[0], 0n);
});

test("handle/from: bad handles are refused with TypeError or RangeError", () => {
  const buffer = new SharedArrayBuffer(16);
  const bad: [unknown, typeof TypeError | typeof RangeError][] = [
    [null, TypeError],
    [42, TypeError],
    [{ kind: "float", buffer, byteOffset: 0 }, TypeError],
    [{ kind: "int", buffer: new ArrayBuffer(8), byteOffset: 0 }, TypeError],
    [{ kind: "int", buffer: new Uint8Array(8), byteOffset: 0 }, TypeError],
    [{ kind: "int", buffer, byteOffset: "0" }, TypeError],
    [{ kind: "int", buffer, byteOffset: 4 }, RangeError],
    [{ kind: "int", buffer, byteOffset: 16 }, RangeError],
    [{ kind: "int", buffer, byteOffset: -8 }, RangeError],
    [{ kind: "int", buffer, byteOffset: 0.5 }, RangeError],
    [{ kind: "int", buffer, byteOffset: NaN }, RangeError],
  ];
  for (const [handle, errorType] of bad) {
    assert.throws(
      () => AtomicInt.from(handle as never),
      (e: unknown) => (e as Error).constructor === errorType,
      `handle ${inspect(handle)}`,
    );
  }
  assert.throws(() => AtomicBool.from({ kind: "bool", buffer, byteOffset: 2 }), RangeError);
  assert.throws(() => AtomicBigInt.from(new AtomicInt().handle as never), TypeError);
});

test("conversions: valueOf, toString, toJSON, toStringTag", () => {
  const i = new AtomicInt(41);
  assert.equal(+i + 1, 42);
  assert.equal(`${i}`, "41");
  assert.equal(JSON.stringify({ i }), '{"i":41}');
  assert.equal(Object.prototype.toString.call(i), "[object AtomicInt]");
  const b = new AtomicBigInt(2n ** 60n);
  assert.equal(b.valueOf(), 2n ** 60n);
  assert.equal(String(b), "1152921504606846976");
  assert.equal(JSON.stringify(b), '"1152921504606846976"');
  const f = new AtomicBool(true);
  assert.equal(JSON.stringify([f]), "[true]");
  assert.equal(String(f), "true");
  const d = new AtomicFloat(0.5);
  assert.equal(JSON.stringify(d), "0.5");
  assert.equal(d.valueOf() * 2, 1);
});

test("console output is readable: ClassName(value)", () => {
  assert.equal(inspect(new AtomicInt(-3)), "AtomicInt(-3)");
  assert.equal(inspect(new AtomicBigInt(5n)), "AtomicBigInt(5n)");
  assert.equal(inspect(new AtomicBool(true)), "AtomicBool(true)");
  assert.equal(inspect(new AtomicFloat(-0)), "AtomicFloat(-0)");
  assert.equal(inspect({ hits: new AtomicInt(1) }), "{ hits: AtomicInt(1) }");
  const deno = (globalThis as { Deno?: { inspect(v: unknown): string } }).Deno;
  if (deno) assert.equal(deno.inspect(new AtomicFloat(1.5)), "AtomicFloat(1.5)");
});
