/**
 * The in-thread queue of async tasks: how tasks of one thread share a primitive without futex
 * traffic. An async acquisition belongs to the task that awaited it; while one task of this thread
 * has the primitive's turn (it holds it, or it is the one task of this thread waiting on its words),
 * the thread's other tasks wait here, first come first served, on plain promises. The task with the
 * turn runs the word protocol (`_words.ts`, `_wait.ts`) against other threads and processes;
 * passing the turn on hands it to the next task of this thread (which then takes the words again,
 * so other threads are never starved by a busy thread).
 *
 * The queues live on `globalThis` under a `Symbol.for` key, keyed by the primitive's memory place
 * and offset, so that two copies of the library in one thread (an ESM import beside a CommonJS
 * require, or two versions) queue their tasks in one line. They are plain data with a fixed
 * protocol for that reason: `busy`, and `waiting` (functions called once to hand over the turn).
 *
 * Re-entry — a task awaiting a turn it holds itself — is seen where the runtime has an
 * `AsyncLocalStorage` (Node, Deno, Bun) inside `runExclusive`: {@link holdsTurn}.
 *
 * @module
 */

import { builtinModule } from "../../engine/_runtime.ts";
import { atDeadline, checkAbort, type Deadline, lateError } from "./deadline.ts";
import type { Words } from "./_words.ts";

/** A primitive's queue of this thread's tasks. */
export interface TaskQueue {
  /** True while a task of this thread has the turn. */
  busy: boolean;
  /**
   * Set by a mutex holder that passes the turn on together with the words (nobody else waits
   * for them), for the next task to take them as they are; cleared by that task.
   */
  handed: boolean;
  /** Tasks waiting for the turn, first first: each is called once to hand it the turn. */
  readonly waiting: Array<() => void>;
}

interface Registry {
  readonly inMemory: WeakMap<object, Map<number | string, TaskQueue>>;
  readonly inRegions: Map<string, Map<number | string, TaskQueue>>;
}

const KEY = Symbol.for("atomicx.locks.taskQueues");
const registry: Registry =
  ((globalThis as unknown as Record<symbol, Registry | undefined>)[KEY] ??= {
    inMemory: new WeakMap(),
    inRegions: new Map(),
  });

/** The queue of the primitive on `words` (one per place and offset, shared by library copies). */
export function queueOf(words: Words): TaskQueue {
  const place = words.place;
  let table = typeof place === "string"
    ? registry.inRegions.get(place)
    : registry.inMemory.get(place);
  if (table === undefined) {
    table = new Map();
    if (typeof place === "string") registry.inRegions.set(place, table);
    else registry.inMemory.set(place, table);
  }
  let q = table.get(words.offset);
  if (q === undefined) table.set(words.offset, q = { busy: false, handed: false, waiting: [] });
  return q;
}

/**
 * Runs `onTurn` once this task has the turn — at once if no task of this thread has it, else
 * when the task before it passes the turn on (synchronously, inside that `passTurn`: no extra
 * promise hop) — and resolves with its result. Rejects with the `TimeoutError` or
 * `signal.reason` if the deadline passes or the signal aborts first, leaving the queue as it was.
 * If `onTurn` throws or rejects, the turn is passed on.
 */
export function withTurn<T>(
  q: TaskQueue,
  where: string,
  deadline: Deadline,
  onTurn: () => T | Promise<T>,
): Promise<T> {
  checkAbort(deadline);
  if (!q.busy) {
    q.busy = true;
    return run(q, onTurn);
  }
  const signal = deadline.signal;
  // Nothing can end this wait early: nothing to clean up.
  if (deadline.at === Infinity && signal === undefined) return lineUp(q, onTurn);
  return new Promise<T>((resolve, reject) => {
    const hand = handing(q, onTurn, resolve, reject);
    const go = () => {
      cancelTimer();
      signal?.removeEventListener("abort", quit);
      hand();
    };
    const quit = () => {
      const i = q.waiting.indexOf(go);
      if (i < 0) return;
      q.waiting.splice(i, 1);
      cancelTimer();
      signal?.removeEventListener("abort", quit);
      reject(lateError(where, deadline));
    };
    const cancelTimer = atDeadline(deadline, quit);
    signal?.addEventListener("abort", quit, { once: true });
    q.waiting.push(go);
  });
}

