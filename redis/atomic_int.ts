/**
 * `RedisAtomicInt`: `AtomicInt`'s contract on a Redis key — safe integers only, a `RangeError`
 * naming `AtomicBigInt` when a result would leave ±(2^53−1), nothing changed after any error —
 * with every operation one round trip (a single command or one script).
 *
 * @module
 */

import { intOverflow, notFunction, notSafeInteger } from "../src/_errors.ts";
import { type Backend, opsTable } from "./_backend.ts";
import type { Reply } from "./_client.ts";
import { OnceScript, untilAnswered } from "./_script.ts";

// Both scripts are applied once per operation id (a client's resend after a reconnect returns the
// recorded result: see OnceScript). One script for the other read-modify-writes: ARGV[1] names the operation, ARGV[2] (and ARGV[3])
// the operands, stored as the caller's own integer strings. The previous value goes back as the
// stored string: ioredis reads integer replies near 2^53 inexactly. (Lua numbers are doubles:
// exact for safe integers; a number goes back through string.format('%.0f'), never tostring,
// which would print 9.007199254741e+15.)
const RMW = new OnceScript(`
local MAX = 9007199254740991
local raw = redis.call('GET', KEYS[1])
local v = tonumber(raw or '0')
if v == nil or v ~= math.floor(v) or v > MAX or v < -MAX then
  return redis.error_reply('the key holds ' .. tostring(raw) .. ', not a safe integer')
end
local op, a = ARGV[1], tonumber(ARGV[2])
if op == 'cas' then
  if v == a then redis.call('SET', KEYS[1], ARGV[3]) end
elseif op == 'max' then
  if a > v then redis.call('SET', KEYS[1], ARGV[2]) end
elseif op == 'min' then
  if a < v then redis.call('SET', KEYS[1], ARGV[2]) end
elseif op == 'swap' then
  redis.call('SET', KEYS[1], ARGV[2])
end
return {1, raw or '0'}
`);

// add, sub, inc and dec: INCRBY, and DECRBY back within the same script when the result left the
// safe range (nobody sees it). Either way the answer carries the previous value, as a string.
const ADD = new OnceScript(`
local MAX = 9007199254740991
local r = redis.call('INCRBY', KEYS[1], ARGV[1])
if r > MAX or r < -MAX then
  return {0, string.format('%.0f', redis.call('DECRBY', KEYS[1], ARGV[1]))}
end
return {1, string.format('%.0f', r - tonumber(ARGV[1]))}
`);

