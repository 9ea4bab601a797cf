/**
 * The native engine's operation tables: the C functions of the Rust library, for atomics in a
 * `SharedMemory` region (location = address in the mapping) and, with `ATOMICX_ENGINE=native`, for
 * in-process atomics too (one SharedArrayBuffer each). The library is loaded on first use.
 *
 * @module
 */

import type { BigIntOps, BoolOps, FloatOps, IntOps, Space, WaitOps } from "../engine/_ops.ts";
import type { MemoryHandle } from "./handle.ts";
import type { WasmSpace } from "../wasm/_engine.ts";
import { installNative } from "./_storage.ts";
import { BigIntStatus } from "../ffi/_codes.ts";
import { loadNative } from "../ffi/mod.ts";
import type { NativeOps } from "../ffi/_symbols.ts";
import { regionClosed, type RegionLink } from "./_link.ts";
import { notifyResult, waitAsyncOn, waitResult } from "./wait.ts";

function tables(native: NativeOps, region: RegionLink | undefined): Space {
  /**
   * Three 64-bit words through which bigint values cross the FFI boundary (arguments in 0 and 1,
   * the result in 2): `f64`-only calls are fast on every runtime and an `i64` is not on Deno. One
   * per table, off the JavaScript heap so its address is stable, and never shared.
   */
  const io = new BigInt64Array(new SharedArrayBuffer(24));
  const ioAddress = native.addressOf(io);
  const out = new Float64Array(new SharedArrayBuffer(8));
  const outAddress = native.addressOf(out);
  const regionPointer = region?.pointer ?? 0;

  /** Waiting on the futex at an address (regions): `int` waits on a 64-bit value, `bool` a word. */
  const futexWaits = (kind: "int" | "bool"): WaitOps<number> => {
    const className = kind === "int" ? "AtomicInt" : "AtomicBool";
    const wait = kind === "int" ? native.atomicx_int_wait : native.atomicx_bool_wait;
    const load = kind === "int" ? native.atomicx_int_load : native.atomicx_bool_load;
    return {
      wait: (loc, expected, timeoutMs) =>
        waitResult(`${className}.wait`, wait(loc, expected, timeoutMs, regionPointer, 0), region),
      waitAsync: (loc, expected, timeoutMs) =>
        // Compared here, when asked: the native waiter starts a moment later on another thread,
        // and treats a value that changed by then as woken.
        load(loc) !== expected
          ? Promise.resolve("not-equal")
          : waitAsyncOn(`${className}.waitAsync`, kind, loc, expected, timeoutMs, region),
      notify: (loc, count) => notifyResult(`${className}.notify`, native.atomicx_wake(loc, count)),
    };
  };

  // The int and bool tables name the same operations over different C functions (`int_*` on 8
  // bytes, `bool_*` on a 32-bit word): one entry a function, so every call is one direct FFI call.
  const int: IntOps = {
    load: native.atomicx_int_load,
    store: native.atomicx_int_store as IntOps["store"],
    swap: native.atomicx_int_swap,
    compareExchange: native.atomicx_int_compare_exchange,
    add: native.atomicx_int_fetch_add,
    sub: native.atomicx_int_fetch_sub,
    mul: native.atomicx_int_fetch_mul,
    div: native.atomicx_int_fetch_div,
    max: native.atomicx_int_fetch_max,
    min: native.atomicx_int_fetch_min,
    and: native.atomicx_int_fetch_and,
    or: native.atomicx_int_fetch_or,
    xor: native.atomicx_int_fetch_xor,
    ...futexWaits("int"),
  };

  /** A bigint operation `(addr, io) -> status` with its operand in io[0], result in io[2]. */
  const big = (f: (addr: number, io: number) => number) => (loc: number, v: bigint): bigint => {
    io[0] = v;
    f(loc, ioAddress);
    return io[2];
  };
  const bigint: BigIntOps = {
    load: (loc) => {
      native.atomicx_bigint_load(loc, ioAddress);
      return io[2];
    },
    store: (loc, v) => {
      io[0] = v;
      native.atomicx_bigint_store(loc, ioAddress);
    },
    swap: big(native.atomicx_bigint_swap),
    compareExchange: (loc, e, r) => {
      io[0] = e;
      io[1] = r;
      native.atomicx_bigint_compare_exchange(loc, ioAddress);
      return io[2];
    },
    add: big(native.atomicx_bigint_fetch_add),
    sub: big(native.atomicx_bigint_fetch_sub),
    mul: big(native.atomicx_bigint_fetch_mul),
    div: (loc, v) => {
      io[0] = v;
      if (native.atomicx_bigint_fetch_div(loc, ioAddress) === BigIntStatus.DIVISION_BY_ZERO) {
        throw new RangeError("AtomicBigInt.div: division by zero; the value is unchanged");
      }
      return io[2];
    },
    max: big(native.atomicx_bigint_fetch_max),
    min: big(native.atomicx_bigint_fetch_min),
    and: big(native.atomicx_bigint_fetch_and),
    or: big(native.atomicx_bigint_fetch_or),
    xor: big(native.atomicx_bigint_fetch_xor),
  };

  // A region's bool words on this thread's view of the mapping, where it has one
  // (src/_region_view.ts); the waits stay native futexes on the same words.
  const view = region?.view;
  if (view !== undefined) {
    const a = view.i32, base = view.base;
    const at = (loc: number) => ((loc - base) / 4) | 0;
    const bool: BoolOps = {
      load: (loc) => Atomics.load(a, at(loc)),
      store: (loc, v) => void Atomics.store(a, at(loc), v),
      swap: (loc, v) => Atomics.exchange(a, at(loc), v),
      compareExchange: (loc, e, r) => Atomics.compareExchange(a, at(loc), e, r),
      and: (loc, v) => Atomics.and(a, at(loc), v),
      or: (loc, v) => Atomics.or(a, at(loc), v),
      xor: (loc, v) => Atomics.xor(a, at(loc), v),
      ...futexWaits("bool"),
    };
    return { engine: "native", int, bigint, bool, float: floatOps() };
  }

  const bool: BoolOps = {
    load: native.atomicx_bool_load,
    store: native.atomicx_bool_store as BoolOps["store"],
    swap: native.atomicx_bool_swap,
    compareExchange: native.atomicx_bool_compare_exchange,
    and: native.atomicx_bool_fetch_and,
    or: native.atomicx_bool_fetch_or,
    xor: native.atomicx_bool_fetch_xor,
    ...futexWaits("bool"),
  };

  return { engine: "native", int, bigint, bool, float: floatOps() };

  function floatOps(): FloatOps {
    return {
      load: native.atomicx_float_load,
      store: native.atomicx_float_store as FloatOps["store"],
      swap: native.atomicx_float_swap,
      compareExchange: (loc, e, r) => {
        native.atomicx_float_compare_exchange(loc, e, r, outAddress);
        return out[0];
      },
      add: native.atomicx_float_fetch_add,
      sub: native.atomicx_float_fetch_sub,
      mul: native.atomicx_float_fetch_mul,
      div: native.atomicx_float_fetch_div,
      max: native.atomicx_float_fetch_max,
      min: native.atomicx_float_fetch_min,
    };
  }
}

