/**
 * Asynchronous waits where no native thread can wake the event loop: on Windows, Node's and Bun's
 * FFIs have no pipe a native waiter thread could write to that the event loop also reads (a CRT
 * descriptor of the library is not one of the runtime's), so there the value is polled instead.
 *
 * Each poll is one native wait with a zero timeout (it compares the whole value and reports a
 * closed region); between polls the event loop runs, sleeping 1 ms at first and doubling up to
 * {@link MAX_POLL_MS}. No wakeup is lost — the value decides — but a notify cannot count a polling
 * waiter (it returns how many *sleeping* waiters it woke), and a change is seen up to
 * {@link MAX_POLL_MS} late. Deno keeps its native waits on its blocking thread pool everywhere.
 *
 * @module
 */

import { WaitCode } from "./_codes.ts";
import type { NativeFunction } from "./_symbols.ts";

/** The longest pause between two polls, in milliseconds. */
export const MAX_POLL_MS = 16;

/**
 * Polls `wait(address, expected, 0, region, 0)` until the value changes, the region closes or
 * `timeoutMs` passes; then calls `done` (which gives up the caller's region reference). Resolves
 * to the wait code, counting a value that changed after the caller checked it as woken.
 *
 * @example Polling a value that is already different
 * ```ts
 * import { pollWait } from "./_poll_wait.ts";
 *
 * const notEqual = () => 1; // WaitCode.NOT_EQUAL
 * console.log(await pollWait(notEqual, 0, 0, 100, 0, () => {})); // 0: woken
 * ```
 */
export function pollWait(
  wait: NativeFunction,
  address: number,
  expected: number,
  timeoutMs: number,
  region: number,
  done: () => void,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    let pause = 1;
    const poll = () => {
      let code: number;
      try {
        code = wait(address, expected, 0, region, 0) as number;
      } catch {
        code = WaitCode.CLOSED;
      }
      const left = deadline - performance.now();
      if (code === WaitCode.TIMED_OUT && left > 0) {
        setTimeout(poll, Math.min(pause, left));
        pause = Math.min(pause * 2, MAX_POLL_MS);
        return;
      }
      done();
      resolve(code === WaitCode.NOT_EQUAL ? WaitCode.OK : code);
    };
    poll();
  });
}
