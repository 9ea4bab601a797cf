/**
 * The numbers the native library returns, named once: status codes of the shared-memory calls,
 * the bigint functions' statuses, wait results, kind codes, open flags and the few `errno` values
 * the messages explain. They mirror `native/src/shm.rs` (`status`, `kind`, `open_flags`),
 * `native/src/bigint.rs` and `native/src/wait.rs`; `native/tests/c_abi/codes.rs` reads this file
 * and checks that every value matches.
 *
 * @example Turning a status into a message
 * ```ts
 * import { Status } from "./_codes.ts";
 *
 * const code: number = Status.NOT_FOUND;
 * if (code === Status.NOT_FOUND) console.log("no such region");
 * ```
 *
 * @module
 */

/**
 * Status codes of `atomicx_shm_*`, `atomicx_pipe` and `atomicx_wait_spawn`. A failed system call
 * is `OS_BASE + errno`.
 *
 * @example
 * ```ts
 * import { Status } from "./_codes.ts";
 *
 * const errno = (1013 - Status.OS_BASE); // 13: EACCES
 * ```
 */
export const Status = {
  OK: 0,
  UNSUPPORTED: 1,
  INVALID_NAME: 2,
  EXISTS: 3,
  NOT_FOUND: 4,
  NOT_ATOMICX: 5,
  LAYOUT_VERSION: 6,
  NOT_INITIALISED: 7,
  KIND_MISMATCH: 8,
  FULL: 9,
  INVALID_ARGUMENT: 10,
  CLOSED: 11,
  FOREIGN_OWNER: 12,
  NOT_REGULAR_FILE: 13,
  CLAIM_STUCK: 14,
  TOO_SHORT: 15,
  LENGTH_MISMATCH: 16,
  OS_BASE: 1000,
} as const;

/**
 * Statuses of the `atomicx_bigint_*` functions (whose values travel through the `io` words).
 *
 * @example
 * ```ts
 * import { BigIntStatus } from "./_codes.ts";
 *
 * const refused = (status: number) => status === BigIntStatus.DIVISION_BY_ZERO;
 * ```
 */
export const BigIntStatus = {
  OK: 0,
  DIVISION_BY_ZERO: 1,
} as const;

/**
 * Results of `atomicx_int_wait` / `atomicx_bool_wait`. A failure is `FAILED + status`.
 *
 * @example
 * ```ts
 * import { WaitCode } from "./_codes.ts";
 *
 * const results = { [WaitCode.OK]: "ok", [WaitCode.TIMED_OUT]: "timed-out" };
 * ```
 */
export const WaitCode = {
  OK: 0,
  NOT_EQUAL: 1,
  TIMED_OUT: 2,
  CLOSED: 3,
  FAILED: 100,
} as const;

/**
 * Kind codes of `atomicx_shm_slot` and `atomicx_wait_spawn`, by the kind a handle names.
 *
 * @example
 * ```ts
 * import { Kind } from "./_codes.ts";
 *
 * const code: number = Kind.bool; // 3
 * ```
 */
export const Kind = {
  int: 1,
  bigint: 2,
  bool: 3,
  float: 4,
  mutex: 5,
  rwlock: 6,
  semaphore: 7,
  condition: 8,
  barrier: 9,
  latch: 10,
  once: 11,
  intArray: 12,
  bigintArray: 13,
  boolArray: 14,
  floatArray: 15,
  counter: 16,
  floatCounter: 17,
  /** A lock primitive's 32-bit word (`atomicx_wait_spawn` only). */
  word: 5,
} as const;

/**
 * Bits added to the `how` argument of `atomicx_shm_open` (whose low two bits say create, attach
 * or either).
 *
 * @example
 * ```ts
 * import { OpenFlag } from "./_codes.ts";
 *
 * const how = 2 | OpenFlag.ALLOW_FOREIGN_OWNER; // attach, even to another user's region
 * ```
 */
export const OpenFlag = {
  ALLOW_FOREIGN_OWNER: 4,
} as const;

/**
 * The `errno` values whose failures get their own explanation.
 *
 * @example
 * ```ts
 * import { Errno, Status } from "./_codes.ts";
 *
 * const full = Status.OS_BASE + Errno.ENOSPC;
 * ```
 */
export const Errno = {
  EACCES: 13,
  ENOSPC: 28,
  EMFILE: 24,
} as const;
