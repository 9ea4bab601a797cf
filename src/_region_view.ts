/**
 * A thread's view of a region's mapping: an `ArrayBuffer` over the mapped bytes (no copy) on
 * which the region's 32-bit words (lock words, holder tables, bools) run as the built-in
 * `Atomics`, where the loader chose that by measurement (ffi/_load.ts `regionViews`: koffi, whose
 * calls cost 30–45 ns against ~10 for `Atomics`). Made once per region per thread (never posted:
 * each Worker makes its own), never handed to users, and detached before the region is closed,
 * so an atomic that outlives its region can only throw, never touch an unmapped page. Only where
 * the runtime can detach a buffer (`ArrayBuffer.prototype.transfer`; Node 20 cannot, so its
 * regions keep every operation on the FFI). 64-bit cells stay on the FFI.
 *
 * The language does not require atomic instructions for `Atomics` on a buffer that is not shared;
 * V8 and JavaScriptCore emit them. A cross-process test in `npm test` (tests/processes/shm.test.ts)
 * checks exact totals of view and native adds on every runtime and version, so an engine that
 * stopped would fail there.
 *
 * @module
 */

import { loadNative } from "../ffi/mod.ts";

/** The 32-bit words of a mapping, and the address of its first byte. */
export interface RegionView {
  readonly i32: Int32Array;
  readonly base: number;
}

const out = new Float64Array(new SharedArrayBuffer(24));

/** A view of the open region `pointer` (a handle from `atomicx_shm_open`), or `undefined`. */
export function openView(pointer: number): RegionView | undefined {
  const ops = loadNative();
  if (ops.view === undefined) return undefined;
  if (ops.atomicx_shm_mapping(pointer, ops.addressOf(out)) !== 0) return undefined;
  const base = out[0], length = out[1];
  return { i32: new Int32Array(ops.view(base, length)), base };
}

/** Detaches `view` (its typed arrays then have length 0 and every `Atomics` call throws). */
export function detachView(view: RegionView | undefined): void {
  if (view === undefined) return;
  (view.i32.buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
}
