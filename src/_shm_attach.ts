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

/**
 * Unmaps a region nobody can reach any more (neither its `SharedMemory` nor any of its atomics,
 * which all hold its link) and that was never closed — e.g. one a Worker attached to rebuild a
 * handle. Nothing can touch its memory then; a pending async waiter holds its own native reference.
 */
const unreachable = new FinalizationRegistry<number>((pointer) => {
  native().atomicx_shm_close(pointer);
});

/** Unmaps `link`'s region once `link` is unreachable, unless {@link unmapNow} ran first. */
export function unmapWhenUnreachable(link: RegionLink): void {
  unreachable.register(link, link.pointer, link);
}

/** Unmaps `link`'s region now (`close()`); the collector will not unmap it again. */
export function unmapNow(link: RegionLink): void {
  unreachable.unregister(link);
  native().atomicx_shm_close(link.pointer);
}
