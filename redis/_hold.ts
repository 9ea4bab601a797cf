/**
 * What a mutex guard and a semaphore permit share: the fencing token, `ownerDied`, the lease
 * (renewed until released, `signal` aborted when lost) and a release that runs once.
 *
 * @module
 */

import { Lease } from "./_lease.ts";

/** What the acquire script granted. */
export interface Grant {
  readonly fencingToken: number;
  readonly ownerDied: boolean;
  /** `performance.now()` when the acquiring command was sent. */
  readonly sentAt: number;
}

/**
 * What a {@link RedisMutexGuard} and a {@link RedisPermit} have in common: the fencing token,
 * `ownerDied`, the lease's `signal` and `release()`.
 *
 * @example Checking the lease before a side effect
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const hold = await store.mutex("jobs").lockAsync();
 *   hold.signal.throwIfAborted(); // the lease was lost: stop
 *   console.log(hold.fencingToken > 0, hold.ownerDied); // true false
 *   await hold.release();
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisHold {
  /** Larger than the token of every earlier acquisition of this object, on every host. */
  readonly fencingToken: number;
  /** True if a previous holder's lease expired without a release (it died or was cut off). */
  readonly ownerDied: boolean;
  readonly #lease: Lease;
  readonly #release: () => Promise<unknown>;
  #released: Promise<void> | undefined;

  /** @internal made by the acquiring objects. */
  constructor(
    where: string,
    grant: Grant,
    leaseMs: number,
    renew: () => Promise<boolean>,
    release: () => Promise<unknown>,
  ) {
    this.fencingToken = grant.fencingToken;
    this.ownerDied = grant.ownerDied;
    this.#lease = new Lease(where, grant.sentAt, leaseMs, renew);
    this.#release = release;
  }

  /** Aborted when the lease is lost: no renewal confirmed for `leaseMs`, or taken over. */
  get signal(): AbortSignal {
    return this.#lease.signal;
  }

  /**
   * Stops renewing, releases on the server and wakes waiters on every host; later calls return
   * the first call's promise.
   */
  release(): Promise<void> {
    return this.#released ??= (async () => {
      this.#lease.stop();
      await this.#release();
    })();
  }
}