/**
 * Wraps every function of `space` so that it throws once `region` is closed: the one check between
 * an operation and memory that `close()` may have unmapped.
 */
function guarded(space: Space, region: RegionLink): Space {
  type F = (a?: unknown, b?: unknown, c?: unknown) => unknown;
  const guard = <T extends object>(table: T, className: string): T =>
    Object.fromEntries(
      Object.entries(table as Record<string, F>).map(([name, f]) => {
        const check = () => {
          if (region.closed) throw regionClosed(className, region);
        };
        // Fixed arities: the FFI functions behind them take exactly their parameters.
        const wrapped = name === "load"
          ? (a: unknown) => (check(), f(a))
          : name === "compareExchange" || name.startsWith("wait")
          ? (a: unknown, b: unknown, c: unknown) => (check(), f(a, b, c))
          : (a: unknown, b: unknown) => (check(), f(a, b));
        return [name, wrapped];
      }),
    ) as T;
  return {
    engine: "native",
    int: guard(space.int, "AtomicInt"),
    bigint: guard(space.bigint, "AtomicBigInt"),
    bool: guard(space.bool, "AtomicBool"),
    float: guard(space.float, "AtomicFloat"),
  };
}

let processSpace: Space | undefined;

/** The native tables for addresses outside any region (SharedArrayBuffers). */
export function nativeSpace(): Space {
  return processSpace ??= tables(loadNative(), undefined);
}

const regionSpaces = new WeakMap<RegionLink, Space>();

/** The native tables for atomics of `region`, which throw once it is closed. */
export function regionSpace(region: RegionLink): Space {
  let space = regionSpaces.get(region);
  if (space === undefined) {
    regionSpaces.set(region, space = guarded(tables(loadNative(), region), region));
  }
  return space;
}

/** The address of `view`'s first byte (a view of a SharedArrayBuffer: it never moves). */
export function addressOf(view: ArrayBufferView): number {
  return loadNative().addressOf(view);
}

const onWasm = new WeakMap<WasmSpace, Space>();

/**
 * Native calls on a WebAssembly engine memory (`ATOMICX_ENGINE=wasm+ffi`): locations are absolute
 * addresses (the memory never moves: a shared memory is reserved at its maximum size), waits and
 * notifies stay the built-in `Atomics` ones of the wasm tables, so every thread agrees whichever
 * calls it makes. Throws when the native library cannot be loaded.
 */
export function nativeOnWasm(space: WasmSpace): Space {
  let hybrid = onWasm.get(space);
  if (hybrid !== undefined) return hybrid;
  const native = nativeSpace();
  const base = wasmBase(space);
  const shift = <T>(f: (loc: number, ...rest: never[]) => T) => (loc: number, ...rest: never[]) =>
    f(loc - base, ...rest);
  const sharing = <K extends "int" | "bigint" | "bool" | "float">(kind: K) => ({
    share: (loc: number): MemoryHandle<K> => space[kind].share(loc - base) as MemoryHandle<K>,
  });
  const waiting = (kind: "int" | "bool") => ({
    wait: shift(space[kind].wait),
    waitAsync: shift(space[kind].waitAsync),
    notify: shift(space[kind].notify),
  });
  hybrid = {
    engine: "native",
    int: { ...native.int, ...waiting("int"), ...sharing("int") },
    bigint: { ...native.bigint, ...sharing("bigint") },
    bool: { ...native.bool, ...waiting("bool"), ...sharing("bool") },
    float: { ...native.float, ...sharing("float") },
  };
  onWasm.set(space, hybrid);
  return hybrid;
}

/** The address of byte 0 of `space`'s memory as the native calls see it. */
export function wasmBase(space: WasmSpace): number {
  return addressOf(new Uint8Array(space.memory.buffer, 0, 8));
}

installNative({ nativeSpace, addressOf, nativeOnWasm, wasmBase });
