/**
 * `RedisMutex`: a lock shared by every host that reaches the same Redis, held under a lease that
 * is renewed while held, with a fencing token per acquisition.
 *
 * Waiters are served in order of arrival (the waiting line of _queue.ts: `:mutex:line`,
 * `:mutex:alive`, `:mutex:tickets`).
 *
 * Keys (hash tag `{prefix+name}`): `:mutex` the holder's id with the lease as its expiry;
 * `:mutex:meta` a hash of `held`, the holder's id without expiry (still there after the lease
 * expired: the next holder's `ownerDied`), `fence`, the last fencing token (never below the
 * server's clock in µs: see NEXT_FENCE), and `died`, the last grant's `ownerDied`; `:ops`/`:ops:prev`
 * the operation table (two generations) that applies each release once (see OnceScript).
 *
 * @module
 */

import type { WaitOptions } from "../mod.ts";
import { type Attempt, waitToAcquire } from "./_acquire.ts";
import { type Backend, checkMs, checkOptions, opsTable } from "./_backend.ts";
import { type Grant, NEXT_FENCE, RedisHold } from "./_hold.ts";
import { OnceScript, Script, untilAnswered } from "./_script.ts";
import { LINE, QUEUE_REFRESH_MS } from "./_queue.ts";
import type { Reply } from "./_client.ts";

// Hands a released lock straight to the head of the waiting line (with the lease it asked for
// and the next fencing token) and tells it by the wake-up message "<id> <token>": the waiter
// holds the lock without another round trip, and nobody can take it in between. With nobody in
// line nothing is published: a waiter sleeps only after its failed try joined the line (and one
// whose place lapsed tries again on its own timer), so there is nobody to wake — and on a cluster a
// PUBLISH goes to every node.
const HAND_OVER = `${NEXT_FENCE}${LINE}
local function handOver(lock, meta, line, alive, channel)
  if redis.call('EXISTS', line) == 1 then
    local t = redis.call('TIME')
    local head, lease = lineHead(line, alive, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
    if head then
      lineLeave(line, alive, head)
      redis.call('SET', lock, head, 'PX', lease)
      local fence = string.format('%.0f', nextFence(redis.call('HGET', meta, 'fence'), t))
      redis.call('HSET', meta, 'held', head, 'fence', fence, 'died', '0')
      redis.call('PUBLISH', channel, head .. ' ' .. fence)
      return
    end
  end
  redis.call('HDEL', meta, 'held')
end
`;

// Only the head of the waiting line (or anyone, when it is empty) may take the lock; a failed try
// joins the line when ARGV[3] is 1 (lockAsync; tryLockAsync does not wait). `held` still there
// names a previous holder whose lease expired without an unlock (ownerDied). A try that finds the
// lock already its own returns the grant recorded in `:mutex:meta`: a release handed it over (and
// its wake-up message was lost), or this very try is a resend after it ran. So the acquire needs
// no operation table — the waiter's id is its operation id — and applies once however often it
// is sent.
const ACQUIRE = new Script(`${NEXT_FENCE}${LINE}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local head = lineHead(KEYS[3], KEYS[4], now)
local turn = head == nil or head == ARGV[1]
if not (turn and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])) then
  if redis.call('GET', KEYS[1]) == ARGV[1] then
    local m = redis.call('HMGET', KEYS[2], 'fence', 'died')
    return {1, tonumber(m[1]), tonumber(m[2] or '0')}
  end
  if ARGV[3] == '1' then lineJoin(KEYS[3], KEYS[4], KEYS[5], ARGV[1], now, ARGV[2]) end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then ttl = ${QUEUE_REFRESH_MS} end
  return {0, ttl}
end
if head then lineLeave(KEYS[3], KEYS[4], ARGV[1]) end
local m = redis.call('HMGET', KEYS[2], 'held', 'fence')
local died = m[1] and 1 or 0
local fence = nextFence(m[2], t)
redis.call('HSET', KEYS[2], 'held', ARGV[1], 'fence', string.format('%.0f', fence), 'died', died)
return {1, fence, died}
`);

