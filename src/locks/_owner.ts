/**
 * This thread's token: the owner id an in-process lock word holds (and, in a region, the thread
 * within a process). It lives on `globalThis` under a `Symbol.for` key, so that two copies of the
 * library in one thread (an ESM import and a CommonJS `require` of the npm build, or two versions)
 * agree on who holds a lock: a `lock()` through one copy of a mutex held through the other is
 * refused as a re-entry instead of blocking the thread forever.
 *
 * @module
 */

/** Owner ids fit in the low 30 bits of a word; bit 30 is a protocol flag (e.g. "contended"). */
export const ID_MASK = 0x3fff_ffff;

const KEY = Symbol.for("atomicx.locks.threadToken");
const slot = globalThis as unknown as Record<symbol, unknown>;

/** A token another copy already chose, if it is a valid one. */
function shared(): number | undefined {
  const t = slot[KEY];
  return typeof t === "number" && Number.isInteger(t) && t >= 1 && t < ID_MASK ? t : undefined;
}

/** This thread's token: a random id in 1..2^30−2, different in every Worker with high probability. */
export const threadToken: number = shared() ?? (() => {
  const t = 1 + Math.floor(Math.random() * (ID_MASK - 1));
  Object.defineProperty(slot, KEY, { value: t, writable: false, enumerable: false });
  return t;
})();
