/**
 * The one table of the C functions the native library exports, written once for every runtime.
 *
 * Every parameter and result is an `f64` (see `native/src/lib.rs` for why), except the `buffer`
 * parameter of `atomicx_address_of`. `addr` is the address of an atomic's storage; `io` the address
 * of three caller-owned `i64` words (arguments in 0 and 1, result in 2); `out` the address of one
 * caller-owned `f64`. Each loader translates this table into its own FFI's notation.
 *
 * @module
 */

/** The parameter types this table uses. */
export type ParameterType = "f64" | "buffer";
/** The result types this table uses. */
export type ResultType = "f64" | "void";

/** A C function's signature. */
export interface Signature {
  readonly parameters: readonly ParameterType[];
  readonly result: ResultType;
}

const f64 = "f64";
/** `(addr) -> f64` */
const load = { parameters: [f64], result: f64 } as const;
/** `(addr, value) -> void` */
const store = { parameters: [f64, f64], result: "void" } as const;
/** `(addr, value) -> previous` */
const rmw = { parameters: [f64, f64], result: f64 } as const;
/** `(addr, expected, replacement) -> previous` */
const cmpxchg = { parameters: [f64, f64, f64], result: f64 } as const;
/** `(addr, io) -> status`: bigint operations, values in the io words */
const bigint = { parameters: [f64, f64], result: f64 } as const;

/** Every exported C function, by name. */
export const symbols = {
  /** `() -> version` */
  atomicx_abi_version: { parameters: [], result: f64 },
  /** `(buffer: void *) -> address` */
  atomicx_address_of: { parameters: ["buffer"], result: f64 },

  // AtomicInt: values are safe integers; NaN means "refused, nothing stored".
  atomicx_i64_load: load,
  atomicx_i64_store: store,
  atomicx_i64_swap: rmw,
  atomicx_i64_compare_exchange: cmpxchg,
  atomicx_i64_fetch_add: rmw,
  atomicx_i64_fetch_sub: rmw,
  atomicx_i64_fetch_mul: rmw,
  atomicx_i64_fetch_div: rmw,
  atomicx_i64_fetch_max: rmw,
  atomicx_i64_fetch_min: rmw,
  atomicx_i64_fetch_and: rmw,
  atomicx_i64_fetch_or: rmw,
  atomicx_i64_fetch_xor: rmw,

  // AtomicBigInt: (addr, io) -> status (0 ok, 1 division by zero; compare_exchange: 1 exchanged).
  atomicx_bigint_load: bigint,
  atomicx_bigint_store: bigint,
  atomicx_bigint_swap: bigint,
  atomicx_bigint_compare_exchange: bigint,
  atomicx_bigint_fetch_add: bigint,
  atomicx_bigint_fetch_sub: bigint,
  atomicx_bigint_fetch_mul: bigint,
  atomicx_bigint_fetch_div: bigint,
  atomicx_bigint_fetch_max: bigint,
  atomicx_bigint_fetch_min: bigint,
  atomicx_bigint_fetch_and: bigint,
  atomicx_bigint_fetch_or: bigint,
  atomicx_bigint_fetch_xor: bigint,

  // AtomicBool: values 0 or 1.
  atomicx_bool_load: load,
  atomicx_bool_store: store,
  atomicx_bool_swap: rmw,
  atomicx_bool_compare_exchange: cmpxchg,
  atomicx_bool_fetch_and: rmw,
  atomicx_bool_fetch_or: rmw,
  atomicx_bool_fetch_xor: rmw,

  // AtomicFloat: IEEE-754 binary64.
  atomicx_f64_load: load,
  atomicx_f64_store: store,
  atomicx_f64_swap: rmw,
  /** `(addr, expected, replacement, out) -> 1 exchanged | 0`, previous value written to `out` */
  atomicx_f64_compare_exchange: { parameters: [f64, f64, f64, f64], result: f64 },
  atomicx_f64_fetch_add: rmw,
  atomicx_f64_fetch_sub: rmw,
  atomicx_f64_fetch_mul: rmw,
  atomicx_f64_fetch_div: rmw,
  atomicx_f64_fetch_max: rmw,
  atomicx_f64_fetch_min: rmw,
} as const satisfies Record<string, Signature>;

/** Name of an exported C function. */
export type SymbolName = keyof typeof symbols;

/** The version of the C ABI this TypeScript code speaks; the library must report the same. */
export const ABI_VERSION = 1;

/** A C function as a loader binds it: numbers (and, for `buffer` parameters, a typed array) in. */
export type NativeFunction = (...args: (number | ArrayBufferView)[]) => number;

/**
 * What every loader returns: each C function as a plain JavaScript function taking and returning
 * numbers, plus the address of a typed array's first byte.
 */
export type NativeOps =
  & { readonly [K in SymbolName]: NativeFunction }
  & {
    /** Address of `view`'s first byte; stable because `view` is over a SharedArrayBuffer. */
    readonly addressOf: (view: ArrayBufferView) => number;
    /** Which FFI is in use: `"deno"`, `"bun"`, `"node:ffi"` or `"koffi"`. */
    readonly backend: string;
    /** Path of the loaded library. */
    readonly path: string;
  };
