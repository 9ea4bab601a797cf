/**
 * The readable form of an atomic in `console.log` on every runtime, and the shared non-hot
 * methods of the four classes.
 *
 * @module
 */

import type { AtomicHandle } from "./handle.ts";

/** Node's and Bun's custom-inspect hook. */
const nodeInspect = Symbol.for("nodejs.util.inspect.custom");
/** Deno's custom-inspect hook. */
const denoInspect = Symbol.for("Deno.customInspect");

/**
 * What the four classes share: a handle, and conversions that read the current value. The
 * operations themselves live in each class, so every call site stays monomorphic (which is what
 * lets the runtimes turn it into a direct fast FFI call).
 *
 * Not exported from `mod.ts` (an implementation detail); what every class inherits from it —
 * `valueOf()`, `toString()` and the `console.log` form — is described in each class's docs.
 *
 * @internal
 */
export abstract class AtomicBase<T> {
  /** Reads the current value. */
  abstract load(): T;
  /** Where this atomic lives; send it to a Worker and rebuild it there with `from`. */
  abstract get handle(): AtomicHandle;

  /** The current value, so that `+atomic` and comparisons read it. */
  valueOf(): T {
    return this.load();
  }

  /** The current value as a string. */
  toString(): string {
    return String(this.load());
  }

  /** `AtomicInt(5)`: the class name and the current value. */
  [nodeInspect](): string {
    return this.#display();
  }

  /** `AtomicInt(5)`: the class name and the current value. */
  [denoInspect](): string {
    return this.#display();
  }

  #display(): string {
    const value = this.load();
    const shown = typeof value === "bigint"
      ? `${value}n`
      : Object.is(value, -0)
      ? "-0"
      : String(value);
    return `${this.constructor.name}(${shown})`;
  }
}
