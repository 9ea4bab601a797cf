/**
 * `RedisSemaphore`: `permits` permits shared by every host that reaches the same Redis; each
 * holder's permits are held under a lease renewed while held.
 *
 * Keys (hash tag `{prefix+name}`): `:sem` a sorted set of holders scored by their lease's end
 * (server time, ms), `:sem:n` a hash holder → permits held, `:sem:fence` the last fencing token
 * (never below the server's clock in µs: see NEXT_FENCE), `:sem:died` set when expired holders
 * were removed (the next acquirer's `ownerDied`); `:ops`/`:ops:prev` the operation table (two generations) that applies
 * each acquire and release once (see OnceScript).
 *
 * @module
 */

import type { WaitOptions } from "../mod.ts";
import { notSafeInteger } from "../src/_errors.ts";
import { type Attempt, waitToAcquire } from "./_acquire.ts";
import { type Backend, checkMs, checkOptions, opsTable } from "./_backend.ts";
import { type Grant, NEXT_FENCE, RedisHold } from "./_hold.ts";
import { grantOf } from "./mutex.ts";
import { OnceScript, Script } from "./_script.ts";
import { LINE, QUEUE_REFRESH_MS } from "./_queue.ts";

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Only the head of the waiting line (or anyone, when it is empty) may take permits; a failed try
// joins the line when ARGV[5] is 1 (acquireAsync; tryAcquireAsync does not wait).
const ACQUIRE = new OnceScript(`${NOW_MS}${NEXT_FENCE}${LINE}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('SET', KEYS[4], '1')
end
local used = 0
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do used = used + tonumber(n) end
local head = lineHead(KEYS[5], KEYS[6], now)
local turn = head == nil or head == ARGV[1]
if not turn or used + tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  if ARGV[5] == '1' then lineJoin(KEYS[5], KEYS[6], KEYS[7], ARGV[1], now, ARGV[4]) end
  if used + tonumber(ARGV[2]) <= tonumber(ARGV[3]) then return {0, ${QUEUE_REFRESH_MS}} end
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if first[2] == nil then return {0, tonumber(ARGV[4])} end
  return {0, tonumber(first[2]) - now}
end
if head then lineLeave(KEYS[5], KEYS[6], ARGV[1]) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local died = redis.call('EXISTS', KEYS[4])
redis.call('DEL', KEYS[4])
local fence = nextFence(redis.call('GET', KEYS[3]), t)
redis.call('SET', KEYS[3], string.format('%.0f', fence))
return {1, fence, died}
`);

const LEAVE = new Script(`${LINE}
lineLeave(KEYS[1], KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[2], '1')
return 1
`);

const RENEW = new Script(`${NOW_MS}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  return 1
end
return 0
`);

const RELEASE = new OnceScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('PUBLISH', ARGV[2], '1')
  return 1