/**
 * Waits behind the task that has `q`'s turn (the caller checked it is taken) with no deadline or
 * signal; resolves with `onTurn()`'s result once handed the turn.
 */
export function lineUp<T>(q: TaskQueue, onTurn: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    q.waiting.push(handing(q, onTurn, resolve, reject));
  });
}

/**
 * What the previous task's `passTurn` calls: `onTurn()`, settling this task's promise directly
 * (no extra promise hop); the turn is passed on if it fails.
 */
function handing<T>(
  q: TaskQueue,
  onTurn: () => T | Promise<T>,
  resolve: (value: T) => void,
  reject: (error: unknown) => void,
): () => void {
  return () => {
    try {
      const r = onTurn();
      if (!(r instanceof Promise)) return resolve(r);
      r.then(resolve, (error) => {
        passTurn(q);
        reject(error);
      });
    } catch (error) {
      passTurn(q);
      reject(error);
    }
  };
}

/** `onTurn()` for a task that has the turn; the turn is passed on if it fails. */
function run<T>(q: TaskQueue, onTurn: () => T | Promise<T>): Promise<T> {
  try {
    const r = onTurn();
    if (!(r instanceof Promise)) return Promise.resolve(r);
    return r.catch((error) => {
      passTurn(q);
      throw error;
    });
  } catch (error) {
    passTurn(q);
    return Promise.reject(error);
  }
}

/** Waits for the turn (see {@link withTurn}). */
export function takeTurn(q: TaskQueue, where: string, deadline: Deadline): Promise<void> {
  return withTurn(q, where, deadline, noop);
}

const noop = () => {};

/** Hands the turn to the next waiting task of this thread, or frees it. */
export function passTurn(q: TaskQueue): void {
  const next = q.waiting.shift();
  if (next === undefined) q.busy = false;
  else next();
}

interface ContextStore {
  getStore(): readonly TaskQueue[] | undefined;
  run<R>(store: readonly TaskQueue[], fn: () => R): R;
}
const CONTEXT = Symbol.for("atomicx.locks.turnsHeld");
const Als = builtinModule<{ AsyncLocalStorage: new () => ContextStore }>("node:async_hooks")
  ?.AsyncLocalStorage;
/** The turns the current async context holds (inside `runExclusive`), where the runtime can tell. */
const turnsHeld: ContextStore | undefined = Als === undefined
  ? undefined
  : ((globalThis as unknown as Record<symbol, ContextStore | undefined>)[CONTEXT] ??= new Als());

/** Runs of `runHolding` not yet settled in this thread (all copies): none, nothing to look up. */
const RUNS = Symbol.for("atomicx.locks.runsHolding");
const runs = ((globalThis as unknown as Record<symbol, { n: number } | undefined>)[RUNS] ??= {
  n: 0,
});

/** True if the current async context runs inside a `runExclusive` holding `q`'s turn. */
export function holdsTurn(q: TaskQueue): boolean {
  return runs.n > 0 && (turnsHeld?.getStore()?.includes(q) ?? false);
}

/** Runs `fn` (awaiting its result) recorded as holding `q`'s turn in its async context. */
export async function runHolding<R>(q: TaskQueue, fn: () => R | PromiseLike<R>): Promise<R> {
  if (turnsHeld === undefined) return await fn();
  runs.n++;
  try {
    return await turnsHeld.run([...turnsHeld.getStore() ?? [], q], fn);
  } finally {
    runs.n--;
  }
}
