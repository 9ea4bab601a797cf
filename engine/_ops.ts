/**
 * The interface between the typed classes (`src/`) and the engines: for each kind, a table of plain
 * functions taking the atomic's location first. An engine implements it over one memory — the
 * WebAssembly engine's shared memory (location = byte offset), a SharedArrayBuffer of the user's
 * (location = byte offset, through `Atomics`), or native memory (location = address).
 *
 * Each class keeps the table of its memory and calls `table.op(location, …)`: while a program
 * uses one memory, every call site sees one function, which the engines turn into a direct call.
 * The four tables below name the same operations again for each kind on purpose: each kind has its
 * own value type and encoding (safe integer, bigint, 0/1 word, binary64) and its own operations.
 *
 * @module
 */

/**
 * How a wait ended: `"ok"` woken by a `notify`, `"not-equal"` the value was not the expected one
 * when the wait began, `"timed-out"` nobody notified in time (the strings of `Atomics.wait`).
 *
 * @example
 * ```ts
 * import { AtomicBool, type WaitResult } from "@atomicx/atomicx";
 *
 * const done = new AtomicBool(false);
 * const result: WaitResult = done.wait(false, 5); // "timed-out"
 * ```
 */
export type WaitResult = "ok" | "not-equal" | "timed-out";

/** Waiting on a cell: the result strings of `Atomics.wait`; `timeoutMs` is ≥ 0 or Infinity. */
export interface WaitOps<T> {
  /** Blocks while the cell holds `expected`, at most `timeoutMs`. */
  wait(loc: number, expected: T, timeoutMs: number): WaitResult;
  /** The same without blocking; the value was compared by the caller just before. */
  waitAsync(loc: number, expected: T, timeoutMs: number): Promise<WaitResult>;
  /** Wakes up to `count` waiters (Infinity: all); returns how many were woken. */
  notify(loc: number, count: number): number;
}

/**
 * `AtomicInt`: safe integers in and out, an i64 in memory. Every operation that can leave
 * ±(2^53−1) returns NaN instead and stores nothing.
 */
export interface IntOps extends WaitOps<number> {
  load(loc: number): number;
  store(loc: number, value: number): void;
  swap(loc: number, value: number): number;
  /** Returns the previous value; it stored iff that equals `expected`. */
  compareExchange(loc: number, expected: number, replacement: number): number;
  add(loc: number, value: number): number;
  sub(loc: number, value: number): number;
  mul(loc: number, value: number): number;
  /** Truncating; `value` is never 0. */
  div(loc: number, value: number): number;
  max(loc: number, value: number): number;
  min(loc: number, value: number): number;
  and(loc: number, value: number): number;
  or(loc: number, value: number): number;
  xor(loc: number, value: number): number;
}

/** `AtomicBigInt`: signed 64-bit bigints in and out, wrapping arithmetic. */
export interface BigIntOps {
  load(loc: number): bigint;
  store(loc: number, value: bigint): void;
  swap(loc: number, value: bigint): bigint;
  compareExchange(loc: number, expected: bigint, replacement: bigint): bigint;
  add(loc: number, value: bigint): bigint;
  sub(loc: number, value: bigint): bigint;
  mul(loc: number, value: bigint): bigint;
  /** Truncating; `value` is never 0n. */
  div(loc: number, value: bigint): bigint;
  max(loc: number, value: bigint): bigint;
  min(loc: number, value: bigint): bigint;
  and(loc: number, value: bigint): bigint;
  or(loc: number, value: bigint): bigint;
  xor(loc: number, value: bigint): bigint;
}

/** `AtomicBool`: 0 or 1 in and out, a 32-bit word in memory. */
export interface BoolOps extends WaitOps<number> {
  load(loc: number): number;
  store(loc: number, value: number): void;
  swap(loc: number, value: number): number;
  compareExchange(loc: number, expected: number, replacement: number): number;
  and(loc: number, value: number): number;
  or(loc: number, value: number): number;
  xor(loc: number, value: number): number;
}

/**
 * `AtomicFloat`: binary64 in and out. `compareExchange` compares bit patterns, except that a NaN
 * `expected` matches any stored NaN; it stored iff `Object.is(previous, expected)`.
 */
export interface FloatOps {
  load(loc: number): number;
  store(loc: number, value: number): void;
  swap(loc: number, value: number): number;
  compareExchange(loc: number, expected: number, replacement: number): number;
  add(loc: number, value: number): number;
  sub(loc: number, value: number): number;
  mul(loc: number, value: number): number;
  div(loc: number, value: number): number;
  max(loc: number, value: number): number;
  min(loc: number, value: number): number;
}

/**
 * The four kinds of atomic, as a handle names them: `"int"` (`AtomicInt`), `"bigint"`, `"bool"`
 * and `"float"`.
 *
 * @example
 * ```ts
 * import { AtomicFloat, type AtomicKind } from "@atomicx/atomicx";
 *
 * const kind: AtomicKind = new AtomicFloat(1.5).handle.kind; // "float"
 * ```
 */
export type AtomicKind = "int" | "bigint" | "bool" | "float";

/** One memory and its operation tables. */
export interface Space {
  /** `"wasm"`, `"atomics"` (a SharedArrayBuffer through `Atomics`) or `"native"`. */
  readonly engine: "wasm" | "atomics" | "native";
  readonly int: IntOps;
  readonly bigint: BigIntOps;
  readonly bool: BoolOps;
  readonly float: FloatOps;
}

/** Bytes of storage per kind: 64-bit words, and a 32-bit word for `bool` (futex-sized). */
export const cellSize: Readonly<Record<AtomicKind, number>> = {
  int: 8,
  bigint: 8,
  bool: 4,
  float: 8,
};