const RENEW = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

// A waiter that gave up leaves the line (and wakes the others if it was holding them up); if a
// release had already handed it the lock, it hands the lock on.
const LEAVE = new Script(`${HAND_OVER}
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  handOver(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[2])
  return 1
end
lineLeave(KEYS[3], KEYS[4], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('PUBLISH', ARGV[2], '1') end
return 1
`);

// A holder whose lease expired but whom nobody replaced still releases cleanly (clears `held`).
const RELEASE = new OnceScript(`${HAND_OVER}
local mine = redis.call('GET', KEYS[1]) == ARGV[1]
if mine then redis.call('DEL', KEYS[1]) end
if mine or redis.call('HGET', KEYS[2], 'held') == ARGV[1] then
  handOver(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[2])
  return 1
end
return 0
`);

/**
 * Options of {@link RedisMutex}.
 *
 * @example A 30-second lease
 * ```ts
 * import type { RedisMutexOptions } from "@atomicx/atomicx/redis";
 *
 * const options: RedisMutexOptions = { leaseMs: 30_000 };
 * ```
 */
export interface RedisMutexOptions {
  /**
   * How long the server keeps the lock for a holder that stopped renewing (default 10 000 ms,
   * at least 30). A holder renews every `leaseMs / 3`.
   */
  readonly leaseMs?: number;
}

/** Turns an acquire script's reply into a grant or the time until the holder's lease ends. */
export function grantOf(reply: Reply, sentAt: number): Attempt<Grant> {
  const [ok, a, b] = reply as number[];
  if (ok === 1) return { held: { fencingToken: a, ownerDied: b === 1, sentAt } };
  return { retryInMs: Math.max(0, a) };
}

