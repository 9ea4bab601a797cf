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

/** A hold's state: its lease and its one release. */
export class Hold {
  readonly fencingToken: number;
  readonly ownerDied: boolean;
  readonly #lease: Lease;
  readonly #release: () => Promise<unknown>;
  #released: Promise<void> | undefined;

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

  get signal(): AbortSignal {
    return this.#lease.signal;
  }

  /** Stops renewing and releases on the server; later calls return the first call's promise. */
  release(): Promise<void> {
    return this.#released ??= (async () => {
      this.#lease.stop();
      await this.#release();
    })();
  }
}
