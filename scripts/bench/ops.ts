/**
 * Per-operation cost of every operation of every class, with mitata, against the built-in
 * `Atomics` on an Int32Array and a BigInt64Array over a SharedArrayBuffer and against a
 * lock-protected counter, all measured in this process. Prints a table and (with --json) writes the
 * figures for scripts/bench/main.mjs.
 *
 *   deno run -A scripts/bench/ops.ts [--time-ms 250] [--json out.json]
 *
 * @module
 */

import { do_not_optimize, measure } from "mitata";
import { AtomicBigInt, AtomicBool, AtomicFloat, AtomicInt } from "../../mod.ts";
import { loadNative } from "../../ffi/mod.ts";
import { moduleBase64 } from "../../wasm/_module.ts";
import { argument, lock, runtimeInfo, unlock, writeResult } from "./common.ts";

const minCpuTimeNs = Number(argument("time-ms", "250")) * 1e6;

/** Median time per call of `fn`, in nanoseconds. */
async function ns(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: minCpuTimeNs });
  return stats.p50;
}

const i32 = new Int32Array(new SharedArrayBuffer(16));
const i64 = new BigInt64Array(new SharedArrayBuffer(16));
const lockWords = new Int32Array(new SharedArrayBuffer(8));

// Built-in operations the classes have no single `Atomics` counterpart for (mul, div, max, min,
// update) are the compare-and-swap loop a JavaScript programmer would write.
function casI32(f: (v: number) => number): number {
  for (;;) {
    const old = Atomics.load(i32, 0);
    if (Atomics.compareExchange(i32, 0, old, f(old) | 0) === old) return old;
  }
}
function casI64(f: (v: bigint) => bigint): bigint {
  for (;;) {
    const old = Atomics.load(i64, 0);
    if (Atomics.compareExchange(i64, 0, old, BigInt.asIntN(64, f(old))) === old) return old;
  }
}
const mulI32 = (v: number) => Math.imul(v, 1), divI32 = (v: number) => (v / 1) | 0;
const maxI32 = (v: number) => Math.max(v, 0), minI32 = (v: number) => Math.min(v, 0);
const idI32 = (v: number) => v;
const mulI64 = (v: bigint) => v * 1n, divI64 = (v: bigint) => v / 1n;
const maxI64 = (v: bigint) => (v > 0n ? v : 0n), minI64 = (v: bigint) => (v < 0n ? v : 0n);
const idI64 = (v: bigint) => v;

/** The built-in counterparts, by kind of operation: [Int32Array, BigInt64Array]. */
const builtins: Record<string, [() => unknown, () => unknown]> = {
  load: [() => Atomics.load(i32, 0), () => Atomics.load(i64, 0)],
  store: [() => Atomics.store(i32, 0, 0), () => Atomics.store(i64, 0, 0n)],
  exchange: [() => Atomics.exchange(i32, 0, 0), () => Atomics.exchange(i64, 0, 0n)],
  compareExchange: [
    () => Atomics.compareExchange(i32, 0, 0, 0),
    () => Atomics.compareExchange(i64, 0, 0n, 0n),
  ],
  add: [() => Atomics.add(i32, 1, 1), () => Atomics.add(i64, 1, 1n)],
  sub: [() => Atomics.sub(i32, 1, 1), () => Atomics.sub(i64, 1, 1n)],
  and: [() => Atomics.and(i32, 0, -1), () => Atomics.and(i64, 0, -1n)],
  or: [() => Atomics.or(i32, 0, 0), () => Atomics.or(i64, 0, 0n)],
  xor: [() => Atomics.xor(i32, 0, 0), () => Atomics.xor(i64, 0, 0n)],
  "CAS loop (mul)": [() => casI32(mulI32), () => casI64(mulI64)],
  "CAS loop (div)": [() => casI32(divI32), () => casI64(divI64)],
  "CAS loop (max)": [() => casI32(maxI32), () => casI64(maxI64)],
  "CAS loop (min)": [() => casI32(minI32), () => casI64(minI64)],
  "CAS loop (update)": [() => casI32(idI32), () => casI64(idI64)],
};

