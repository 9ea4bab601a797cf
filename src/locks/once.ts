/**
 * `Once`: runs a function once across Workers or processes.
 *
 * Protocol: word 0 is `0` new, `DONE` (−1) done, else the runner's id (`words.me`: the thread
 * token in-process, the pid in a region, where words 1–3 name the thread and process start time)
 * while it runs. Others sleep until the word leaves the running state (the one wait loop of
 * `_wait.ts`). A run that throws resets the word to 0 (a later `run` tries again); a region runner
 * that died is taken over by a waiter whose sleep ran out, which runs `fn` again and sets word 4
 * (`ranAfterOwnerDied`).
 *
 * Re-entry: `run` from inside its own `fn` (or while this thread runs it through `runAsync`) is
 * an `Error`, not a wait for itself. `runAsync` from inside its own `fn` is told apart from a
 * concurrent `runAsync` of the same thread by an `AsyncLocalStorage` (Deno, Bun, Node), and, where
 * there is none (browsers), only within the synchronous part of `fn`.
 *
 * Its `from`/`handle` are spelled out alike in every primitive on purpose: see `mod.ts`.
 *
 * @module
 */

import { describe } from "../_errors.ts";
import { builtinModule } from "../../engine/_runtime.ts";
import { type Acquire, FOREVER, Sleep, waitFor, waitForAsync } from "./_wait.ts";
import { givenWords, newWords, type Words } from "./_words.ts";
import { construct } from "../_storage.ts";
import type { LockHandle } from "../handle.ts";
import { wordsFromHandle } from "../_from_handle.ts";

const STATE = 0;
const RERUN = 4;
const DONE = -1;

/** The once-cell on `words`. */
export function onceOn(words: Words): Once {
  return construct(Once, [], words);
}

/** Where a cell's words are: what "this context runs it" is recorded by. */
type Place = readonly [object | string, number | string];

interface ContextStore {
  getStore(): readonly Place[] | undefined;
  run<R>(store: readonly Place[], fn: () => R): R;
}
const Als = builtinModule<{ AsyncLocalStorage: new () => ContextStore }>("node:async_hooks")
  ?.AsyncLocalStorage;
/** The cells whose `fn` the current async context runs (where the runtime can tell). */
const running: ContextStore | undefined = Als === undefined ? undefined : new Als();
/** The cells whose `fn` this thread runs synchronously right now. */
const runningSync: Place[] = [];

function isRunningHere(w: Words): boolean {
  const has = (list: readonly Place[] | undefined) =>
    list?.some(([place, offset]) => place === w.place && offset === w.offset) ?? false;
  return has(runningSync) || has(running?.getStore());
}

/** Calls `fn` recorded as running `w` in this context. */
function callRunning<R>(w: Words, fn: () => R): R {
  const place: Place = [w.place, w.offset];
  runningSync.push(place);
  try {
    return running === undefined ? fn() : running.run([...running.getStore() ?? [], place], fn);
  } finally {
    runningSync.splice(runningSync.lastIndexOf(place), 1);
  }
}

function reentry(where: string): Error {
  return new Error(
    `${where}: called from inside its own function (or while this thread runs it): waiting ` +
      "for itself would deadlock",
  );
}

/**
 * Claims the run: "run" (this caller runs `fn`), "done", or a sleep. `sameThread` decides what a
 * run already held by this thread means: an error (re-entry) or a wait.
 */
function claimRules(
  w: Words,
  where: string,
  sameThreadWaits: () => boolean,
): Acquire<"run" | "done"> {
  return {
    attempt() {
      const s = w.compareExchange(STATE, 0, w.me);
      if (s === 0) {
        w.claim();
        return "run";
      }
      if (s === DONE) return "done";
      if (w.heldHere(s) && !sameThreadWaits()) throw reentry(where);
      return new Sleep(STATE, s);
    },
    onSlice() {
      const s = w.load(STATE);
      if (s === 0 || s === DONE || !w.takeOverDead(s, w.me)) return undefined;
      w.claim();
      w.store(RERUN, 1);
      return "run";
    },
  };
}

