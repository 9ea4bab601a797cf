/**
 * Keeping the event loop alive while an `Atomics.waitAsync` with a timeout is pending: Deno and
 * Node do not count a pending `Atomics.waitAsync` as work, and would exit with it unsettled. One
 * helper for every such wait (the atomics' `waitAsync` and the lock words), so that any timeout —
 * up to days, beyond `setTimeout`'s 2^31−1 ms — holds the loop open without a timer overflow: a
 * long timeout is covered by a chain of timers of at most {@link MAX_TIMER_MS} each.
 *
 * @module
 */

/** The longest delay `setTimeout` takes as given (longer ones overflow to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Holds the event loop open for `ms` milliseconds (nothing for `Infinity`: a wait without a
 * timeout never keeps a process from exiting); returns the function that lets go earlier.
 *
 * @example
 * ```ts
 * import { keepAlive } from "./_keep_alive.ts";
 *
 * const release = keepAlive(2 ** 40); // no TimeoutOverflowWarning, no early exit
 * release();
 * ```
 */
export function keepAlive(ms: number): () => void {
  if (!(ms < Infinity)) return noop;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      if (left > MAX_TIMER_MS) arm(left - MAX_TIMER_MS);
    }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

const noop = () => {};