const int = new AtomicInt(0), big = new AtomicBigInt(0n);
const bool = new AtomicBool(false), float = new AtomicFloat(0);
/** This runtime and engine (known once the atomics above exist). */
const info = runtimeInfo();
// The floors: the bare engine calls with no class around them, on a word of their own.
// The WebAssembly module's export, on a memory of its own:
const bareMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const bareExports = new WebAssembly.Instance(
  new WebAssembly.Module(Uint8Array.from(atob(moduleBase64), (c) => c.charCodeAt(0))),
  { env: { memory: bareMemory } },
).exports as Record<string, (loc: number, v?: number) => number>;
const wasmAdd = bareExports.int_add, wasmLoad = bareExports.int_load;
// The native library's function through this runtime's FFI, measured only in a process whose
// engine loaded the library already (the native engine, Bun's wasm+ffi): loading it changes the
// JIT on Node 26, where node:ffi needs `--no-concurrent-recompilation` (ffi/_node_ffi.ts), which
// makes every wasm call ~1.6× slower — a wasm-engine column would then show a process that opened
// a region, not one that did not. `bareCell` keeps the word alive while the address is used.
const bareCell = new BigInt64Array(new SharedArrayBuffer(8));
let ffi:
  | { add: (a: number, d: number) => number; load: (a: number) => number; at: number }
  | undefined;
if (info.engine !== "wasm") {
  const native = loadNative();
  ffi = {
    add: native.atomicx_int_fetch_add,
    load: native.atomicx_int_load,
    at: native.addressOf(bareCell),
  };
}

/** Every operation: [class, operation, the call, the built-in counterpart's key]. */
const operations: [string, string, () => unknown, string][] = [
  ["AtomicInt", "load", () => int.load(), "load"],
  ["AtomicInt", "store", () => int.store(0), "store"],
  ["AtomicInt", "swap", () => int.swap(0), "exchange"],
  ["AtomicInt", "compareExchange", () => int.compareExchange(0, 0), "compareExchange"],
  ["AtomicInt", "update", () => int.update(idI32), "CAS loop (update)"],
  ["AtomicInt", "add", () => int.add(1), "add"],
  ["AtomicInt", "sub", () => int.sub(1), "sub"],
  ["AtomicInt", "inc", () => int.inc(), "add"],
  ["AtomicInt", "dec", () => int.dec(), "sub"],
  ["AtomicInt", "mul", () => int.mul(1), "CAS loop (mul)"],
  ["AtomicInt", "div", () => int.div(1), "CAS loop (div)"],
  ["AtomicInt", "fetchMax", () => int.fetchMax(0), "CAS loop (max)"],
  ["AtomicInt", "fetchMin", () => int.fetchMin(0), "CAS loop (min)"],
  ["AtomicInt", "fetchAnd", () => int.fetchAnd(-1), "and"],
  ["AtomicInt", "fetchOr", () => int.fetchOr(0), "or"],
  ["AtomicInt", "fetchXor", () => int.fetchXor(0), "xor"],
  ["AtomicBigInt", "load", () => big.load(), "load"],
  ["AtomicBigInt", "store", () => big.store(0n), "store"],
  ["AtomicBigInt", "swap", () => big.swap(0n), "exchange"],
  ["AtomicBigInt", "compareExchange", () => big.compareExchange(0n, 0n), "compareExchange"],
  ["AtomicBigInt", "update", () => big.update(idI64), "CAS loop (update)"],
  ["AtomicBigInt", "add", () => big.add(1n), "add"],
  ["AtomicBigInt", "sub", () => big.sub(1n), "sub"],
  ["AtomicBigInt", "inc", () => big.inc(), "add"],
  ["AtomicBigInt", "dec", () => big.dec(), "sub"],
  ["AtomicBigInt", "mul", () => big.mul(1n), "CAS loop (mul)"],
  ["AtomicBigInt", "div", () => big.div(1n), "CAS loop (div)"],
  ["AtomicBigInt", "fetchMax", () => big.fetchMax(0n), "CAS loop (max)"],
  ["AtomicBigInt", "fetchMin", () => big.fetchMin(0n), "CAS loop (min)"],
  ["AtomicBigInt", "fetchAnd", () => big.fetchAnd(-1n), "and"],
  ["AtomicBigInt", "fetchOr", () => big.fetchOr(0n), "or"],
  ["AtomicBigInt", "fetchXor", () => big.fetchXor(0n), "xor"],
  ["AtomicBool", "load", () => bool.load(), "load"],
  ["AtomicBool", "store", () => bool.store(false), "store"],
  ["AtomicBool", "swap", () => bool.swap(false), "exchange"],
  ["AtomicBool", "compareExchange", () => bool.compareExchange(false, false), "compareExchange"],
  ["AtomicBool", "update", () => bool.update((v) => v), "CAS loop (update)"],
  ["AtomicBool", "flip", () => bool.flip(), "xor"],
  ["AtomicBool", "fetchAnd", () => bool.fetchAnd(true), "and"],
  ["AtomicBool", "fetchOr", () => bool.fetchOr(false), "or"],
  ["AtomicBool", "fetchXor", () => bool.fetchXor(false), "xor"],
  ["AtomicFloat", "load", () => float.load(), "load"],
  ["AtomicFloat", "store", () => float.store(0), "store"],
  ["AtomicFloat", "swap", () => float.swap(0), "exchange"],
  ["AtomicFloat", "compareExchange", () => float.compareExchange(0, 0), "compareExchange"],
  ["AtomicFloat", "update", () => float.update((v) => v), "CAS loop (update)"],
  ["AtomicFloat", "add", () => float.add(1), "add"],
  ["AtomicFloat", "sub", () => float.sub(1), "sub"],
  ["AtomicFloat", "mul", () => float.mul(1), "CAS loop (mul)"],
  ["AtomicFloat", "div", () => float.div(1), "CAS loop (div)"],
  ["AtomicFloat", "fetchMax", () => float.fetchMax(0), "CAS loop (max)"],
  ["AtomicFloat", "fetchMin", () => float.fetchMin(0), "CAS loop (min)"],
];

