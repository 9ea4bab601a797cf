/**
 * atomicx: typed atomics — `AtomicInt`, `AtomicBigInt`, `AtomicBool`, `AtomicFloat` — that work the
 * same on Deno, Bun and Node, shared between Workers (each operation one call into a small
 * WebAssembly module) and, through `SharedMemory`, between processes (a small native library).
 *
 * @example
 * ```ts
 * import { AtomicInt } from "@atomicx/atomicx";
 *
 * const counter = new AtomicInt();
 * counter.inc();
 * // Hand it to a Worker: worker.postMessage(counter.handle);
 * // and there: const same = AtomicInt.from(event.data);
 * console.log(counter.load()); // 1
 * ```
 *
 * @module
 */

export { AtomicInt } from "./src/int.ts";
export { AtomicBigInt } from "./src/bigint.ts";
export { AtomicBool } from "./src/bool.ts";
export { AtomicFloat } from "./src/float.ts";
export type {
  AtomicHandle,
  AtomicKind,
  BufferHandle,
  MemoryHandle,
  RegionHandle,
} from "./src/handle.ts";
export type { Atomic } from "./src/atomic.ts";
export { type AtomicxInfo, info } from "./src/info.ts";
export type { EngineName } from "./engine/mod.ts";
export type { WasmMemory } from "./engine/_webassembly.ts";
export {
  type RegionEntry,
  type RegionEntryKind,
  SharedMemory,
  type SharedMemoryOptions,
} from "./src/shm.ts";
export type { WaitResult } from "./src/wait.ts";
export { RegionRateLimiter, type RegionRateLimiterOptions } from "./src/rate_limiter.ts";
export type { RateDecision } from "./src/rate_decision.ts";
export { AtomicIntArray } from "./src/arrays/int.ts";
export { AtomicBigIntArray } from "./src/arrays/bigint.ts";
export { AtomicBoolArray } from "./src/arrays/bool.ts";
export { AtomicFloatArray } from "./src/arrays/float.ts";
export type {
  ArrayHandle,
  ArrayKind,
  MemoryArrayHandle,
  RegionArrayHandle,
} from "./src/arrays/_base.ts";
export { Counter, type CounterHandle, FloatCounter } from "./src/counter.ts";
export {
  type AbortSignalLike,
  Barrier,
  BrokenBarrierError,
  Condition,
  Latch,
  type LockHandle,
  type LockKind,
  Mutex,
  MutexGuard,
  Once,
  Permit,
  RwLock,
  RwLockReadGuard,
  RwLockWriteGuard,
  Semaphore,
  type WaitOptions,
} from "./src/locks/mod.ts";
