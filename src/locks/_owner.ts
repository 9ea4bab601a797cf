/**
 * Who holds a lock: a per-thread token (in-process owners, and the thread within a process), and,
 * in regions, this process's pid and start time so that another process can tell whether a holder
 * died (a reused pid has another start time).
 *
 * @module
 */

import { loadNative } from "../../ffi/mod.ts";

/** Owner ids fit in the low 30 bits of a word; bit 30 is a protocol flag (e.g. "contended"). */
export const ID_MASK = 0x3fff_ffff;

/** This thread's token: a random id in 1..2^30−1, different in every Worker with high probability. */
export const threadToken: number = 1 + Math.floor(Math.random() * (ID_MASK - 1));

let identity: { pid: number; startLow: number; startHigh: number } | undefined;

/** This process's pid and start time (low and high 32 bits of the clock ticks since boot). */
export function processIdentity(): { pid: number; startLow: number; startHigh: number } {
  if (identity) return identity;
  const out = new Float64Array(new SharedArrayBuffer(24));
  if (loadNative().atomicx_self_identity(loadNative().addressOf(out)) !== 0) {
    throw new Error("atomicx: locks in shared memory need /proc (Linux) to name their owners");
  }
  const start = out[1];
  identity = { pid: out[0], startLow: start % 2 ** 32 | 0, startHigh: Math.floor(start / 2 ** 32) };
  return identity;
}

/** False if process `pid` (started at `startLow`/`startHigh`; both 0: unknown) has died. */
export function ownerAlive(pid: number, startLow: number, startHigh: number): boolean {
  const start = (startHigh >>> 0) * 2 ** 32 + (startLow >>> 0);
  return loadNative().atomicx_process_alive(pid, start) === 1;
}
