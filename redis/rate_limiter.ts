/**
 * `RedisRateLimiter`: GCRA (the generic cell rate algorithm) in one script, with the semantics of
 * examples/rate-limit: a bucket of `limit` tokens per key, refilled at `limit` per `windowMs`, a
 * fresh key allowing `limit` at once. The key holds the bucket's "theoretical arrival time" (TAT,
 * server time from `TIME`): a take of `n` at `now` is allowed when
 * `max(TAT, now) + n·interval − now ≤ limit·interval` and then moves TAT there. The key expires
 * when the bucket is full again.
 *
 * Exact arithmetic: the interval is `windowMs·1000 / limit` µs, a fraction. The script counts in
 * units of 1/limit µs, where the interval is the whole number `W = windowMs·1000` and a full
 * bucket `limit·W`; the key stores TAT as `q:r` (q µs plus r/limit µs). Every number the script
 * computes stays below 2^53, where Lua's doubles are exact, because the constructor refuses a
 * `limit·W` above 2^52.
 *
 * @module
 */

import { notSafeInteger } from "../src/_errors.ts";
import type { RateDecision } from "../src/rate_decision.ts";
import { type Backend, checkMs, checkOptions, opsTable } from "./_backend.ts";
import { checkName } from "./_names.ts";
import { OnceScript } from "./_script.ts";

/** The largest `limit × windowMs × 1000` the script computes with exactly. */
const MAX_BUCKET_UNITS = 2 ** 52;

const TAKE = new OnceScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local W, L, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local function div(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 elseif (q + 1) * b <= a then q = q + 1 end
  return q
end
local d = 0
local raw = redis.call('GET', KEYS[1])
if raw then
  local q, r = string.match(raw, '^(%d+):(%d+)$')
  if q then d = (tonumber(q) - now) * L + tonumber(r) end
end
if d < 0 then d = 0 end
local full = L * W
local nextD = d + n * W
if nextD > full then
  return {0, div(full - d, W), div(nextD - full + L * 1000 - 1, L * 1000)}
end
local whole = div(nextD, L)
local tat = string.format('%.0f', now + whole) .. ':' .. string.format('%.0f', nextD - whole * L)
redis.call('SET', KEYS[1], tat, 'PX', div(nextD + L * 1000 - 1, L * 1000) + 1)
return {1, div(full - nextD, W), 0}
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
  readonly #windowUs: number;
  readonly #table: readonly [string, string];

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
    const windowUs = checkMs(where, "windowMs", windowMs, 1) * 1000;
    if (!Number.isInteger(windowUs)) {
      throw new RangeError(
        `${where}: windowMs must be a whole number of microseconds, got ${windowMs}`,
      );
    }
    if ((limit as number) * windowUs > MAX_BUCKET_UNITS) {
      throw new RangeError(
        `${where}: limit × windowMs × 1000 must be at most 2^52 (the server computes with ` +
          `doubles, exact below 2^53), got ${limit} × ${windowMs} × 1000`,
      );
    }
    this.#backend = backend;
    this.#tag = tag;
    this.#limit = limit as number;
    this.#windowUs = windowUs;
    this.#table = opsTable(tag);
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
    const { conn, timeoutMs } = this.#backend;
    const reply = await TAKE.run(conn, where, timeoutMs, this.#table, [
      `${this.#tag}:rate:${key}`,
    ], [this.#windowUs, this.#limit, n]) as number[];
    return { allowed: reply[0] === 1, remaining: reply[1], retryAfterMs: reply[2] };
  }
}