/** Ends a run: done, or back to new (a later run tries again); wakes the waiters. */
function finish(w: Words, ok: boolean): void {
  w.unclaim();
  w.store(STATE, ok ? DONE : 0);
  w.notify(STATE, Infinity);
}

function isThenable(x: unknown): boolean {
  return (typeof x === "object" || typeof x === "function") && x !== null &&
    typeof (x as { then?: unknown }).then === "function";
}

/**
 * A one-time initialisation.
 *
 * @example
 * ```ts
 * import { Once } from "@atomicx/atomicx";
 *
 * const init = new Once(); // share init.handle
 * console.log(init.run(() => console.log("setting up"))); // true: ran here
 * console.log(init.run(() => {}), init.done); // false true
 * ```
 */
export class Once {
  readonly #w: Words;

  /** A new in-process once-cell. */
  constructor();
  constructor(words?: unknown) {
    this.#w = givenWords(words) ?? newWords("once");
  }

  /**
   * The once-cell a handle names.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * const again = Once.from(new Once().handle);
   * ```
   */
  static from(handle: LockHandle<"once">): Once {
    return onceOn(wordsFromHandle("Once.from", "once", handle));
  }

  /** Plain data naming this once-cell. */
  get handle(): LockHandle<"once"> {
    return this.#w.handle as LockHandle<"once">;
  }

  /** True once a run finished without throwing. */
  get done(): boolean {
    return this.#w.load(STATE) === DONE;
  }

  /**
   * True if a runner died while running `fn` (a process or thread sharing a region) and `fn` was
   * then run again by another caller: whatever the dead run had half done is still there.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * const once = new Once();
   * once.run(() => {});
   * console.log(once.ranAfterOwnerDied); // false
   * ```
   */
  get ranAfterOwnerDied(): boolean {
    return this.#w.load(RERUN) === 1;
  }

  /**
   * Runs `fn` if no run has finished yet; otherwise waits for the running one. Returns true for
   * the caller that ran it. If `fn` throws, the error goes to this caller and a later `run` tries
   * again.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * const once = new Once();
   * once.run(() => {}); // true
   * ```
   * @throws {TypeError} if `fn` is not a function, or is async or returns a thenable (the run then
   * counts as failed: use `runAsync`); whatever `fn` throws
   * @throws {Error} if called from inside its own `fn` (or while this thread runs it)
   */
  run(fn: () => void): boolean {
    const where = "Once.run";
    if (typeof fn !== "function") {
      throw new TypeError(`${where}: expected a function, got ${describe(fn)}`);
    }
    if (fn.constructor?.name === "AsyncFunction") {
      throw new TypeError(`${where}: fn is an async function; use runAsync`);
    }
    const w = this.#w;
    if (waitFor(w, where, FOREVER, claimRules(w, where, () => false)) === "done") return false;
    let result: unknown;
    try {
      result = callRunning(w, fn);
    } catch (error) {
      finish(w, false);
      throw error;
    }
    if (isThenable(result)) {
      finish(w, false);
      throw new TypeError(`${where}: fn returned a Promise (or thenable); use runAsync`);
    }
    finish(w, true);
    return true;
  }

  /**
   * As {@link Once.run} for an async `fn`, without blocking the event loop: resolves once the run
   * (this one, or another caller's) has settled.
   *
   * @example
   * ```ts
   * import { Once } from "@atomicx/atomicx";
   *
   * await new Once().runAsync(async () => {}); // true
   * ```
   * @throws {Error} (rejects) if called from inside its own `fn`
   */
  async runAsync(fn: () => unknown): Promise<boolean> {
    const where = "Once.runAsync";
    if (typeof fn !== "function") {
      throw new TypeError(`${where}: expected a function, got ${describe(fn)}`);
    }
    const w = this.#w;
    // Another runAsync of this thread is running it: wait, unless this call is inside that run.
    const rules = claimRules(w, where, () => !isRunningHere(w));
    if ((await waitForAsync(w, where, FOREVER, rules)) === "done") return false;
    try {
      await callRunning(w, fn);
    } catch (error) {
      finish(w, false);
      throw error;
    }
    finish(w, true);
    return true;
  }
}
