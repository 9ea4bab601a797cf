/**
 * atomicx/redis: counters, atomic integers, mutexes, semaphores and rate limiters beyond one
 * host, in Redis or Valkey, through your own node-redis (≥ 5) or ioredis (≥ 5) client. Never
 * loaded by `atomicx` itself: import `@atomicx/atomicx/redis` (JSR) or `atomicx/redis` (npm).
 *
 * @example A counter, a lock with a fencing token and a rate limit on every host together
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   store.counter("hits").add(1);
 *   await using guard = await store.mutex("jobs").lockAsync({ timeout: 5_000 });
 *   console.log(guard.fencingToken);
 *   console.log(await store.rateLimiter("api", { limit: 100, windowMs: 60_000 }).take("client-7"));
 * }
 * await store.close();
 * client.destroy();
 * ```
 *
 * @module
 */

export { RedisStore, type RedisStoreOptions } from "./store.ts";
export { RedisCounter, type RedisCounterOptions } from "./counter.ts";
export { RedisAtomicInt } from "./atomic_int.ts";
export { RedisHold } from "./_hold.ts";
export { RedisMutex, RedisMutexGuard, type RedisMutexOptions } from "./mutex.ts";
export { RedisPermit, RedisSemaphore, type RedisSemaphoreOptions } from "./semaphore.ts";
export {
  type RateDecision,
  RedisRateLimiter,
  type RedisRateLimiterOptions,
} from "./rate_limiter.ts";
// The wait types the API above names, from atomicx itself (SharedMemory: import it from atomicx).
export type { AbortSignalLike, WaitOptions } from "../mod.ts";