/** The number a reply or a stored value holds. */
function valueOf(where: string, raw: Reply): number {
  const value = raw === null ? 0 : Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${where}: the key holds ${String(raw)}, not a safe integer`);
  }
  return value;
}

/**
 * An atomic integer in Redis, shared by every host: `AtomicInt`'s operations, each async and one
 * round trip. Made by {@link RedisStore.atomicInt}. A key that does not exist reads as 0.
 *
 * @example A sequence number across hosts
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const seq = store.atomicInt("order-seq");
 *   const previous = await seq.add(1); // each caller on each host gets a different number
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisAtomicInt {
  readonly #backend: Backend;
  readonly #key: string;
  readonly #table: readonly [string, string];

  /** @internal made by {@link RedisStore.atomicInt}. */
  constructor(backend: Backend, tag: string) {
    this.#backend = backend;
    this.#key = `${tag}:int`;
    this.#table = opsTable(tag);
  }

  async #rmw(where: string, op: string, a: number, b?: number): Promise<[boolean, number]> {
    const args: (string | number)[] = b === undefined ? [op, a] : [op, a, b];
    const { conn, timeoutMs } = this.#backend;
    const reply = await RMW.run(conn, where, timeoutMs, this.#table, [this.#key], args) as [
      number,
      Reply,
    ];
    return [reply[0] === 1, valueOf(where, reply[1])];
  }

  async #add(where: string, delta: number, shown: number): Promise<number> {
    const { conn, timeoutMs } = this.#backend;
    const [ok, raw] = await ADD.run(conn, where, timeoutMs, this.#table, [this.#key], [
      delta,
    ]) as [number, Reply];
    const previous = valueOf(where, raw);
    if (ok !== 1) throw intOverflow(where, shown, previous);
    return previous;
  }

  /** Reads the value (`GET`). */
  async load(): Promise<number> {
    const { conn, timeoutMs } = this.#backend;
    const where = "RedisAtomicInt.load";
    const raw = await untilAnswered(conn, where, timeoutMs, () => conn.send(["GET", this.#key]));
    return valueOf(where, raw);
  }

  /** Stores `value`, a safe integer (`SET`). */
  async store(value: number): Promise<void> {
    if (!Number.isSafeInteger(value)) throw notSafeInteger("RedisAtomicInt.store", value);
    const { conn, timeoutMs } = this.#backend;
    // SET of a value is idempotent: sent again until answered.
    await untilAnswered(
      conn,
      "RedisAtomicInt.store",
      timeoutMs,
      () => conn.send(["SET", this.#key, value]),
    );
  }

  /** Stores `value`; resolves with the previous value. */
  async swap(value: number): Promise<number> {
    if (!Number.isSafeInteger(value)) throw notSafeInteger("RedisAtomicInt.swap", value);
    return (await this.#rmw("RedisAtomicInt.swap", "swap", value))[1];
  }

  /**
   * Stores `replacement` if the value is `expected`.
   *
   * @returns `[true, expected]` when it stored, `[false, actual]` when it did not
   */
  async compareExchange(expected: number, replacement: number): Promise<[boolean, number]> {
    const where = "RedisAtomicInt.compareExchange";
    if (!Number.isSafeInteger(expected)) throw notSafeInteger(where, expected);
    if (!Number.isSafeInteger(replacement)) throw notSafeInteger(where, replacement);
    const [, previous] = await this.#rmw(where, "cas", expected, replacement);
    return [previous === expected, previous];
  }

  /**
   * Replaces the value with `fn(value)` and resolves with the new value: a compare-and-set loop,
   * so `fn` may run more than once; if it throws or returns a non-safe-integer, nothing is stored.
   *
   * @example Keeping the best score
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const best = await store.atomicInt("best").update((v) => Math.max(v, 42));
   *   console.log(best >= 42); // true
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  async update(fn: (value: number) => number): Promise<number> {
    if (typeof fn !== "function") throw notFunction("RedisAtomicInt.update", fn);
    let current = await this.load();
    for (;;) {
      const next = fn(current);
      if (!Number.isSafeInteger(next)) {
        throw notSafeInteger("RedisAtomicInt.update callback", next);
      }
      const [ok, seen] = await this.compareExchange(current, next);
      if (ok) return next;
      current = seen;
    }
  }

  /** Adds `delta`; resolves with the previous value. `RangeError` (nothing changed) on overflow. */
  add(delta: number): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      return Promise.reject(notSafeInteger("RedisAtomicInt.add", delta));
    }
    return this.#add("RedisAtomicInt.add", delta, delta);
  }

  /** Subtracts `delta`; resolves with the previous value. `RangeError` on overflow. */
  sub(delta: number): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      return Promise.reject(notSafeInteger("RedisAtomicInt.sub", delta));
    }
    return this.#add("RedisAtomicInt.sub", -delta, delta);
  }

  /** Adds 1; resolves with the previous value. */
  inc(): Promise<number> {
    return this.#add("RedisAtomicInt.inc", 1, 1);
  }

  /** Subtracts 1; resolves with the previous value. */
  dec(): Promise<number> {
    return this.#add("RedisAtomicInt.dec", -1, 1);
  }

  /** Stores the larger of the value and `other`; resolves with the previous value. */
  async fetchMax(other: number): Promise<number> {
    if (!Number.isSafeInteger(other)) throw notSafeInteger("RedisAtomicInt.fetchMax", other);
    return (await this.#rmw("RedisAtomicInt.fetchMax", "max", other))[1];
  }

  /** Stores the smaller of the value and `other`; resolves with the previous value. */
  async fetchMin(other: number): Promise<number> {
    if (!Number.isSafeInteger(other)) throw notSafeInteger("RedisAtomicInt.fetchMin", other);
    return (await this.#rmw("RedisAtomicInt.fetchMin", "min", other))[1];
  }
}
