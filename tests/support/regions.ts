/**
 * Fresh shared-memory regions for cases: a name no other run uses, and a region that is closed
 * and unlinked whatever the case does.
 *
 * @module
 */

import { SharedMemory } from "../../mod.ts";

/** A region name no other test run uses (`tag` says which case made it). */
export function uniqueName(tag: string): string {
  return `atomicx-test-${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates a fresh region of `capacity` slots, runs `fn`, then closes and unlinks it. */
export async function withRegion(
  tag: string,
  fn: (region: SharedMemory, name: string) => void | Promise<void>,
  capacity = 8,
): Promise<void> {
  const name = uniqueName(tag);
  const region = SharedMemory.open(name, { capacity, only: "create" });
  try {
    await fn(region, name);
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
}
