/**
 * Locks and coordination: `Mutex`, `RwLock`, `Condition`, `Semaphore`, `Latch`, `Barrier`, `Once`, for
 * Workers (in-process) and, through `SharedMemory`, for processes of any runtime.
 *
 * The protocols share their helpers (`_words.ts` words, `_wait.ts` wait loops written once for
 * the blocking and async forms, `_config.ts` sizes, `_owner.ts` owners). What each class still
 * spells out alike — `from`, `handle`, and the guards' `unlock`/`[Symbol.dispose]`/
 * `[Symbol.asyncDispose]` — is public API with its own JSDoc example per class; a shared base
 * class would put an internal class into the public types for a few lines each.
 *
 * @module
 */

export { Mutex, MutexGuard } from "./mutex.ts";
export { RwLock, RwLockReadGuard, RwLockWriteGuard } from "./rwlock.ts";
export { Condition } from "./condition.ts";
export { Permit, Semaphore } from "./semaphore.ts";
export { Latch } from "./latch.ts";
export { Barrier, BrokenBarrierError } from "./barrier.ts";
export { Once } from "./once.ts";
export type { AbortSignalLike, WaitOptions } from "./_wait.ts";
export type { LockHandle, LockKind } from "../handle.ts";
