/**
 * What a mutex guard and a semaphore permit share: the fencing token, `ownerDied`, the lease
 * (renewed until released; `expired`, `validUntil` and `signal` tell when it is lost) and a
 * release that runs once and tells whether the lease had been kept.
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
 *   if (hold.expired) throw new Error("the lease was lost: stop");
 *   console.log(hold.fencingToken > 0, hold.ownerDied); // true false
 *   console.log(await hold.release()); // true: the lease was kept until the release
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
  readonly #release: () => Promise<boolean>;
  #released: Promise<boolean> | undefined;

  /** @internal made by the acquiring objects. */
  constructor(
    where: string,
    grant: Grant,
    leaseMs: number,
    renew: () => Promise<boolean>,
    release: () => Promise<boolean>,
  ) {
    this.fencingToken = grant.fencingToken;
    this.ownerDied = grant.ownerDied;
    this.#lease = new Lease(where, grant.sentAt, leaseMs, renew);
    this.#release = release;
  }

  /**
   * Aborted when the lease is lost: no renewal confirmed within the lease (less a safety margin
   * of 1 %, at least 2 ms), or the server no longer has it. Reading `signal.aborted` (or calling
   * `signal.throwIfAborted()`) checks the local deadline first, so it is true at once after the
   * event loop was blocked past the deadline.
   */
  get signal(): AbortSignal {
    return this.#lease.signal;
  }

  /**
   * Whether the lease is lost, checked now against the local monotonic clock: ask it just before
   * a write. False until the deadline (`validUntil`) passes or the server refuses a renewal.
   */
  get expired(): boolean {
    return this.#lease.expired;
  }

  /**
   * The `performance.now()` until which the lease is surely ours (the server cannot expire it
   * earlier); 0 once lost or released.
   */
  get validUntil(): number {
    return this.#lease.validUntil;
  }

  /**
   * Stops renewing, releases on the server and wakes waiters on every host. Resolves `true` if the
   * lease was kept until the release, `false` if it had been lost (the local deadline passed, or
   * the server no longer had it: it expired, or the server lost its data) — writes made under a
   * lost lease were not protected by it. Later calls return the first call's promise.
   */
  release(): Promise<boolean> {
    return this.#released ??= (async () => {
      const kept = !this.#lease.expired;
      this.#lease.stop();
      return (await this.#release()) && kept;
    })();
  }
}

/**
 * Lua for the next fencing token after `last` (a stored string, or nil when the key is gone; `t`
 * the script's `TIME` if it has one):
 * `max(last + 1, the server's TIME in µs since the epoch)`. The floor keeps tokens increasing
 * when the stored one is lost — a restart without persistence, `FLUSHALL`/`FLUSHDB`, an evicted
 * or deleted key, a failover to a replica that missed the last write — on one assumption: the
 * clock of the server that grants after the loss reads later than the clock of the server that
 * granted the last token did at the time (no step back across a restart; replicas' clocks in
 * sync to within the failover's own duration, seconds — NTP keeps them within milliseconds).
 * Tokens stay below 2^53 (µs since 1970 reach it in the year 2255) and are exact in every client.
 */
export const NEXT_FENCE = `
local function nextFence(last, t)
  t = t or redis.call('TIME')
  local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local f = tonumber(last or '0') + 1
  if f < floor then f = floor end
  return f
end
`;
