/**
 * `RedisCounter`: adds are local and nanoseconds fast (an atomicx striped `Counter`, in a
 * `SharedMemory` region when one is given, so every process of the host shares one buffer), and
 * a background flush moves them to Redis — exactly once.
 *
 * How exactly once works. The buffer is never reset: `acked` is the part of its sum Redis has
 * confirmed. A flush, under the host's flush lock (a region `Mutex` that survives a killed
 * holder), first records itself as pending — a sequence number and the buffer's sum at that
 * moment (`target`) — then sends `INCRBY target − acked` with the host's id and that sequence
 * number in one script, which applies it only if the host's last applied number is smaller.
 * Then it stores `acked = target` and clears the pending record, in that order. Whoever finds a
 * pending record (a retry after a lost reply, another process after the flusher was SIGKILLed,
 * the next start) sends the same sequence number and amount again: applied at most once, and
 * nothing was taken out of the buffer that is not in Redis or still pending.
 *
 * @module
 */

import { AtomicInt, Counter, Mutex, SharedMemory } from "../mod.ts";
import { describe } from "../src/_errors.ts";
import { type Backend, checkMs, checkOptions } from "./_backend.ts";
import { reach } from "./_reach.ts";
import { shortHash } from "./_names.ts";
import { Script } from "./_script.ts";
import { quietTimeout } from "./_timers.ts";

/** How long Redis remembers a host's last applied flush after its last flush. */
const HOST_TTL_MS = 30 * 24 * 3600 * 1000;
/** Longest pause between flush attempts while Redis is unreachable. */
const MAX_BACKOFF_MS = 30_000;

const FLUSH = new Script(`
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > last then
  redis.call('INCRBY', KEYS[1], ARGV[2])
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
  return 1
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 0
`);

/**
 * Options of {@link RedisCounter}.
 *
 * @example Flushing every 100 ms through a region shared by the host's processes
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import type { RedisCounterOptions } from "@atomicx/atomicx/redis";
 *
 * using region = SharedMemory.open("counter-options-demo");
 * const options: RedisCounterOptions = { flushMs: 100, region };
 * SharedMemory.unlink("counter-options-demo");
 * ```
 */
export interface RedisCounterOptions {
  /** Milliseconds between background flushes (default 1000, at least 1). */
  readonly flushMs?: number;
  /**
   * A region every process of this host opens: the buffer and the pending flush live there, so
   * they survive any one process, and the host sends one flush per period, not one per process.
   */
  readonly region?: SharedMemory;
}

/** The host's side of one counter: the buffer and the flush bookkeeping, in a region or here. */
interface Slots {
  readonly buffer: Counter;
  readonly acked: AtomicInt;
  readonly pendingSeq: AtomicInt;
  readonly pendingTarget: AtomicInt;
  readonly lastSeq: AtomicInt;
  readonly hostId: AtomicInt;
  readonly lock: Mutex;
  /** Who serializes this process's flushes of these slots. */
  readonly chainKey: string;
}

/** Flushes in flight per slots (a region's flush lock refuses re-entry from one thread). */
const chains = new Map<string, Promise<unknown>>();
let localSlots = 0;

function slotsOf(where: string, tag: string, region: unknown): Slots {
  if (region === undefined) {
    return {
      buffer: new Counter(),
      acked: new AtomicInt(),
      pendingSeq: new AtomicInt(),
      pendingTarget: new AtomicInt(),
      lastSeq: new AtomicInt(),
      hostId: new AtomicInt(),
      lock: new Mutex(),
      chainKey: `local/${localSlots++}`,
    };
  }
  if (!(region instanceof SharedMemory)) {
    throw new TypeError(`${where}: region must be a SharedMemory, got ${describe(region)}`);
  }
  const base = `rx/${shortHash(tag)}/`; // a slot name has at most 48 bytes
  return {
    buffer: region.counter(`${base}sum`),
    acked: region.int(`${base}acked`),
    pendingSeq: region.int(`${base}pseq`),
    pendingTarget: region.int(`${base}ptarget`),
    lastSeq: region.int(`${base}seq`),
    hostId: region.int(`${base}host`),
    lock: region.mutex(`${base}lock`),
    chainKey: `region/${region.name}/${base}`,
  };
}

/**
 * A counter shared by every host: `add` is local and synchronous, a background flush pushes the
 * host's adds to Redis every `flushMs`, exactly once. `total()` is every host's flushed adds plus
 * this host's unflushed ones. Made by {@link RedisStore.counter}.
 *
 * While Redis is unreachable `add` keeps working and the flush retries with backoff (up to 30 s);
 * `total()` rejects with an error naming the server. Call `close()` (or `await using`) before the
 * process exits to flush what is left; with a `region`, what a killed process left is flushed by
 * another process of the host or by the next start.
 *
 * @example Counting requests on every host
 * ```ts
 * import { createClient } from "redis";
 * import { RedisStore } from "@atomicx/atomicx/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore(client, { prefix: "doc:" });
 * {
 *   const hits = store.counter("hits", { flushMs: 100 });
 *   hits.add(1); // nanoseconds: no round trip
 *   await hits.flush();
 *   console.log(await hits.total());
 * }
 * await store.close();
 * client.destroy();
 * ```
 */
export class RedisCounter {
  readonly #backend: Backend;
  readonly #slots: Slots;
  readonly #valueKey: string;
  readonly #hostPrefix: string;
  readonly #flushMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #closed: Promise<void> | undefined;

