/**
 * The wait loop of locks and semaphores, written once: try (one script), and when the object is
 * taken, sleep until a release is published or the holder's lease would end — no busy polling —
 * then try again; with `{ timeout, signal }` as every atomicx wait (`TimeoutError` DOMException,
 * `signal.reason` on abort). When the store closes, every wait rejects at once with the store's
 * `StoreClosedError`, and every timer of the wait is cleared.
 *
 * @module
 */

import {
  type AbortSignalLike,
  checkAbort,
  deadlineOf,
  timeoutError,
} from "../src/locks/deadline.ts";
import type { Wakes } from "./_wakes.ts";
import { quietTimeout } from "./_timers.ts";
import { QUEUE_REFRESH_MS } from "./_queue.ts";

/** What one try gave: the hold, or how long until the current holder's lease ends. */
export type Attempt<T> = { readonly held: T } | { readonly retryInMs: number };

/** How a waiter reads wake-up messages that may hand it the object. */
export interface HandOver<T> {
  /**
   * The hold, if `message` hands the object to this waiter (granted after `since`, when its last
   * failed try was sent); the wait then ends without another try.
   */
  handed(message: string, since: number): T | undefined;
  /**
   * Whether `message` should wake this waiter: one that hands the object to another waiter does
   * not (the object is taken; the waiter keeps its ticket for the next release).
   */
  wanted(message: string): boolean;
  /** The longest sleep between tries (a handed hold was granted after the last one was sent). */
  readonly maxSleepMs: number;
}

/** Longest sleep between tries when no subscription confirms that a release will wake us. */
const UNSUBSCRIBED_RETRY_MS = 250;

/**
 * Waits until `attempt` gets the object, the timeout passes or the signal aborts. A try still in
 * flight when the wait ends is not forgotten: if it got the object, `abandon` gives it back; and a
 * wait that ends without the object calls `leave` (out of the waiting line). Besides wake-ups, a
 * waiter tries at least every QUEUE_REFRESH_MS, which keeps its place in line.
 * A `timeout` shorter than the round trip still gets one try, of at most `attemptMs`.
 *
 * With `handOver`, a release may hand the object straight to the head of the line and say so in
 * its wake-up message: see {@link HandOver}.
 */
export async function waitToAcquire<T>(
  where: string,
  options: unknown,
  wakes: Wakes,
  channel: string,
  attemptMs: number,
  attempt: () => Promise<Attempt<T>>,
  abandon: (held: T) => void,
  leave: () => void,
  handOver?: HandOver<T>,
): Promise<T> {
  try {
    return await waitLoop(
      where,
      options,
      wakes,
      channel,
      attemptMs,
      attempt,
      abandon,
      handOver,
    );
  } catch (error) {
    leave(); // out of the waiting line, so that those behind are not held up
    throw error;
  }
}

async function waitLoop<T>(
  where: string,
  options: unknown,
  wakes: Wakes,
  channel: string,
  attemptMs: number,
  attempt: () => Promise<Attempt<T>>,
  abandon: (held: T) => void,
  handOver: HandOver<T> | undefined,
): Promise<T> {
  const deadline = deadlineOf(where, options);
  const signal = deadline.signal;
  const closed = wakes.closed;
  checkAbort(deadline);
  if (closed.aborted) throw closed.reason;
  const signals = signal === undefined ? [closed] : [signal, closed];
  const late = () => signal?.aborted ? signal.reason : closed.aborted ? closed.reason : undefined;
  const firstTryUntil = performance.now() + attemptMs;
  for (let tries = 0;; tries++) {
    // A ticket comes before the try, so a release after the try wakes us and one before it is
    // seen by it. The very first try of a store on this object takes none (subscribing is a round
    // trip: uncontended, a lock costs one script); if it fails, a ticket is taken and the next try
    // follows at once.
    const wake = tries === 0 && !wakes.listening(channel)
      ? undefined
      : await wakes.ticket(channel, handOver?.wanted);
    try {
      if (late() !== undefined) throw late();
      const until = tries === 0 ? Math.max(deadline.at, firstTryUntil) : deadline.at;
      const sentAt = performance.now();
      const tried = attempt();
      const result = await race(until, signals, tried);
      if (result === undefined) {
        tried.then((r) => "held" in r && abandon(r.held), () => {});
        throw late() ?? timeoutError(where);
      }
      if ("held" in result) return result.held;
      const left = deadline.at - performance.now();
      if (left <= 0) throw timeoutError(where);
      if (wake === undefined) continue;
      const cap = Math.min(
        handOver?.maxSleepMs ?? Infinity,
        wake.listening ? QUEUE_REFRESH_MS : UNSUBSCRIBED_RETRY_MS,
      );
      const sleep = Math.min(left, Math.max(1, result.retryInMs + 1), cap);
      const message = await race(performance.now() + sleep, signals, wake.ticket.promise);
      if (message !== undefined && handOver !== undefined) {
        const hold = handOver.handed(message, sentAt);
        if (hold !== undefined) {
          // Ours even if the wait just ended: give it back then.
          if (late() === undefined) return hold;
          abandon(hold);
        }
      }
      if (late() !== undefined) throw late();
    } finally {
      wake?.ticket.cancel();
    }
  }
}

/**
 * `promise`'s value (never undefined), or undefined when `until` passes or a signal aborts first;
 * either way no timer or listener is left behind. The shared `byDeadline` (src/locks/deadline.ts)
 * races one signal; this loop races two — the caller's and the store's `close()` — and its timers
 * never keep the process alive (a store's client does that while it is open).
 */
function race<V>(
  until: number,
  signals: readonly AbortSignalLike[],
  promise: Promise<V>,
): Promise<V | undefined> {
  return new Promise<V | undefined>((resolve, reject) => {
    const timer = until === Infinity
      ? undefined
      : quietTimeout(() => finish(() => resolve(undefined)), until - performance.now());
    const onAbort = () => finish(() => resolve(undefined));
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
      settle();
    }
    if (signals.some((s) => s.aborted)) return onAbort();
    promise.then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
  });
}
