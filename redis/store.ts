/**
 * `RedisStore`: the entry point of atomicx/redis — the user's client, a key prefix, and the
 * objects made from them.
 *
 * @module
 */

import type { Backend } from "./_backend.ts";
import { checkMs, checkOptions } from "./_backend.ts";
import { connect } from "./_client.ts";
import { checkName, tagOf } from "./_names.ts";
import { Wakes } from "./_wakes.ts";
import { RedisAtomicInt } from "./atomic_int.ts";
import { RedisCounter, type RedisCounterOptions } from "./counter.ts";
import { RedisMutex, type RedisMutexOptions } from "./mutex.ts";
import { RedisRateLimiter, type RedisRateLimiterOptions } from "./rate_limiter.ts";
import { RedisSemaphore, type RedisSemaphoreOptions } from "./semaphore.ts";

/**
 * Options of {@link RedisStore}.
 *
 * @example A prefix and a shorter timeout
 * ```ts
 * import type { RedisStoreOptions } from "@atomicx/atomicx/redis";
 *
 * const options: RedisStoreOptions = { prefix: "app:", timeoutMs: 2_000 };
 * ```
 */
export interface RedisStoreOptions {
  /** Put before every name (default `""`); no `{` or `}`. */
  readonly prefix?: string;
  /**
   * How long a read (`total()`), a flush and the first try of a lock wait may wait for the server
   * before failing with an error that names it (default 5000 ms).
   */
  readonly timeoutMs?: number;
}

/**
 * Counters, atomic integers, mutexes, semaphores and rate limiters in Redis (or Valkey), shared
 * by every process on every host that uses the same server and prefix. It speaks through your
 * own connected client — node-redis ≥ 5 (npm `redis`: `createClient` or `createCluster`),
 * ioredis ≥ 5 or iovalkey (`Redis` or `Cluster`), or Bun's `RedisClient` — and never closes it.
 * Every operation is one round trip: a single command or one Lua script, atomic on the server,
 * with times from the server's clock. The keys of one object share the hash tag
 * `{prefix + name}`, so Redis Cluster works.
 *
 * @example Connecting with node-redis
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   await store.atomicInt("visits").inc();
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisStore {
  readonly #backend: Backend;
  readonly #counters = new Set<RedisCounter>();

  /**
   * A store over `client`, with its objects' keys under `prefix`.
   *
   * @param client a connected client of a supported kind (yours: the store never closes it)
   * @throws {TypeError} if `client` is none of them, or an option has the wrong type
   * @throws {RangeError} if an option is out of range
   */
  constructor(client: unknown, options?: RedisStoreOptions) {
    const where = "new RedisStore";
    const { prefix = "", timeoutMs = 5_000 } = checkOptions(where, options);
    if (prefix !== "") checkName(where, "prefix", prefix);
    const conn = connect(where, client);
    this.#backend = {
      conn,
      prefix: prefix as string,
      timeoutMs: checkMs(where, "timeoutMs", timeoutMs, 1),
      wakes: new Wakes(conn),
    };
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#backend.prefix;
  }

  /**
   * Which client the store speaks through: `"node-redis"`, `"node-redis cluster"`, `"ioredis"`
   * (also iovalkey), `"ioredis cluster"` or `"bun"`.
   */
  get client(): string {
    return this.#backend.conn.client;
  }

  #tag(where: string, name: unknown): string {
    return tagOf(where, this.#backend.prefix, name);
  }

  /**
   * A counter whose adds are local and flushed to Redis every `flushMs`, exactly once.
   *
   * @example A counter flushed every 100 ms
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const hits = store.counter("hits", { flushMs: 100 });
   *   hits.add(1);
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  counter(name: string, options?: RedisCounterOptions): RedisCounter {
    const counter = new RedisCounter(this.#backend, this.#tag("RedisStore.counter", name), options);
    this.#counters.add(counter);
    return counter;
  }

  /**
   * An atomic integer with `AtomicInt`'s contract; every operation one round trip.
   *
   * @example A shared sequence number
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   await store.atomicInt("seq").add(1);
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  atomicInt(name: string): RedisAtomicInt {
    return new RedisAtomicInt(this.#backend, this.#tag("RedisStore.atomicInt", name));
  }

  /**
   * A mutex held under a lease renewed while held, with fencing tokens.
   *
   * @example A lock for one job at a time
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   await using guard = await store.mutex("jobs", { leaseMs: 10_000 }).lockAsync();
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  mutex(name: string, options?: RedisMutexOptions): RedisMutex {
    return new RedisMutex(this.#backend, this.#tag("RedisStore.mutex", name), options);
  }

  /**
   * A semaphore of `permits` permits, each holder's under a lease renewed while held.
   *
   * @example A pool of 4 permits
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   await using permit = await store.semaphore("pool", 4).acquireAsync();
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  semaphore(name: string, permits: number, options?: RedisSemaphoreOptions): RedisSemaphore {
    return new RedisSemaphore(
      this.#backend,
      this.#tag("RedisStore.semaphore", name),
      permits,
      options,
    );
  }

  /**
   * A GCRA rate limiter: `limit` tokens per key, refilled at `limit` per `windowMs`.
   *
   * @example 100 requests a minute per client
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const { allowed } = await store.rateLimiter("api", { limit: 100, windowMs: 60_000 })
   *     .take("client-7");
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  rateLimiter(name: string, options: RedisRateLimiterOptions): RedisRateLimiter {
    return new RedisRateLimiter(this.#backend, this.#tag("RedisStore.rateLimiter", name), options);
  }

  /**
   * Closes the store's counters (each flushes what is left), rejects every pending lock and
   * semaphore wait of the store at once with an `Error` named `StoreClosedError` (later waits too)
   * and closes its subscriber connection. Holds already taken keep renewing until released. The
   * client stays open: it is yours.
   */
  async close(): Promise<void> {
    const counters = [...this.#counters];
    this.#counters.clear();
    try {
      await Promise.all(counters.map((c) => c.close()));
    } finally {
      await this.#backend.wakes.close();
    }
  }

  /** `await using store = new RedisStore(client)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