  /** @internal made by {@link RedisStore.counter}. */
  constructor(backend: Backend, tag: string, options: RedisCounterOptions | undefined) {
    const where = "RedisStore.counter";
    const { flushMs = 1000, region } = checkOptions(where, options);
    this.#flushMs = checkMs(where, "flushMs", flushMs, 1);
    this.#slots = slotsOf(where, tag, region);
    this.#backend = backend;
    this.#valueKey = `${tag}:counter`;
    this.#hostPrefix = `${tag}:counter:host:`;
    const { hostId } = this.#slots;
    if (hostId.load() === 0) hostId.compareExchange(0, 1 + Math.floor(Math.random() * 2 ** 52));
    this.#schedule(0); // finishes a flush a killed process left pending
  }

  /** Adds `n` (default 1), a safe integer, to this host's buffer. Synchronous, no round trip. */
  add(n: number = 1): void {
    this.#slots.buffer.add(n);
  }

  /** Adds 1 to this host's buffer. */
  inc(): void {
    this.#slots.buffer.inc();
  }

  /** Subtracts 1 from this host's buffer. */
  dec(): void {
    this.#slots.buffer.dec();
  }

  #schedule(ms: number): void {
    this.#timer = quietTimeout(async () => {
      try {
        await this.flush();
        this.#failures = 0;
      } catch {
        this.#failures++;
      }
      if (this.#closed) return;
      const backoff = Math.min(this.#flushMs * 2 ** this.#failures, MAX_BACKOFF_MS);
      this.#schedule(this.#failures === 0 ? this.#flushMs : backoff * (0.5 + Math.random() / 2));
    }, ms);
  }

  /**
   * Pushes what this host added until now to Redis (and any flush left pending). Resolves when
   * Redis confirmed it; rejects with an error naming the server when it cannot be reached (the
   * adds stay buffered, nothing is lost).
   *
   * @example Flushing now
   * ```ts
   * import { createClient } from "redis";
   * import { RedisStore } from "@atomicx/atomicx/redis";
   *
   * const client = await createClient({ url: process.env.REDIS_URL }).connect();
   * const store = new RedisStore(client, { prefix: "doc:" });
   * {
   *   const hits = store.counter("hits");
   *   hits.add(5);
   *   await hits.flush(); // now every host's total() includes the 5
   * }
   * await store.close();
   * client.destroy();
   * ```
   */
  flush(): Promise<void> {
    const key = this.#slots.chainKey;
    const run = () => this.#flushOnce();
    const next = (chains.get(key) ?? Promise.resolve()).then(run, run);
    const settled = next.catch(() => {});
    chains.set(key, settled);
    settled.then(() => chains.get(key) === settled && chains.delete(key));
    return next;
  }

  async #flushOnce(): Promise<void> {
    const where = "RedisCounter.flush";
    const { conn, timeoutMs } = this.#backend;
    const s = this.#slots;
    const guard = await s.lock.lockAsync({ timeout: timeoutMs });
    try {
      // A pending flush first (left by a lost reply or a dead process), then what is new.
      for (let seq = s.pendingSeq.load(), fresh = false; !fresh; seq = s.pendingSeq.load()) {
        fresh = seq === 0; // one new flush at most: adds made meanwhile wait for the next
        if (fresh) {
          const target = s.buffer.sum();
          if (target === s.acked.load()) return;
          seq = s.lastSeq.add(1) + 1;
          s.pendingTarget.store(target);
          s.pendingSeq.store(seq); // the pending record is complete once its number is set
        }
        const target = s.pendingTarget.load();
        const delta = target - s.acked.load();
        const keys = [this.#valueKey, this.#hostPrefix + s.hostId.load()];
        const args = [seq, delta, HOST_TTL_MS];
        await reach(where, conn, timeoutMs, () => FLUSH.run(conn, keys, args));
        s.acked.store(target); // first acked, then clear: a crash between the two resends 0
        s.pendingSeq.store(0);
      }
    } finally {
      guard.unlock();
    }
  }

  /**
   * Every host's flushed adds plus this host's unflushed ones, in one round trip. Exact when no
   * host adds meanwhile; other hosts' adds appear once they flushed (within their `flushMs`).
   *
   * @throws {Error} naming the server, when Redis cannot be reached within the store's timeout
   * @throws {RangeError} if the total is not a safe integer
   */
  async total(): Promise<number> {
    const where = "RedisCounter.total";
    const { conn, timeoutMs } = this.#backend;
    const s = this.#slots;
    const keys = [this.#valueKey, this.#hostPrefix + s.hostId.load()];
    const reply = await reach(where, conn, timeoutMs, () => conn.send(["MGET", ...keys]));
    const [value, applied] = (reply as (string | null)[]).map((v) => Number(v ?? 0));
    // This host's part already in `value`: the pending target if Redis applied that flush.
    let base: number, sum: number;
    for (;;) {
      const seq = s.pendingSeq.load();
      const target = s.pendingTarget.load();
      const acked = s.acked.load();
      sum = s.buffer.sum();
      if (s.pendingSeq.load() !== seq) continue;
      base = seq !== 0 && seq <= applied ? target : acked;
      break;
    }
    const total = value + sum - base;
    if (!Number.isSafeInteger(total)) {
      throw new RangeError(`${where}: the total ${total} is not a safe integer`);
    }
    return total;
  }

  /**
   * Stops the background flush and flushes what is left. Calling it again returns the same
   * promise.
   */
  close(): Promise<void> {
    return this.#closed ??= (async () => {
      clearTimeout(this.#timer);
      await this.flush();
    })();
  }

  /** `await using hits = store.counter("hits")` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
