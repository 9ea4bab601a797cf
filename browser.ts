/**
 * atomicx for web pages: the atomic classes, their arrays, the counters, every in-process lock
 * (`Mutex`, `RwLock`, `Condition`, `Semaphore`, `Latch`, `Barrier`, `Once`) and `info`,
 * shared with Workers, without the native library (no `SharedMemory`: a page cannot map named
 * shared memory). A page's main thread may not block: use the `…Async` forms there
 * (`lockAsync`, `acquireAsync`, …). The page must be cross-origin isolated (`Cross-Origin-Opener-Policy: same-origin`
 * and `Cross-Origin-Embedder-Policy: require-corp`), which is what gives it `SharedArrayBuffer`;
 * without it, importing this entry throws an `Error` naming both headers. The npm package's
 * `"browser"` export condition (with its own `types`) points here; on JSR it is
 * `@atomicx/atomicx/browser`.
 *
 * @example Counting from module Workers
 * Not run by the doc tests, which have no page and no `worker.js` beside it; type-checked as a
 * browser program instead (tests/e2e/examples.mjs).
 * ```ts ignore
 * import { AtomicInt } from "@atomicx/atomicx/browser"; // npm: "atomicx", a bundler picks this entry
 *
 * const hits = new AtomicInt(0);
 * const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
 * worker.postMessage(hits.handle); // the Worker: AtomicInt.from(event.data).inc()
 * console.log(await hits.waitAsync(0, 1_000)); // a page's main thread may only wait asynchronously
 * ```
 *
 * @module
 */

// First: a page without cross-origin isolation gets one clear error here, before any module that
// needs SharedArrayBuffer runs.
import "./src/_isolation.ts";

export { AtomicInt } from "./src/int.ts";
export { AtomicBigInt } from "./src/bigint.ts";
export { AtomicBool } from "./src/bool.ts";
export { AtomicFloat } from "./src/float.ts";
export type { AtomicHandle, AtomicKind, BufferHandle, RegionHandle } from "./src/handle.ts";
export type { WaitResult } from "./src/wait.ts";
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
export type { MemoryHandle } from "./src/handle.ts";
export type { WasmMemory } from "./engine/_webassembly.ts";
export {
  Barrier,
  Condition,
  Latch,
  Mutex,
  MutexGuard,
  Once,
  Permit,
  RwLock,
  RwLockReadGuard,
  RwLockWriteGuard,
  Semaphore,
} from "./src/locks/mod.ts";
export type { AbortSignalLike, LockHandle, LockKind, WaitOptions } from "./src/locks/mod.ts";
export { type AtomicxInfo, info } from "./src/_info_browser.ts";