/**
 * A held {@link RedisMutex}. Release it with `unlock()` or at the end of an `await using`
 * scope; while held, its lease is renewed in the background.
 *
 * @example Checking the lease before a side effect
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const written: number[] = []; // a resource that remembers the tokens it accepted
 *   await using guard = await store.mutex("jobs").lockAsync();
 *   guard.signal.throwIfAborted(); // the lease was lost: stop
 *   if (guard.fencingToken < Math.max(0, ...written)) throw new Error("stale token");
 *   written.push(guard.fencingToken);
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisMutexGuard extends RedisHold {
  /**
   * Releases the lock and wakes waiters on every host. Resolves `true` if the lease was kept until
   * now, `false` if it had been lost (see `release()`); calling it again returns the same answer.
   */
  unlock(): Promise<boolean> {
    return this.release();
  }

  /** `await using guard = await mutex.lockAsync()` unlocks at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

/**
 * A mutual-exclusion lock on Redis, for processes on any number of hosts. Made by
 * {@link RedisStore.mutex}.
 *
 * Waiters are served in order of arrival. Waiting costs almost no polling: a release publishes a
 * wake-up (a waiter also tries once a second to keep its place in line); a holder that vanished is
 * replaced when its lease ends. Every acquisition gets a larger `fencingToken`: a resource that remembers the
 * largest token it saw and refuses smaller ones stays safe even when a holder was paused past its
 * lease and still believes it holds the lock.
 *
 * @example One job at a time across hosts
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const jobs = store.mutex("jobs", { leaseMs: 10_000 });
 *   await using guard = await jobs.lockAsync({ timeout: 5_000 });
 *   console.log(guard.fencingToken, guard.ownerDied);
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisMutex {
  readonly #backend: Backend;
  readonly #keys: string[];
  readonly #channel: string;
  readonly #leaseMs: number;
  readonly #table: readonly [string, string];

  /** @internal made by {@link RedisStore.mutex}. */
  constructor(backend: Backend, tag: string, options: RedisMutexOptions | undefined) {
    const where = "RedisStore.mutex";
    const { leaseMs = 10_000 } = checkOptions(where, options);
    this.#leaseMs = checkMs(where, "leaseMs", leaseMs, 30);
    this.#backend = backend;
    this.#keys = [
      `${tag}:mutex`,
      `${tag}:mutex:meta`,
      `${tag}:mutex:line`,
      `${tag}:mutex:alive`,
      `${tag}:mutex:tickets`,
    ];
    this.#channel = `${tag}:mutex:wake`;
    this.#table = opsTable(tag);
  }

  /** The lease in milliseconds. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  async #try(where: string, owner: string, wait: boolean): Promise<Attempt<RedisMutexGuard>> {
    const { conn, timeoutMs } = this.#backend;
    const sentAt = performance.now();
    const args = [owner, this.#leaseMs, wait ? 1 : 0];
    const reply = await untilAnswered(
      conn,
      where,
      timeoutMs,
      () => ACQUIRE.run(conn, this.#keys, args),
    );
    const attempt = grantOf(reply, sentAt);
    return "held" in attempt ? { held: this.#guard(owner, attempt.held) } : attempt;
  }

  #leave(owner: string): void {
    LEAVE.run(this.#backend.conn, this.#keys.slice(0, 4), [owner, this.#channel]).catch(() => {});
  }

  /** The hold a release handed to `owner` by the wake-up message `message`, if it did. */
  #handed(owner: string, message: string, since: number): RedisMutexGuard | undefined {
    const space = message.indexOf(" ");
    if (space < 0 || message.slice(0, space) !== owner) return undefined;
    const fencingToken = Number(message.slice(space + 1));
    return this.#guard(owner, { fencingToken, ownerDied: false, sentAt: since });
  }

  #guard(owner: string, grant: Grant): RedisMutexGuard {
    const { conn, timeoutMs } = this.#backend;
    const [lock, meta, line, alive] = this.#keys;
    const renew = async () => (await RENEW.run(conn, [lock], [owner, this.#leaseMs])) === 1;
    const release = async () =>
      (await RELEASE.run(conn, "RedisMutexGuard.unlock", timeoutMs, this.#table, [
        lock,
        meta,
        line,
        alive,
      ], [
        owner,
        this.#channel,
      ])) === 1;
    return new RedisMutexGuard("RedisMutex", grant, this.#leaseMs, renew, release);
  }

  /**
   * Waits for the lock. `timeout` bounds the whole wait (a `DOMException` named
   * `"TimeoutError"`); aborting `signal` rejects with its reason.
   *
   * @example Waiting at most a second
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   await using guard = await store.mutex("jobs").lockAsync({ timeout: 1_000 });
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  lockAsync(options?: WaitOptions): Promise<RedisMutexGuard> {
    const owner = crypto.randomUUID();
    return waitToAcquire(
      "RedisMutex.lockAsync",
      options,
      this.#backend.wakes,
      this.#channel,
      this.#backend.timeoutMs,
      () => this.#try("RedisMutex.lockAsync", owner, true),
      (guard) => void guard.unlock().catch(() => {}),
      () => this.#leave(owner),
      {
        handed: (message, since) => this.#handed(owner, message, since),
        wanted: (message) => message === "1" || message.startsWith(`${owner} `),
        // A handed lock's lease is counted from the last try: keep that recent.
        maxSleepMs: this.#leaseMs / 4,
      },
    );
  }

  /**
   * Takes the lock if it is free (one round trip), else resolves undefined.
   *
   * @example Only if free
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const guard = await store.mutex("jobs").tryLockAsync();
   *   if (guard) await guard.unlock();
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  async tryLockAsync(): Promise<RedisMutexGuard | undefined> {
    const attempt = await this.#try("RedisMutex.tryLockAsync", crypto.randomUUID(), false);
    return "held" in attempt ? attempt.held : undefined;
  }
}
