/**
 * A lease held on the server, renewed while held: a renewal every `leaseMs / 3`, and a local
 * deadline — `validUntil`, on this process's monotonic clock — of `leaseMs` minus a safety margin
 * after the last renewal the server confirmed was sent (the server's own expiry cannot come
 * earlier, unless its clock runs faster than ours by more than the margin). A renewal the server
 * refuses (the lease expired and someone else took it) ends the lease at once.
 *
 * The deadline is checked whenever anyone asks — `expired`, and `signal.aborted` /
 * `signal.throwIfAborted()` on the hold's own signal — as well as by a watchdog timer. So after an
 * event loop was blocked (or the process paused) past the deadline, the first code that asks on
 * resume sees the lease lost, even if its own timer runs before the watchdog's.
 *
 * @module
 */

import { quietTimeout } from "./_timers.ts";

/** The local deadline is this fraction of the lease earlier than the server's expiry… */
const DRIFT = 0.01;
/** …and at least this many milliseconds earlier. */
const MIN_MARGIN_MS = 2;

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
  readonly #margin: number;
  readonly #renew: () => Promise<boolean>;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #validUntil = 0;
  #stopped = false;

  /**
   * @param sentAt `performance.now()` when the acquiring command was sent
   * @param renew resolves true if the server extended the lease, false if it is no longer ours
   */
  constructor(where: string, sentAt: number, leaseMs: number, renew: () => Promise<boolean>) {
    this.#where = where;
    this.#leaseMs = leaseMs;
    this.#margin = Math.max(MIN_MARGIN_MS, leaseMs * DRIFT);
    this.#renew = renew;
    this.#arm(sentAt);
    // The first renewal a third of the lease after the grant was sent (a lock handed over while
    // its waiter slept was granted some time ago).
    this.#schedule(Math.max(0, sentAt + leaseMs / 3 - performance.now()));
  }

  /** `performance.now()` until which the lease is ours (0 once lost or released). */
  get validUntil(): number {
    this.check();
    return this.#lost || this.#stopped ? 0 : this.#validUntil;
  }

  /** True once the lease is lost: the local deadline passed, or the server refused a renewal. */
  get expired(): boolean {
    this.check();
    return this.#lost !== undefined;
  }

  /** Loses the lease now if its deadline has passed (the watchdog's check, run on demand). */
  check(): void {
    if (!this.#stopped && this.#lost === undefined && performance.now() >= this.#validUntil) {
      this.#lose(`no renewal confirmed within ${this.#leaseMs} ms`);
    }
  }

  /** Aborted when the lease is lost; reading `aborted` checks the deadline first. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      const signal = this.#controller.signal;
      if (this.#lost) this.#controller.abort(this.#lost);
      const proto = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")!;
      Object.defineProperties(signal, {
        aborted: { get: () => (this.check(), proto.get!.call(signal)) },
        throwIfAborted: {
          value: () => {
            this.check();
            AbortSignal.prototype.throwIfAborted.call(signal);
          },
        },
      });
    }
    this.check();
    return this.#controller.signal;
  }

  #arm(sentAt: number): void {
    this.#validUntil = sentAt + this.#leaseMs - this.#margin;
    this.#watch();
  }

  // A timer may fire a little before `performance.now()` reaches its time: then it waits again.
  #watch(): void {
    if (this.#watchdog !== undefined) clearTimeout(this.#watchdog);
    this.#watchdog = quietTimeout(() => {
      this.check();
      if (!this.#stopped) this.#watch();
    }, Math.max(1, this.#validUntil - performance.now()));
  }

  #schedule(ms = this.#leaseMs / 3): void {
    this.#renewTimer = quietTimeout(() => void this.#tick(), ms);
  }

  async #tick(): Promise<void> {
    this.check();
    if (this.#stopped) return;
    const sentAt = performance.now();
    let ours: boolean | undefined;
    try {
      ours = await this.#renew();
    } catch {
      ours = undefined; // unreachable for now: the deadline decides
    }
    if (this.#stopped) return;
    // A confirmation that arrives after the deadline passed does not revive the lease: someone
    // may already have acted on its loss.
    this.check();
    if (this.#stopped) return;
    if (ours === false) return this.#lose("the server no longer has it: it expired");
    if (ours === true) this.#arm(sentAt);
    this.#schedule();
  }

  #lose(why: string): void {
    if (this.#stopped) return;
    this.stop();
    this.#lost = leaseLost(this.#where, why);
    this.#controller?.abort(this.#lost);
  }

  /** Stops renewing (on release, or once lost). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#watchdog);
  }
}
