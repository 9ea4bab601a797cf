/**
 * What an atomic living in a shared-memory region knows about that region: enough to refuse every
 * operation once the region is closed (before touching its memory).
 *
 * @module
 */

import type { RegionView } from "./_region_view.ts";

/** The per-thread state of an open region, shared by all of its atomics. */
export interface RegionLink {
  /** The region's name. */
  readonly name: string;
  /** The native pointer to the region's state in this process (what `atomicx_shm_*` take). */
  readonly pointer: number;
  /** Set by `close()`; every operation checks it first. */
  closed: boolean;
  /**
   * This thread's view of the mapping (src/_region_view.ts), where the runtime can detach one;
   * detached by `close()` before the region is unmapped.
   */
  readonly view: RegionView | undefined;
  /**
   * The region was opened with `allowForeignOwner`: handles of its atomics carry it, so that a
   * Worker attaching the region to rebuild one is not refused where this thread was allowed.
   */
  readonly allowForeignOwner: boolean;
  /** Rejecters of this region's pending `waitAsync` Promises, called by `close()`. */
  readonly pending: Set<(error: Error) => void>;
}

/** The `Error` for an operation on an atomic whose region was closed. */
export function regionClosed(where: string, link: RegionLink): Error {
  return new Error(
    `${where}: the shared-memory region ${
      JSON.stringify(link.name)
    } holding this atomic was closed; open it again (SharedMemory.open) to use its atomics`,
  );
}
