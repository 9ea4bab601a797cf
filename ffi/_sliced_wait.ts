/**
 * Blocking waits on a region, re-armed from JavaScript in short slices.
 *
 * A native futex wait never returns to JavaScript until it ends, so a Worker blocked in one could
 * not be terminated (Bun and Node terminate a Worker only when it runs JavaScript). Wrapped here,
 * a blocking region wait sleeps at most {@link SLICE_MS} per native call and the loop between
 * calls is JavaScript, where `worker.terminate()` takes effect.
 *
 * A notify that arrives in the microseconds between two slices finds no sleeper, exactly as one
 * that arrives just before a wait starts: waiters must (and the classes' users do) recheck the
 * value, which is what decides the outcome here too. Waits on a SharedArrayBuffer (`region` 0)
 * and asynchronous waits (`release` ≠ 0, already off the JavaScript thread) are passed through.
 *
 * @module
 */

import { WaitCode } from "./_codes.ts";
import type { NativeFunction } from "./_symbols.ts";

/** Longest sleep of one native call of a blocking region wait, in milliseconds. */
export const SLICE_MS = 50;

/**
 * `wait` re-armed in slices of at most {@link SLICE_MS} for blocking waits on a region.
 *
 * @example
 * ```ts
 * import { slicedWait } from "./_sliced_wait.ts";
 *
 * const fake = () => 2; // always "timed out"
 * const wait = slicedWait(fake);
 * wait(0, 0, 120, 1, 0); // 2 (timed out), after three slices
 * ```
 */
export function slicedWait(wait: NativeFunction): NativeFunction {
  // `(addr, expected, timeoutMs, region, release) -> wait code`, all numbers.
  return (...args) => {
    const [address, expected, timeoutMs, region, release] = args as number[];
    if (region === 0 || release !== 0) {
      return wait(address, expected, timeoutMs, region, release);
    }
    const deadline = performance.now() + timeoutMs;
    for (let first = true;; first = false) {
      const left = deadline - performance.now();
      const slice = Math.min(Math.max(left, 0), SLICE_MS);
      const code = wait(address, expected, slice, region, 0);
      if (code === WaitCode.TIMED_OUT && left > SLICE_MS) continue;
      // The value differed when a later slice began: it changed during this wait.
      if (code === WaitCode.NOT_EQUAL && !first) return WaitCode.OK;
      return code;
    }
  };
}
