/**
 * Timers that never keep a process alive on their own (the user's client does that while it is
 * connected), and a sleep that ends early on a wake-up.
 *
 * @module
 */

import { unref } from "../src/locks/deadline.ts";

/** `setTimeout` that does not keep the process alive (see `unref` in src/locks/deadline.ts). */
export function quietTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  unref(timer);
  return timer;
}