end
return 0
`);

/**
 * Options of {@link RedisSemaphore}.
 *
 * @example A 30-second lease
 * ```ts
 * import type { RedisSemaphoreOptions } from "@atomicx/atomicx/redis";
 *
 * const options: RedisSemaphoreOptions = { leaseMs: 30_000 };
 * ```
 */
export interface RedisSemaphoreOptions {
  /** How long the server keeps a holder's permits once it stops renewing (default 10 000 ms). */
  readonly leaseMs?: number;
}

/**
 * Permits held from a {@link RedisSemaphore}; `release()` (or the end of an `await using` scope)
 * gives them back. While held, the lease is renewed in the background.
 *
 * @example Two permits, given back at the end of the scope
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   await using permit = await store.semaphore("pool", 4).acquireAsync(2);
 *   console.log(permit.n, permit.fencingToken);
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisPermit extends RedisHold {
  /** How many permits this holds. */
  readonly n: number;

  /** @internal made by {@link RedisSemaphore.acquireAsync}. */
  constructor(
    n: number,
    where: string,
    grant: Grant,
    leaseMs: number,
    renew: () => Promise<boolean>,
    release: () => Promise<boolean>,
  ) {
    super(where, grant, leaseMs, renew, release);
    this.n = n;
  }

  /** `await using permit = await semaphore.acquireAsync()` releases at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

/**
 * A counting semaphore on Redis, for processes on any number of hosts. Made by
 * {@link RedisStore.semaphore}; every host must give the same `permits`.
 *
 * @example At most 4 downloads at once, on every host together
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const pool = store.semaphore("downloads", 4, { leaseMs: 30_000 });
 *   await using permit = await pool.acquireAsync(1, { timeout: 10_000 });
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisSemaphore {
  readonly #backend: Backend;
  readonly #keys: string[];
  readonly #channel: string;
  readonly #permits: number;
  readonly #leaseMs: number;
  readonly #table: readonly [string, string];

  /** @internal made by {@link RedisStore.semaphore}. */
  constructor(
    backend: Backend,
    tag: string,
    permits: number,
    options: RedisSemaphoreOptions | undefined,
  ) {
    const where = "RedisStore.semaphore";
    if (!Number.isSafeInteger(permits)) throw notSafeInteger(where, permits);
    if (permits < 1) throw new RangeError(`${where}: permits must be at least 1, got ${permits}`);
    const { leaseMs = 10_000 } = checkOptions(where, options);
    this.#leaseMs = checkMs(where, "leaseMs", leaseMs, 30);
    this.#permits = permits;
    this.#backend = backend;
    this.#keys = [
      `${tag}:sem`,
      `${tag}:sem:n`,
      `${tag}:sem:fence`,
      `${tag}:sem:died`,
      `${tag}:sem:line`,
      `${tag}:sem:alive`,
      `${tag}:sem:tickets`,
    ];
    this.#channel = `${tag}:sem:wake`;
    this.#table = opsTable(tag);
  }

  /** The number of permits. */
  get permits(): number {
    return this.#permits;
  }

  #checkN(where: string, n: unknown): number {
    if (!Number.isSafeInteger(n)) throw notSafeInteger(where, n);
    if ((n as number) < 1 || (n as number) > this.#permits) {
      throw new RangeError(`${where}: n must be 1 to ${this.#permits} (the permits), got ${n}`);
    }
    return n as number;
  }

  async #try(
    where: string,
    owner: string,
    n: number,
    wait: boolean,
  ): Promise<Attempt<RedisPermit>> {
    const { conn, timeoutMs } = this.#backend;
    const sentAt = performance.now();
    const args = [owner, n, this.#permits, this.#leaseMs, wait ? 1 : 0];
    const reply = await ACQUIRE.run(conn, where, timeoutMs, this.#table, this.#keys, args);
    const attempt = grantOf(reply, sentAt);
    return "held" in attempt ? { held: this.#permit(owner, n, attempt.held) } : attempt;
  }

  #permit(owner: string, n: number, grant: Grant): RedisPermit {
    const { conn, timeoutMs } = this.#backend;
    const [holders, counts] = this.#keys;
    const renew = async () => (await RENEW.run(conn, [holders], [owner, this.#leaseMs])) === 1;
    const release = async () =>
      (await RELEASE.run(conn, "RedisPermit.release", timeoutMs, this.#table, [holders, counts], [
        owner,
        this.#channel,
      ])) === 1;
    return new RedisPermit(n, "RedisSemaphore", grant, this.#leaseMs, renew, release);
  }

  /**
   * Waits for `n` permits (default 1), with `{ timeout, signal }` like every atomicx wait.
   *
   * @example Waiting at most a second
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   await using permit = await store.semaphore("pool", 4).acquireAsync(1, { timeout: 1_000 });
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  acquireAsync(n: number = 1, options?: WaitOptions): Promise<RedisPermit> {
    const count = this.#checkN("RedisSemaphore.acquireAsync", n);
    const owner = crypto.randomUUID();
    return waitToAcquire(
      "RedisSemaphore.acquireAsync",
      options,
      this.#backend.wakes,
      this.#channel,
      this.#backend.timeoutMs,
      () => this.#try("RedisSemaphore.acquireAsync", owner, count, true),
      (permit) => void permit.release().catch(() => {}),
      () => {
        const [, , , , line, alive] = this.#keys;
        LEAVE.run(this.#backend.conn, [line, alive], [owner, this.#channel]).catch(() => {});
      },
    );
  }

  /**
   * Takes `n` permits if they are free (one round trip), else resolves undefined.
   *
   * @example Only if free
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const permit = await store.semaphore("pool", 4).tryAcquireAsync();
   *   if (permit) await permit.release();
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  async tryAcquireAsync(n: number = 1): Promise<RedisPermit | undefined> {
    const count = this.#checkN("RedisSemaphore.tryAcquireAsync", n);
    const attempt = await this.#try(
      "RedisSemaphore.tryAcquireAsync",
      crypto.randomUUID(),
      count,
      false,
    );
    return "held" in attempt ? attempt.held : undefined;
  }
}
