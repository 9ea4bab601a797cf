/**
 * Timers that never keep a process alive on their own (the user's client does that while it is
 * connected), and a sleep that ends early on a wake-up.
 *
 * @module
 */

/** `setTimeout` that does not keep the process alive (Node and Bun: `unref`; Deno: `unrefTimer`). */
export function quietTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  if (typeof timer === "object" && timer !== null && "unref" in timer) {
    (timer as { unref(): void }).unref();
  } else {
    const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
    deno?.unrefTimer?.(timer as unknown as number);
  }
  return timer;
}
