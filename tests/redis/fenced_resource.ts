/**
 * The README's fenced resource: a store that remembers the largest fencing token it accepted and
 * refuses writes carrying a smaller one — what makes a lease lock safe when a holder was paused
 * past its lease and still believes it holds the lock.
 *
 * @module
 */

/** A write a stale holder attempted after a newer holder wrote. */
export class StaleTokenError extends Error {
  override name = "StaleTokenError";
}

/** A resource that accepts a write only with a token at least as large as every earlier one. */
export class FencedResource {
  #highest = 0;
  readonly writes: { token: number; value: string }[] = [];

  /** Writes `value` on behalf of the holder of `token`; throws `StaleTokenError` if stale. */
  write(token: number, value: string): void {
    if (token < this.#highest) {
      throw new StaleTokenError(`token ${token} is older than ${this.#highest}: refused`);
    }
    this.#highest = token;
    this.writes.push({ token, value });
  }
}
