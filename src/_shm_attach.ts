/**
 * Which regions this thread has open, by name, so that a region handle (`AtomicInt.from(handle)`
 * in a Worker) reuses the open mapping; and the unmapping of a region attached that way once
 * nothing can reach it any more.
 *
 * @module
 */

import { native } from "./_shm_names.ts";
import type { RegionLink } from "./_link.ts";

/** An open region as this module sees it. */
interface OpenRegion {
  readonly closed: boolean;
}

/** Open regions of this thread by name (the latest one opened). Weak: it keeps nothing alive. */
const openByName = new Map<string, WeakRef<OpenRegion>>();

/** Records `region`, just opened, as this thread's region `name`. */
export function rememberOpen(name: string, region: OpenRegion): void {
  openByName.set(name, new WeakRef(region));
}

/** Forgets `region`, being closed, if it is this thread's region `name`. */
export function forgetOpen(name: string, region: OpenRegion): void {
  if (openByName.get(name)?.deref() === region) openByName.delete(name);
}

/** The region `name` as this thread has it open (not closed), or `undefined`. */
export function openHere<T extends OpenRegion>(name: string): T | undefined {
  const region = openByName.get(name)?.deref();
  return region === undefined || region.closed ? undefined : region as T;
}

/** What the collector gets of a region: its pointer, and what a warning names. */
interface Dropped {
  readonly pointer: number;
  readonly name: string;
  /** Opened by the program (`SharedMemory.open`), not attached to rebuild a handle. */
  readonly opened: boolean;
}

let warned = false;

/**
 * Says once per thread that the program dropped a region it opened without closing it: each
 * open region holds a mapping (and a descriptor's worth of kernel state) until a collection
 * finds it, so a program that opens regions in a loop holds thousands of them. Regions attached
 * to rebuild a handle (in a Worker) are the library's own: unmapping them is not a leak.
 */
function warnDropped(name: string): void {
  if (warned) return;
  warned = true;
  const message = `a SharedMemory region (${JSON.stringify(name)}) was dropped without close(); ` +
    "the garbage collector unmapped it. Call close() or open it with `using` to release regions " +
    "at a known time (this warning is shown once).";
  const process = (globalThis as {
    process?: { emitWarning?(message: string, options: { type: string; code: string }): void };
  }).process;
  if (typeof process?.emitWarning === "function") {
    process.emitWarning(message, { type: "AtomicxWarning", code: "ATOMICX_REGION_DROPPED" });
  } else console.warn(`AtomicxWarning: ${message}`);
}

/**
 * Unmaps a region nobody can reach any more (neither its `SharedMemory` nor any of its atomics,
 * which all hold its link) and that was never closed — e.g. one a Worker attached to rebuild a
 * handle. Nothing can touch its memory then; a pending async waiter holds its own native reference.
 */
const unreachable = new FinalizationRegistry<Dropped>(({ pointer, name, opened }) => {
  native().atomicx_shm_close(pointer);
  if (opened) warnDropped(name);
});

/**
 * Unmaps `link`'s region once `link` is unreachable, unless {@link unmapNow} ran first; `opened`:
 * the program opened it (a warning then says it was dropped without `close()`).
 */
export function unmapWhenUnreachable(link: RegionLink, opened: boolean): void {
  unreachable.register(link, { pointer: link.pointer, name: link.name, opened }, link);
}

/**
 * Marks `link`'s region as attached by the library (to rebuild a handle): dropping it is no leak.
 */
export function attachedForHandle(link: RegionLink): void {
  unreachable.unregister(link);
  unmapWhenUnreachable(link, false);
}

/** Unmaps `link`'s region now (`close()`); the collector will not unmap it again. */
export function unmapNow(link: RegionLink): void {
  unreachable.unregister(link);
  native().atomicx_shm_close(link.pointer);
}
