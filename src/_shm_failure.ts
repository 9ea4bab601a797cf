/**
 * The text of every way a native region call can fail, as the `Error` a caller gets.
 *
 * @module
 */

import { Errno, Status } from "../ffi/_codes.ts";
import { LAYOUT_VERSION } from "./_shm_layout.ts";

/** `"an int"`, `"a bool"`. */
export function article(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}

/** The `Error` for a failed native call on the region `name` (`detail`: the call's `out[2]`). */
export function failure(where: string, name: string, code: number, detail: number): Error {
  const quoted = JSON.stringify(name);
  switch (code) {
    case Status.UNSUPPORTED:
      return new Error(
        `${where}: named shared memory is not supported on this platform (atomicx implements it ` +
          "on Linux with POSIX shared memory and futexes)",
      );
    case Status.EXISTS:
      return new Error(`${where}: a region named ${quoted} exists already (only: "create")`);
    case Status.NOT_FOUND:
      return new Error(`${where}: there is no region named ${quoted} (only: "attach")`);
    case Status.NOT_ATOMICX:
      return new Error(
        `${where}: the shared-memory object ${quoted} is not an atomicx region (its header or ` +
          "directory holds values atomicx never writes: no magic value, an impossible size, or " +
          "an entry outside the region); refusing to use it",
      );
    case Status.LAYOUT_VERSION:
      return new Error(
        `${where}: the region ${quoted} has layout version ${detail}, but this atomicx reads ` +
          `layout version ${LAYOUT_VERSION}; open it with a matching atomicx, or use another name`,
      );
    case Status.NOT_INITIALISED:
      return new Error(
        `${where}: the region ${quoted} was never initialised (its creator may have died while ` +
          "creating it); remove it with SharedMemory.unlink and create it again",
      );
    case Status.FOREIGN_OWNER:
      return new Error(
        `${where}: the region ${quoted} belongs to another user (uid ${detail}); refusing to ` +
          "attach, since its owner could change or truncate it under this process. Pass " +
          "{ allowForeignOwner: true } if you trust that user",
      );
    case Status.NOT_REGULAR_FILE:
      return new Error(
        `${where}: ${quoted} is not a regular shared-memory file (a symbolic link, FIFO, ` +
          "directory or device has that name); refusing to open it",
      );
    case Status.TOO_SHORT:
      return new Error(
        `${where}: the region ${quoted} is shorter than its header says (its file was ` +
          "truncated); refusing to map it. Remove it with SharedMemory.unlink and create it again",
      );
    default: {
      const errno = code >= Status.OS_BASE ? code - Status.OS_BASE : undefined;
      const hint = errno === Errno.EACCES
        ? ": permission denied (regions are owner-only unless created with other permissions)"
        : errno === Errno.ENOSPC
        ? ": no space left for it in shared memory (/dev/shm is full)"
        : errno === Errno.EMFILE
        ? ": too many open files"
        : "";
      return new Error(`${where}: failed on ${quoted} (status ${code})${hint}`, {
        cause: { status: code, errno },
      });
    }
  }
}

/**
 * The error for claiming the entry `slot` (`what`: "an int", "an intArray of 4 elements") of the
 * region `region` that came back with `code`, or `undefined` for a code that is not about the
 * entry (then {@link failure} applies). `detail` is the call's `out[2]`; `capacity` the region's.
 */
export function claimFailure(
  where: string,
  region: string,
  slot: string,
  code: number,
  detail: number,
  want: {
    readonly kind: string;
    readonly what: string;
    readonly slots: number;
    readonly length: number;
  },
  capacity: number,
  heldKind: string | undefined,
): Error | undefined {
  const quoted = `the slot ${JSON.stringify(slot)} of region ${JSON.stringify(region)}`;
  switch (code) {
    case Status.KIND_MISMATCH:
      return new TypeError(
        `${where}: ${quoted} holds ${article(heldKind ?? "?")}, not ${article(want.kind)}`,
      );
    case Status.LENGTH_MISMATCH:
      return new RangeError(
        `${where}: ${quoted} holds ${
          article(want.kind)
        } of length ${detail}, not ${want.length}; ` +
          "every process must open it with the same length",
      );
    case Status.CLAIM_STUCK:
      return new Error(
        `${where}: ${quoted} could not be added: directory entry ${detail} has been claimed for ` +
          "too long by a process that is alive but does not finish (stopped, or in another pid " +
          "namespace)",
      );
    case Status.FULL:
      return new RangeError(
        `${where}: the region ${
          JSON.stringify(region)
        } is full: ${want.what} needs ${want.slots} ` +
          `slot${want.slots === 1 ? "" : "s"} but ${detail} of its ${capacity} are free; open ` +
          "a new region with a larger capacity",
      );
    default:
      return undefined;
  }
}
