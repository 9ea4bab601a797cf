/**
 * `RedisRateLimiter`: GCRA (the generic cell rate algorithm) in one script, with the semantics of
 * examples/rate-limit: a bucket of `limit` tokens per key, refilled at `limit` per `windowMs`, a
 * fresh key allowing `limit` at once. The key holds the bucket's "theoretical arrival time" (TAT,
 * server microseconds from `TIME`): a take of `n` at `now` is allowed when
 * `max(TAT, now) + n·interval − now ≤ limit·interval` and then moves TAT there. The key expires
 * when the bucket is full again.
 *
 * @module
 */

import { notSafeInteger } from "../src/_errors.ts";
import type { RateDecision } from "../src/rate_decision.ts";
import { type Backend, checkMs, checkOptions } from "./_backend.ts";
import { checkName } from "./_names.ts";
import { Script } from "./_script.ts";

const TAKE = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval, tolerance, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
local nextTat = start + n * interval
if nextTat - now > tolerance then
  local free = math.floor((tolerance - (start - now)) / interval)
  return {0, free, math.ceil((nextTat - now - tolerance) / 1000)}
end
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1)
return {1, math.floor((tolerance - (nextTat - now)) / interval), 0}
`);

export type { RateDecision } from "../src/rate_decision.ts";

/**
 * Options of {@link RedisRateLimiter}.
 *
 * @example 100 requests a minute per key
 * ```ts
 * import type { RedisRateLimiterOptions } from "@atomicx/atomicx/redis";
 *
 * const options: RedisRateLimiterOptions = { limit: 100, windowMs: 60_000 };
 * ```
 */
export interface RedisRateLimiterOptions {
  /** Tokens in a full bucket: requests allowed at once, and per window (a positive integer). */
  readonly limit: number;
  /** A whole bucket refills in this many milliseconds (at least 1). */
  readonly windowMs: number;
}

/**
 * A rate limiter shared by every host: one script call per decision, exact across hosts (the
 * server decides, on its own clock). Made by {@link RedisStore.rateLimiter}.
 *
 * @example 100 requests a minute per client, on every host together
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const limiter = store.rateLimiter("api", { limit: 100, windowMs: 60_000 });
 *   const { allowed, retryAfterMs } = await limiter.take("client-7");
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisRateLimiter {
  readonly #backend: Backend;
  readonly #tag: string;
  readonly #limit: number;
  readonly #interval: number;
  readonly #tolerance: number;

  /** @internal made by {@link RedisStore.rateLimiter}. */
  constructor(backend: Backend, tag: string, options: RedisRateLimiterOptions) {
    const where = "RedisStore.rateLimiter";
    if (options === undefined) {
      throw new TypeError(`${where}: options { limit, windowMs } are required`);
    }
    const { limit, windowMs } = checkOptions(where, options);
    if (!Number.isSafeInteger(limit)) throw notSafeInteger(`${where}: limit`, limit);
    if ((limit as number) < 1) {
      throw new RangeError(`${where}: limit must be at least 1, got ${limit}`);
    }
    checkMs(where, "windowMs", windowMs, 1);
    this.#backend = backend;
    this.#tag = tag;
    this.#limit = limit as number;
    this.#interval = Math.max(1, Math.round(((windowMs as number) * 1000) / this.#limit));
    this.#tolerance = this.#interval * this.#limit;
  }

  /**
   * Takes `n` tokens (default 1) from `key`'s bucket if it has them.
   *
   * @example One decision
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const limiter = store.rateLimiter("api", { limit: 10, windowMs: 1_000 });
   *   const { allowed, remaining, retryAfterMs } = await limiter.take("client-7");
   *   console.log(allowed, remaining, retryAfterMs); // true 9 0 (on a fresh key)
   * }
   * await store.close();
   * client.destroy();
   * ```
   * @throws {RangeError} if `n` is not 1 to `limit`, or `key` is empty or too long
   */
  async take(key: string, n: number = 1): Promise<RateDecision> {
    const where = "RedisRateLimiter.take";
    checkName(where, "key", key, true);
    if (!Number.isSafeInteger(n)) throw notSafeInteger(where, n);
    if (n < 1 || n > this.#limit) {
      throw new RangeError(`${where}: n must be 1 to ${this.#limit} (the limit), got ${n}`);
    }
    const reply = await TAKE.run(this.#backend.conn, [`${this.#tag}:rate:${key}`], [
      this.#interval,
      this.#tolerance,
      n,
    ]) as number[];
    return { allowed: reply[0] === 1, remaining: reply[1], retryAfterMs: reply[2] };
  }
}
