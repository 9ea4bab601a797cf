/**
 * The part of the WebAssembly JavaScript API the engine uses, typed here: TypeScript declares
 * `WebAssembly` only in its DOM library, and the package's types must not need that (a Node or
 * Deno project compiles with `lib: ["ES2022"]` alone). A real `WebAssembly.Memory` fits
 * {@link WasmMemory}, so user code passes one without a cast.
 *
 * @module
 */

/**
 * A WebAssembly memory as atomicx's types name it (`WebAssembly.Memory` fits it), so that the
 * package's types need no DOM library.
 *
 * @example
 * ```ts
 * import { AtomicInt, type WasmMemory } from "@atomicx/atomicx";
 *
 * const handle = new AtomicInt().handle;
 * const memory: WasmMemory | undefined = handle.memory; // the process's shared memory
 * console.log(memory?.buffer instanceof SharedArrayBuffer); // true
 * ```
 */
export interface WasmMemory {
  /** The memory's bytes (a SharedArrayBuffer for a shared memory). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows the memory by `delta` 64 KiB pages; returns the previous size in pages. */
  grow(delta: number): number;
}

interface WebAssemblyApi {
  Memory: {
    new (descriptor: { initial: number; maximum?: number; shared?: boolean }): WasmMemory;
    prototype: WasmMemory;
  };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The runtime's `WebAssembly` namespace. */
export const WebAssemblyApi: WebAssemblyApi =
  (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** `Atomics.waitAsync` (ES2024), typed for code compiled against an older library. */
export const atomicsWaitAsync = (Atomics as unknown as {
  waitAsync(
    view: Int32Array | BigInt64Array,
    index: number,
    value: number | bigint,
    timeoutMs: number,
  ): { async: boolean; value: string | Promise<string> };
}).waitAsync;
