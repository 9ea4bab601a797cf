/**
 * Wake-ups for waiters on locks and semaphores, by pub/sub: a release publishes on the object's
 * channel, and every waiter of this store on that channel wakes and tries again. One subscriber
 * connection per store (a duplicate of the user's client), opened on first use.
 *
 * No wake-up is lost: a waiter takes its ticket before it tries, so a release after the try wakes
 * it; a release before the try is seen by the try. A message lost while the subscriber
 * reconnects only delays a waiter until its next timed retry (the holder's lease end).
 *
 * @module
 */

import type { Connection, Subscriber } from "./_client.ts";

/** A pending wake-up: `promise` resolves with the next message of its channel. */
export interface Ticket {
  readonly promise: Promise<string>;
  /** Forgets the ticket (its promise then never resolves). */
  cancel(): void;
}

/** Which messages wake a ticket (all when not given). */
export type Wanted = (message: string) => boolean;

/** The subscriber connection of one store and the tickets waiting on its channels. */
export class Wakes {
  readonly #conn: Connection;
  #subscriber: Promise<Subscriber> | undefined;
  readonly #closing = new AbortController();
  readonly #subscribed = new Map<string, Promise<boolean>>();
  readonly #confirmed = new Set<string>();
  readonly #tickets = new Map<string, Map<(message: string) => void, Wanted | undefined>>();

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** Aborted by `close()`, with a `StoreClosedError`: every pending wait rejects with it. */
  get closed(): AbortSignal {
    return this.#closing.signal;
  }

  #deliver = (channel: string, message: string): void => {
    const tickets = this.#tickets.get(channel);
    if (tickets === undefined) return;
    for (const [wake, wanted] of tickets) {
      if (wanted !== undefined && !wanted(message)) continue;
      tickets.delete(wake);
      wake(message);
    }
    if (tickets.size === 0) this.#tickets.delete(channel);
  };

  /**
   * A ticket for the next message on `channel` (the next one `wanted` accepts), and whether the subscription is confirmed (when
   * not — no subscriber connection — the caller retries on its timer alone).
   */
  async ticket(
    channel: string,
    wanted?: Wanted,
  ): Promise<{ ticket: Ticket; listening: boolean }> {
    let wake!: (message: string) => void;
    const promise = new Promise<string>((resolve) => (wake = resolve));
    let set = this.#tickets.get(channel);
    if (set === undefined) this.#tickets.set(channel, set = new Map());
    set.set(wake, wanted);
    const ticket = { promise, cancel: () => void this.#tickets.get(channel)?.delete(wake) };
    return { ticket, listening: await this.#subscribe(channel) };
  }

  #subscribe(channel: string): Promise<boolean> {
    if (this.#closing.signal.aborted) return Promise.resolve(false); // no new connection now
    let done = this.#subscribed.get(channel);
    if (done === undefined) {
      const subscriber = this.#subscriber ??= this.#conn.subscriber(this.#deliver);
      done = subscriber.then((s) => s.subscribe(channel)).then(() => {
        this.#confirmed.add(channel);
        return true;
      }, () => {
        // Try again on the next wait, with a new connection if this one never opened.
        this.#subscribed.delete(channel);
        subscriber.catch(() => {
          if (this.#subscriber === subscriber) this.#subscriber = undefined;
        });
        return false;
      });
      this.#subscribed.set(channel, done);
    }
    return done;
  }

  /** Whether a subscription to `channel` is confirmed (a ticket then costs no round trip). */
  listening(channel: string): boolean {
    return this.#confirmed.has(channel);
  }

  /** Ends every pending wait (a `StoreClosedError`) and closes the subscriber connection. */
  async close(): Promise<void> {
    const subscriber = this.#subscriber;
    if (!this.#closing.signal.aborted) {
      const error = new Error(
        "RedisStore.close: the store was closed; waits for its locks and semaphores end",
      );
      error.name = "StoreClosedError";
      this.#closing.abort(error);
    }
    this.#tickets.clear();
    this.#subscriber = undefined;
    this.#subscribed.clear();
    this.#confirmed.clear();
    if (subscriber) await subscriber.then((s) => s.close(), () => {});
  }
}
