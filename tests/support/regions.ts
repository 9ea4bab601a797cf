/**
 * Fresh shared-memory regions for cases: a name no other run uses, and a region that is closed
 * and unlinked whatever the case does.
 *
 * @module
 */

import { tmpdir } from "node:os";
import process from "node:process";
import { SharedMemory } from "../../mod.ts";

/**
 * The file behind region `name`, for cases that write it as another program would: `/dev/shm/<name>`
 * on Linux; on Windows `%TEMP%\atomicx\r-<name>` with every byte other than `[a-z0-9_-]` written
 * `%XX` (as `native/src/sys/windows.rs` names it; the names cases use are short).
 */
export function regionFile(name: string): string {
  if (process.platform !== "win32") return `/dev/shm/${name}`;
  const encoded = [...new TextEncoder().encode(name)].map((b) =>
    /[a-z0-9_-]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, "0")}`
  ).join("");
  return `${tmpdir()}\\atomicx\\r-${encoded}`;
}

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
