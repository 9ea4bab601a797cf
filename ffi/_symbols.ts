/**
 * The one table of the C functions the native library exports, written once for every runtime.
 *
 * Every parameter and result is an `f64` (see `native/src/lib.rs` for why), except the `buffer`
 * parameter of `atomicx_address_of`. `addr` is the address of an atomic's storage; `io` the address
 * of three caller-owned `i64` words (arguments in 0 and 1, result in 2); `out` the address of
 * caller-owned `f64`s (one, unless the function's comment lists more). Each loader translates this table into its own FFI's notation.
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
  /**
   * The call may block (a futex wait). A backend whose FFI can run a call on another thread (Deno's
   * `nonblocking`, koffi's `.async`) also binds it as `<name>_nonblocking`, returning a Promise.
   */
  readonly nonblocking?: true;
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
  atomicx_int_load: load,
  atomicx_int_store: store,
  atomicx_int_swap: rmw,
  atomicx_int_compare_exchange: cmpxchg,
  atomicx_int_fetch_add: rmw,
  atomicx_int_fetch_sub: rmw,
  atomicx_int_fetch_mul: rmw,
  atomicx_int_fetch_div: rmw,
  atomicx_int_fetch_max: rmw,
  atomicx_int_fetch_min: rmw,
  atomicx_int_fetch_and: rmw,
  atomicx_int_fetch_or: rmw,
  atomicx_int_fetch_xor: rmw,

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
  atomicx_float_load: load,
  atomicx_float_store: store,
  atomicx_float_swap: rmw,
  /** `(addr, expected, replacement, out) -> 1 exchanged | 0`, previous value written to `out` */
  atomicx_float_compare_exchange: { parameters: [f64, f64, f64, f64], result: f64 },
  atomicx_float_fetch_add: rmw,
  atomicx_float_fetch_sub: rmw,
  atomicx_float_fetch_mul: rmw,
  atomicx_float_fetch_div: rmw,
  atomicx_float_fetch_max: rmw,
  atomicx_float_fetch_min: rmw,

  // Named shared memory (native/src/shm.rs). Names are UTF-8 bytes the caller writes into its own
  // memory: `name` is their address, `name_len` their count. `out` is the address of three
  // caller-owned f64s. Results are statuses: 0 ok, else `shm::status` (1000 + errno for OS errors).
  /** `(name, name_len, capacity, how: 0 either | 1 create | 2 attach, permissions, out) -> status`;
   * out: [region pointer, capacity, detail] */
  atomicx_shm_open: { parameters: [f64, f64, f64, f64, f64, f64], result: f64 },
  /** `(name, name_len) -> status` */
  atomicx_shm_unlink: { parameters: [f64, f64], result: f64 },
  /** `(region) -> status`: marks the region closed, drops the opener's reference */
  atomicx_shm_close: { parameters: [f64], result: f64 },
  /** `(region) -> status`: one more reference, for an asynchronous waiter */
  atomicx_shm_retain: { parameters: [f64], result: f64 },
  /** `(region) -> status`: drops a reference taken with retain */
  atomicx_shm_release: { parameters: [f64], result: f64 },
  /** `(region, out) -> status` (CLOSED once closed); out: [address of the mapping, its length]
   * (native/src/view.rs) */
  atomicx_shm_mapping: { parameters: [f64, f64], result: f64 },
  /** `(region, name, name_len, kind (ffi/_codes.ts Kind), length: elements | stripes | 0, out)
   * -> status`; out: [address of the entry's run of slots, entry index, detail: the actual kind
   * (KIND_MISMATCH), the actual length (LENGTH_MISMATCH), the slots left (FULL)] */
  atomicx_shm_slot: { parameters: [f64, f64, f64, f64, f64, f64], result: f64 },
  /** `(region, index, name_out, out) -> status` (NOT_FOUND past the last entry); name bytes to
   * name_out (48 bytes); out: [kind, length, name byte count] */
  atomicx_shm_entry: { parameters: [f64, f64, f64, f64], result: f64 },

  // Waiting (native/src/wait.rs): a shared futex on the atomic's address.
  /** `(addr, expected, timeout_ms, region or 0, release: 0|1) -> 0 ok | 1 not-equal |
   * 2 timed-out | 3 closed | 100 + status` */
  atomicx_int_wait: { parameters: [f64, f64, f64, f64, f64], result: f64, nonblocking: true },
  /** `(addr, expected, timeout_ms, region or 0, release: 0|1) -> as atomicx_int_wait` */
  atomicx_bool_wait: { parameters: [f64, f64, f64, f64, f64], result: f64, nonblocking: true },
  /** `(addr, count) -> woken, or -1 where unsupported` */
  atomicx_wake: { parameters: [f64, f64], result: f64 },
  /** `(out) -> status`; out: [read fd, write fd] of a new pipe */
  atomicx_pipe: { parameters: [f64], result: f64 },
  /** `(kind: 1 int | 3 bool | 5 lock word, addr, expected, timeout_ms, region or 0, fd, token) -> status`:
   * waits on a native thread, then writes [token, result] as two f64s to the pipe `fd` */
  atomicx_wait_spawn: { parameters: [f64, f64, f64, f64, f64, f64, f64], result: f64 },

  // Lock words (native/src/word.rs, owner.rs): i32 words in a region, as `Atomics` on an Int32Array.
  atomicx_word_load: { parameters: [f64], result: f64 },
  atomicx_word_store: store,
  /** `(addr, expected, replacement) -> previous` */
  atomicx_word_compare_exchange: cmpxchg,
  /** `(addr, delta) -> previous` */
  atomicx_word_add: rmw,
  /** `(addr, value) -> previous` */
  atomicx_word_exchange: rmw,
  /** `(addr, expected, timeout_ms, region or 0, release: 0|1) -> as atomicx_int_wait` */
  atomicx_word_wait: { parameters: [f64, f64, f64, f64, f64], result: f64, nonblocking: true },
  /** `(addr, owner, token, start_low, start_high) -> previous word 0` (0: taken) */
  atomicx_mutex_enter: { parameters: [f64, f64, f64, f64, f64], result: f64 },
  /** `(addr) -> previous word 0`; wakes one sleeper if it was contended */
  atomicx_mutex_leave: { parameters: [f64], result: f64 },
  /** `(out) -> status`; out: [pid, start time] of this process */
  atomicx_self_identity: { parameters: [f64], result: f64 },
  /** `(pid, start) -> 1 running | 0` */
  atomicx_process_alive: { parameters: [f64, f64], result: f64 },
  /** `(out) -> status`: this thread's tid and start time */
  atomicx_thread_identity: { parameters: [f64], result: f64 },
  /** `(pid, tid, start) -> 1 running | 0` */
  atomicx_thread_alive: { parameters: [f64, f64, f64], result: f64 },
} as const satisfies Record<string, Signature>;

