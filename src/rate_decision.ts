/**
 * The decision type shared by every rate limiter of atomicx: the region one
 * (`SharedMemory.rateLimiter`) and the Redis one (`RedisStore.rateLimiter`).
 *
 * @module
 */

/**
 * The decision on one request.
 *
 * @example A denial
 * ```ts
 * import type { RateDecision } from "@atomicx/atomicx";
 *
 * const decision: RateDecision = { allowed: false, remaining: 0, retryAfterMs: 250 };
 * ```
 */
export interface RateDecision {
  /** Whether the request may proceed (its tokens were taken). */
  readonly allowed: boolean;
  /** Whole tokens left in the bucket after this decision. */
  readonly remaining: number;
  /** When denied: milliseconds until enough tokens are back; 0 when allowed. */
  readonly retryAfterMs: number;
}
