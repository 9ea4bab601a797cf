/**
 * The one brand registry: the blocks and lock words atomicx made, which constructors accept and
 * nothing else (cells, made for every `new AtomicInt()`, carry a class brand of their own instead).
 *
 * @module
 */

/** The blocks and lock words atomicx made: constructors accept no other. */
const made = new WeakSet<object>();

/** Marks `value` (a block or lock words atomicx just made) as genuine. */
export function vouch<T extends object>(value: T): T {
  made.add(value);
  return value;
}

/**
 * `value` if atomicx made it (a block or lock words {@link vouch}ed for); `TypeError` naming `what`
 * otherwise. (Cells carry a class brand instead: `Cell.check` in `src/_storage.ts`.)
 */
export function vouched<T extends object>(value: unknown, what: string): T {
  if (typeof value !== "object" || value === null || !made.has(value)) {
    throw new TypeError(`atomicx: not ${what} made by atomicx`);
  }
  return value as T;
}
