// A token bucket per key, shared by every process that opens the same region, in one word per key:
// GCRA (the generic cell rate algorithm). A bucket of `limit` tokens refilled at `limit` per
// `windowMs` is the same thing as a "theoretical arrival time" (TAT): the instant at which the
// bucket would be full again. A request at `now` is allowed when
//
//     max(TAT, now) + interval - now <= limit * interval        (interval = windowMs / limit)
//
// and then moves TAT to `max(TAT, now) + interval`. That update is one `compareExchange` on an
// `AtomicInt` holding TAT in microseconds: two processes deciding at once cannot both take the last
// token — one of them sees the other's TAT and decides again. No lock, no IPC, no Redis.
//
// The clock is the wall clock in microseconds (`performance.timeOrigin + performance.now()`),
// which every process on the machine shares; processes disagreeing by a few microseconds about
// "now" only shift when a token comes back by that much.
import type { AtomicInt, SharedMemory } from "../../mod.ts";

/**
 * The decision on one request.
 *
 * @example
 * ```ts
 * const { allowed, remaining, retryAfterMs }: Decision = limiter.take("client-42");
 * ```
 */
export interface Decision {
  /** Whether the request may proceed (a token was taken). */
  readonly allowed: boolean;
  /** Tokens left after this decision (whole tokens). */
  readonly remaining: number;
  /** When denied: milliseconds until a token is back; 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Options of {@link RegionRateLimiter}.
 *
 * @example
 * ```ts
 * const options: RateLimitOptions = { limit: 100, windowMs: 60_000 }; // 100 a minute
 * ```
 */
export interface RateLimitOptions {
  /** Tokens in a full bucket: requests allowed at once, and per window. */
  readonly limit: number;
  /** The window in milliseconds: a whole bucket refills in this time. */
  readonly windowMs: number;
}

/**
 * Longest key in UTF-8 bytes (a slot name has at most 48; the prefix takes 3).
 *
 * @example
 * ```ts
 * if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) key = key.slice(0, 12); // or a hash
 * ```
 */
export const MAX_KEY_BYTES = 45;
const encoder = new TextEncoder();

/**
 * Microseconds since the epoch, on a clock every process of the machine shares.
 *
 * @example
 * ```ts
 * const limiter = new RegionRateLimiter(region, { limit: 10, windowMs: 1000 }, nowMicros);
 * ```
 */
export const nowMicros = (): number =>
  Math.floor((performance.timeOrigin + performance.now()) * 1000);

/**
 * A rate limiter whose buckets live in a `SharedMemory` region: one `AtomicInt` slot per key.
 *
 * @example
 * ```ts
 * const limiter = new RegionRateLimiter(region, { limit: 100, windowMs: 60_000 });
 * const { allowed, retryAfterMs } = limiter.take("client-42");
 * ```
 */
export class RegionRateLimiter {
  readonly #region: SharedMemory;
  readonly #interval: number;
  readonly #tolerance: number;
  readonly #clock: () => number;
  readonly #buckets = new Map<string, AtomicInt>(); // this process's handles, by key

  constructor(region: SharedMemory, options: RateLimitOptions, clock: () => number = nowMicros) {
    const { limit, windowMs } = options;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`RegionRateLimiter: limit must be a positive integer, got ${limit}`);
    }
    if (typeof windowMs !== "number" || !(windowMs >= 1) || !Number.isFinite(windowMs)) {
      throw new RangeError(`RegionRateLimiter: windowMs must be at least 1, got ${windowMs}`);
    }
    this.#region = region;
    this.#interval = Math.max(1, Math.round((windowMs * 1000) / limit));
    this.#tolerance = this.#interval * limit;
    this.#clock = clock;
  }

  /** The key's bucket (its TAT word), looked up in the region once per process. */
  #bucket(key: string): AtomicInt {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (typeof key !== "string" || key.length === 0) {
        throw new TypeError("RegionRateLimiter.take: the key must be a non-empty string");
      }
      if (encoder.encode(key).length > MAX_KEY_BYTES) {
        throw new RangeError(`RegionRateLimiter.take: the key is over ${MAX_KEY_BYTES} bytes`);
      }
      bucket = this.#region.int(`rl/${key}`); // RangeError when the region is full
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Takes a token from `key`'s bucket if it has one. */
  take(key: string): Decision {
    const bucket = this.#bucket(key);
    const interval = this.#interval;
    const now = this.#clock();
    let tat = bucket.load();
    for (;;) {
      const next = Math.max(tat, now) + interval;
      if (next - now > this.#tolerance) {
        const retryAfterMs = Math.ceil((next - now - this.#tolerance) / 1000);
        return { allowed: false, remaining: 0, retryAfterMs };
      }
      const [swapped, seen] = bucket.compareExchange(tat, next);
      if (swapped) {
        const remaining = Math.floor((this.#tolerance - (next - now)) / interval);
        return { allowed: true, remaining, retryAfterMs: 0 };
      }
      tat = seen; // another process decided first: decide again on its TAT
    }
  }
}
