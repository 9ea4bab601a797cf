/**
 * Waiting on a cell of a SharedArrayBuffer (the WebAssembly engine's memory, or a user's buffer)
 * with the built-in `Atomics.wait` / `Atomics.waitAsync` / `Atomics.notify`: what `wait`,
 * `waitAsync` and `notify` do for every memory that is not a native region. Works on every runtime
 * and in browsers (where blocking is refused on the page's main thread: see {@link cannotBlock}).
 *
 * @module
 */

import { atomicsWaitAsync } from "./_webassembly.ts";
import { keepAlive } from "./_keep_alive.ts";
import type { WaitOps, WaitResult } from "./_ops.ts";

/** Views of the memory, refreshed by the caller when the memory has grown. */
export interface Views {
  i32(loc: number): Int32Array;
  i64(loc: number): BigInt64Array;
}

/** `TypeError` for a blocking wait where the runtime forbids it (a browser page's main thread). */
function cannotBlock(cause: unknown): TypeError {
  return new TypeError(
    "atomicx: this thread may not block (a browser page's main thread refuses Atomics.wait): " +
      "use waitAsync here, or wait in a Worker",
    { cause },
  );
}

/** `Atomics.wait`'s timeout: the same milliseconds, Infinity for none. */
function waitOnce<T extends Int32Array | BigInt64Array>(
  view: T,
  index: number,
  value: T extends Int32Array ? number : bigint,
  timeoutMs: number,
): WaitResult {
  try {
    return Atomics.wait(view as never, index, value as never, timeoutMs) as WaitResult;
  } catch (error) {
    throw cannotBlock(error);
  }
}

/**
 * `Atomics.waitAsync`. With a finite timeout (of any length) {@link keepAlive} holds the event loop
 * open until the wait ends; with no timeout nothing does, so a forgotten wait never keeps a process
 * from exiting.
 */
function waitAsyncOnce<T extends Int32Array | BigInt64Array>(
  view: T,
  index: number,
  value: T extends Int32Array ? number : bigint,
  timeoutMs: number,
): Promise<WaitResult> {
  const { async, value: result } = atomicsWaitAsync(view, index, value, timeoutMs);
  if (!async) return Promise.resolve(result as WaitResult);
  const pending = result as Promise<WaitResult>;
  const release = keepAlive(timeoutMs + 1000);
  return pending.finally(release);
}

/** Wait operations on 64-bit cells (`AtomicInt`: the safe integer compared as an i64). */
export function waitOps64(views: Views): WaitOps<number> {
  return {
    wait: (loc, expected, timeoutMs) =>
      waitOnce(views.i64(loc), loc >>> 3, BigInt(expected), timeoutMs),
    waitAsync: (loc, expected, timeoutMs) =>
      waitAsyncOnce(views.i64(loc), loc >>> 3, BigInt(expected), timeoutMs),
    notify: (loc, count) => Atomics.notify(views.i64(loc), loc >>> 3, count),
  };
}

/** Wait operations on 32-bit cells (`AtomicBool`: 0 or 1). */
export function waitOps32(views: Views): WaitOps<number> {
  return {
    wait: (loc, expected, timeoutMs) => waitOnce(views.i32(loc), loc >>> 2, expected, timeoutMs),
    waitAsync: (loc, expected, timeoutMs) =>
      waitAsyncOnce(views.i32(loc), loc >>> 2, expected, timeoutMs),
    notify: (loc, count) => Atomics.notify(views.i32(loc), loc >>> 2, count),
  };
}
