/**
 * A lease held on the server, renewed while held: a renewal every `leaseMs / 3`, and a watchdog
 * that aborts `signal` once `leaseMs` has passed since the last renewal the server confirmed was
 * sent (the server's own expiry cannot come earlier). A renewal the server refuses (the lease
 * expired and someone else took it) aborts at once.
 *
 * @module
 */

import { quietTimeout } from "./_timers.ts";

/** Lost-lease reasons are this error: `signal.reason.name === "LeaseLostError"`. */
function leaseLost(where: string, why: string): Error {
  const error = new Error(`${where}: the lease was lost (${why})`);
  error.name = "LeaseLostError";
  return error;
}

/** The renewal timer and watchdog of one hold. */
export class Lease {
  // Made on first use of `signal` (most holds never read it): an AbortController is the dearest
  // part of a hold.
  #controller: AbortController | undefined;
  #lost: Error | undefined;
  readonly #where: string;
  readonly #leaseMs: number;
  readonly #renew: () => Promise<boolean>;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * @param sentAt `performance.now()` when the acquiring command was sent
   * @param renew resolves true if the server extended the lease, false if it is no longer ours
   */
  constructor(where: string, sentAt: number, leaseMs: number, renew: () => Promise<boolean>) {
    this.#where = where;
    this.#leaseMs = leaseMs;
    this.#renew = renew;
    this.#arm(sentAt + leaseMs);
    this.#schedule();
  }

  /** Aborted when the lease is lost. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#lost) this.#controller.abort(this.#lost);
    }
    return this.#controller.signal;
  }

  #arm(validUntil: number): void {
    if (this.#watchdog !== undefined) clearTimeout(this.#watchdog);
    this.#watchdog = quietTimeout(
      () => this.#lose(`no renewal confirmed within ${this.#leaseMs} ms`),
      validUntil - performance.now(),
    );
  }

  #schedule(): void {
    this.#renewTimer = quietTimeout(() => void this.#tick(), this.#leaseMs / 3);
  }

  async #tick(): Promise<void> {
    const sentAt = performance.now();
    let ours: boolean | undefined;
    try {
      ours = await this.#renew();
    } catch {
      ours = undefined; // unreachable for now: the watchdog decides
    }
    if (this.#stopped) return;
    if (ours === false) return this.#lose("the server no longer has it: it expired");
    if (ours === true) this.#arm(sentAt + this.#leaseMs);
    this.#schedule();
  }

  #lose(why: string): void {
    if (this.#stopped) return;
    this.stop();
    this.#lost = leaseLost(this.#where, why);
    this.#controller?.abort(this.#lost);
  }

  /** Stops renewing (on release). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#watchdog);
  }
}
