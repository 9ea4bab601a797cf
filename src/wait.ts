/**
 * Waiting on an atomic in a `SharedMemory` region (the native futex): turning native result codes
 * into results or errors.
 *
 * @module
 */

import { Status, WaitCode } from "../ffi/_codes.ts";
import { startWait, type WaitKind } from "../ffi/_wait_async.ts";
import { regionClosed, type RegionLink } from "./_link.ts";

export type { WaitResult } from "../engine/_ops.ts";
import type { WaitResult } from "../engine/_ops.ts";

const results: Readonly<Record<number, WaitResult>> = {
  [WaitCode.OK]: "ok",
  [WaitCode.NOT_EQUAL]: "not-equal",
  [WaitCode.TIMED_OUT]: "timed-out",
};

/** The failure for a native status ≥ `WaitCode.FAILED` (see native/src/wait.rs). */
function waitFailure(where: string, code: number): Error {
  const status = code - WaitCode.FAILED;
  if (status === Status.UNSUPPORTED) return unsupported(where);
  return new Error(`${where}: the native wait failed (status ${code})`, {
    cause: { status, errno: status >= Status.OS_BASE ? status - Status.OS_BASE : undefined },
  });
}

/** `Error` for "no futex on this operating system". */
export function unsupported(where: string): Error {
  return new Error(
    `${where}: waiting is not supported on this platform (atomicx implements it with Linux futexes)`,
  );
}

/** The result for a native wait code; throws for a closed region or a failure. */
export function waitResult(where: string, code: number, link: RegionLink | undefined): WaitResult {
  const result = Object.hasOwn(results, code) ? results[code] : undefined;
  if (result !== undefined) return result;
  if (code === WaitCode.CLOSED && link) throw regionClosed(where, link);
  throw waitFailure(where, code);
}

/**
 * Starts an asynchronous wait; the Promise rejects at once if the region is closed while it is
 * pending (the native waiter lets go of the mapping on its next wake-up or timeout).
 */
export function waitAsyncOn(
  where: string,
  kind: WaitKind,
  address: number,
  expected: number,
  timeoutMs: number,
  link: RegionLink | undefined,
): Promise<WaitResult> {
  const started = startWait(kind, address, expected, timeoutMs, link?.pointer ?? 0);
  if (link === undefined) return started.then((code) => waitResult(where, code, link));
  return new Promise<WaitResult>((resolve, reject) => {
    link.pending.add(reject);
    started.then(
      (code) => {
        link.pending.delete(reject);
        try {
          resolve(waitResult(where, code, link));
        } catch (error) {
          reject(error);
        }
      },
      (error) => {
        link.pending.delete(reject);
        reject(error);
      },
    );
  });
}

/** The number woken, after checking the native result (−1: unsupported). */
export function notifyResult(where: string, woken: number): number {
  if (woken < 0) throw unsupported(where);
  return woken;
}