/** Name of an exported C function. */
export type SymbolName = keyof typeof symbols;

/** Names of the functions marked `nonblocking`. */
export type NonblockingName = {
  [K in SymbolName]: (typeof symbols)[K] extends { nonblocking: true } ? K : never;
}[SymbolName];

/**
 * A C function bound to run off the JavaScript thread, resolving to its result. Backends that can
 * (Deno, koffi) add one as `<name>_nonblocking` to the functions of every `nonblocking` entry; read
 * them with {@link nonblockingFunction}.
 */
export type AsyncNativeFunction = (...args: number[]) => Promise<number>;

/** The version of the C ABI this TypeScript code speaks; the library must report the same. */
export const ABI_VERSION = 5;

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
    /**
     * A new `ArrayBuffer` over native memory, no copy (ffi/_backend.ts `Bound.view`), where region
     * words should run as `Atomics` on such a view (ffi/_load.ts `regionViews`); else undefined.
     */
    readonly view: ((address: number, length: number) => ArrayBuffer) | undefined;
    /** Which FFI is in use: `"deno"`, `"bun"`, `"node:ffi"` or `"koffi"`. */
    readonly backend: string;
    /** Path of the loaded library. */
    readonly path: string;
  };

/** The Promise-returning binding of a `nonblocking` function, if this runtime's FFI has one. */
export function nonblockingFunction(
  ops: NativeOps,
  name: NonblockingName,
): AsyncNativeFunction | undefined {
  return (ops as unknown as Record<string, AsyncNativeFunction | undefined>)[`${name}_nonblocking`];
}
