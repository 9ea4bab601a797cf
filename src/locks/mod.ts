/**
 * Locks and coordination: `Mutex`, `RwLock`, `Condition`, `Semaphore`, `Latch`, `Barrier`, `Once`, for
 * Workers (in-process) and, through `SharedMemory`, for processes of any runtime.
 *
 * @module
 */

export { Mutex, MutexGuard } from "./mutex.ts";
export { RwLock, RwLockReadGuard, RwLockWriteGuard } from "./rwlock.ts";
export { Condition } from "./condition.ts";
export { Permit, Semaphore } from "./semaphore.ts";
export { Latch } from "./latch.ts";
export { Barrier } from "./barrier.ts";
export { Once } from "./once.ts";
export type { AbortSignalLike, WaitOptions } from "./_wait.ts";
export type { LockHandle, LockKind } from "./_words.ts";