const rounds = Number(argument("rounds", "2"));

/** Everything measured, by name: the baselines, the lock counter, the bare FFI calls, every op. */
const subjects: [string, () => unknown][] = [
  ...Object.entries(builtins).flatMap(([key, [onI32, onI64]]): [string, () => unknown][] => [
    [`i32 ${key}`, onI32],
    [`i64 ${key}`, onI64],
  ]),
  ["lock counter", () => {
    lock(lockWords, 0);
    lockWords[1]++;
    unlock(lockWords, 0);
  }],
  // The floor of an engine call on this runtime: the bare function with no class around it.
  ["wasm add", () => do_not_optimize(wasmAdd(64, 1))],
  ["wasm load", () => do_not_optimize(wasmLoad(64))],
  ...(ffi === undefined ? [] : [
    ["ffi add", () => do_not_optimize(ffi!.add(ffi!.at, 1))],
    ["ffi load", () => do_not_optimize(ffi!.load(ffi!.at))],
  ] as [string, () => unknown][]),
  ...operations.map(([cls, op, call]): [string, () => unknown] => [`${cls}.${op}`, call]),
];

// Every subject is measured once per round, and a figure is the best of its rounds' medians: a
// moment of noise on a shared machine, or a JIT that had not settled, then counts only once.
const best = new Map<string, number>();
for (let round = 1; round <= rounds; round++) {
  let done = 0;
  for (const [name, fn] of subjects) {
    const t = await ns(fn);
    best.set(name, Math.min(best.get(name) ?? Infinity, t));
    if (++done % 16 === 0 || done === subjects.length) {
      console.log(`  ${info.label}: round ${round}/${rounds}, ${done}/${subjects.length} measured`);
    }
  }
}
const at = (name: string) => best.get(name)!;
const baseline: Record<string, { i32: number; i64: number }> = {};
for (const key of Object.keys(builtins)) {
  baseline[key] = { i32: at(`i32 ${key}`), i64: at(`i64 ${key}`) };
}
const lockCounter = at("lock counter");
const bare = {
  wasm: { add: at("wasm add"), load: at("wasm load") },
  ffi: ffi === undefined ? undefined : { add: at("ffi add"), load: at("ffi load") },
};
const rows = operations.map(([cls, op, , builtin]) => {
  const t = at(`${cls}.${op}`);
  const b = baseline[builtin];
  return { cls, op, builtin, ns: t, i32: t / b.i32, i64: t / b.i64, lock: t / lockCounter };
});

const out = { ...info, baseline, lockCounter, bare, rows };
for (const r of rows) {
  console.log(
    `${`${r.cls}.${r.op}`.padEnd(30)} ${r.ns.toFixed(1).padStart(7)} ns  ` +
      `${r.i32.toFixed(2).padStart(6)}× Int32  ${r.i64.toFixed(2).padStart(6)}× BigInt64  ` +
      `${r.lock.toFixed(2).padStart(6)}× lock`,
  );
}
console.log(
  `bare wasm call: add ${bare.wasm.add.toFixed(1)} ns, load ${bare.wasm.load.toFixed(1)} ns; ` +
    (bare.ffi
      ? `bare FFI call: add ${bare.ffi.add.toFixed(1)} ns, load ${bare.ffi.load.toFixed(1)} ns; `
      : "") +
    `Atomics.add Int32 ${baseline.add.i32.toFixed(1)} ns; lock counter ${
      lockCounter.toFixed(1)
    } ns`,
);
writeResult(argument("json", ""), out);
if (ffi !== undefined && bareCell[0] === 0n) throw new Error("the bare calls did not run");
