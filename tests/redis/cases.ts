/**
 * The cases of atomicx/redis against a live redis-server, written once and run on Deno, Bun,
 * Node 26 and Node 20 (koffi) with both clients by run_cases.ts.
 *
 * @module
 */

import { AtomicInt, SharedMemory } from "../../mod.ts";
import { RedisStore } from "../../redis/mod.ts";
import { shortHash } from "../../redis/_names.ts";
import { assert } from "../support/assert.ts";
import type { ClientKind, TestClient } from "./clients.ts";
import { FencedResource, StaleTokenError } from "./fenced_resource.ts";

/** What a case gets: fresh stores on their own connections, under a prefix of its own. */
export interface Context {
  readonly kind: ClientKind;
  readonly port: number;
  /** A store on a new connection (closed after the case), with this case's prefix. */
  store(options?: { timeoutMs?: number }): Promise<RedisStore>;
  /** A new connection of this case's client (closed after the case). */
  client(): Promise<TestClient>;
  /** The case's prefix. */
  readonly prefix: string;
  /** Sends a raw command on a connection of its own. */
  raw(...args: (string | number)[]): Promise<unknown>;
}

/** One case. */
export interface Case {
  readonly name: string;
  run(ctx: Context): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts that `promise` rejects with exactly `type` (and a message matching `message`). */
async function rejects(
  promise: Promise<unknown> | (() => unknown),
  type: ErrorConstructor | typeof TypeError | typeof RangeError,
  message?: RegExp,
): Promise<Error> {
  let error: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected a ${type.name}, nothing was thrown`);
  assert.equal((error as Error).constructor, type, `expected ${type.name}, got ${error}`);
  if (message) assert.match((error as Error).message, message);
  return error as Error;
}

/** What an in-process `AtomicInt` throws for `op`, to compare with the Redis one's error. */
function inProcessError(op: (a: AtomicInt) => unknown, initial = 0): Error {
  try {
    op(new AtomicInt(initial));
  } catch (e) {
    return e as Error;
  }
  throw new Error("the in-process AtomicInt accepted it");
}

/** The same error as `expected`, up to the class name in the message. */
function assertSameError(actual: Error, expected: Error): void {
  assert.equal(actual.constructor, expected.constructor);
  assert.equal(actual.message.replace("RedisAtomicInt.", "AtomicInt."), expected.message);
}

const MAX = Number.MAX_SAFE_INTEGER;

export const cases: Case[] = [
  {
    name: "atomicInt: every operation gives what AtomicInt gives",
    async run(ctx) {
      const store = await ctx.store();
      const r = store.atomicInt("n");
      const a = new AtomicInt();
      assert.equal(await r.load(), 0); // a missing key reads as 0
      const steps: [string, (x: AtomicInt) => unknown, (x: typeof r) => Promise<unknown>][] = [
        ["store 5", (x) => x.store(5), (x) => x.store(5)],
        ["add 7", (x) => x.add(7), (x) => x.add(7)],
        ["sub 20", (x) => x.sub(20), (x) => x.sub(20)],
        ["inc", (x) => x.inc(), (x) => x.inc()],
        ["dec", (x) => x.dec(), (x) => x.dec()],
        ["swap 3", (x) => x.swap(3), (x) => x.swap(3)],
        ["cas 3→9", (x) => x.compareExchange(3, 9), (x) => x.compareExchange(3, 9)],
        ["cas 3→1 fails", (x) => x.compareExchange(3, 1), (x) => x.compareExchange(3, 1)],
        ["max 4", (x) => x.fetchMax(4), (x) => x.fetchMax(4)],
        ["max 12", (x) => x.fetchMax(12), (x) => x.fetchMax(12)],
        ["min 15", (x) => x.fetchMin(15), (x) => x.fetchMin(15)],
        ["min -2", (x) => x.fetchMin(-2), (x) => x.fetchMin(-2)],
        ["update", (x) => x.update((v) => v * 10 - 1), (x) => x.update((v) => v * 10 - 1)],
        ["add MAX-? ", (x) => x.add(MAX - 100), (x) => x.add(MAX - 100)],
        ["load", (x) => x.load(), (x) => x.load()],
      ];
      for (const [what, local, remote] of steps) {
        assert.deepEqual(await remote(r), local(a), what);
        assert.equal(await r.load(), a.load(), `${what}: value`);
      }
      await store.close();
    },
  },
  {
    name: "atomicInt: overflow and bad operands are AtomicInt's errors, nothing changed",
    async run(ctx) {
      const store = await ctx.store();
      const r = store.atomicInt("n");
      await r.store(MAX - 1);
      const overflow = await rejects(r.add(2), RangeError, /AtomicBigInt/);
      assertSameError(overflow, inProcessError((a) => a.add(2), MAX - 1));
      await rejects(r.inc().then(() => r.inc()), RangeError, /AtomicBigInt/);
      assert.equal(await r.load(), MAX);
      await r.store(-MAX);
      await rejects(r.dec(), RangeError, /AtomicBigInt/);
      await rejects(r.sub(1), RangeError, /AtomicBigInt/);
      assert.equal(await r.load(), -MAX);
      const bad: [string, unknown][] = [
        ["0.5", 0.5],
        ["2^53", 2 ** 53],
        ["NaN", NaN],
        [
          "string",
          "1",
        ],
        ["bigint", 1n],
        ["undefined", undefined],
      ];
      for (const [what, value] of bad) {
        for (const op of ["add", "sub", "store", "swap", "fetchMax", "fetchMin"] as const) {
          const call = () => (r[op] as (v: unknown) => Promise<unknown>)(value);
          const error = await rejects(
            call,
            value !== null && typeof value === "number" ? RangeError : TypeError,
          );
          assertSameError(error, inProcessError((a) => (a[op] as (v: unknown) => unknown)(value)));
          assert.equal(await r.load(), -MAX, `${op}(${what}) changed the value`);
        }
        await rejects(
          () => r.compareExchange(-MAX, value as number),
          typeof value === "number" ? RangeError : TypeError,
        );
      }
      await rejects(() => r.update("x" as never), TypeError);
      await rejects(() => r.update(() => 0.5), RangeError);
      await rejects(() =>
        r.update(() => {
          throw new SyntaxError("mine");
        }), SyntaxError);
      assert.equal(await r.load(), -MAX);
      await store.close();
    },
  },
  {
    name: "atomicInt: concurrent adds from two connections are exact; update is a CAS loop",
    async run(ctx) {
      const [s1, s2] = [await ctx.store(), await ctx.store()];
      const [a, b] = [s1.atomicInt("c"), s2.atomicInt("c")];
      await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).add(1)));
      // update(v => v + 1) from both at once: every CAS loop must land once
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).update((v) => v + 1)));
      assert.equal(await a.load(), 240);
      await s1.close();
      await s2.close();
    },
  },
  {
    name: "counter: local adds, flush, total across two hosts",
    async run(ctx) {
      const [s1, s2] = [await ctx.store(), await ctx.store()];
      const h1 = s1.counter("hits", { flushMs: 60_000 });
      const h2 = s2.counter("hits", { flushMs: 60_000 });
      // Past their start-up flushes (each counter finishes a pending flush when made), so that
      // nothing reaches Redis below until flush() is called.
      await sleep(50);
      await h1.flush();
      await h2.flush();
      for (let i = 0; i < 1000; i++) h1.add(1);
      h2.add(500);
      h2.dec();
      assert.equal(await h1.total(), 1000); // its own unflushed part
      await h1.flush();
      assert.equal(await h2.total(), 1000 + 499);
      await h2.flush();
      await h2.flush(); // nothing new: no command that changes anything
      assert.equal(await h1.total(), 1499);
      assert.equal(Number(await ctx.raw("GET", `{${ctx.prefix}hits}:counter`)), 1499);
      await s1.close(); // closes h1
      await h2.close();
      await h2.close(); // idempotent
      await s2.close();
    },
  },
  {
    name: "counter: a flush whose reply was lost is retried without counting twice",
    async run(ctx) {
      const { client, close } = await ctx.client();
      let loseNext = false;
      // The same client, but the next script's reply is lost after the server ran it.
      const method = ctx.kind === "node-redis"
        ? "sendCommand"
        : ctx.kind === "bun"
        ? "send"
        : "call";
      const lossy = new Proxy(client, {
        get(target, key) {
          const value = Reflect.get(target, key, target);
          if (key !== method) return typeof value === "function" ? value.bind(target) : value;
          return async (...args: unknown[]) => {
            const reply = await value.apply(target, args);
            if (
              loseNext &&
              String(ctx.kind === "node-redis" ? (args[0] as string[])[0] : args[0]).startsWith(
                "EVAL",
              )
            ) {
              loseNext = false;
              throw new Error("connection reset (test: reply lost)");
            }
            return reply;
          };
        },
      });
      const store = new RedisStore(lossy, { prefix: ctx.prefix });
      const hits = store.counter("hits", { flushMs: 60_000 });
      hits.add(42);
      loseNext = true;
      await rejects(hits.flush(), Error, /reply lost/);
      assert.equal(Number(await ctx.raw("GET", `{${ctx.prefix}hits}:counter`)), 42); // it ran
      assert.equal(await hits.total(), 42); // and total() knows it
      hits.add(8);
      await hits.flush(); // resends the lost flush (skipped by the server), then the 8
      await hits.flush();
      assert.equal(Number(await ctx.raw("GET", `{${ctx.prefix}hits}:counter`)), 50);
      assert.equal(await hits.total(), 50);
      await store.close();
      await close();
    },
    // the prefix is added by run_cases; the raw key above uses it
  },
  {
    name: "counter: with a region, a pending flush left by a dead process is finished once",
    async run(ctx) {
      const regionName = `atomicx-redis-case-${Math.random().toString(36).slice(2)}`;
      const region = SharedMemory.open(regionName, { capacity: 64 });
      try {
        const store = await ctx.store();
        const hits = store.counter("hits", { flushMs: 60_000, region });
        await sleep(200); // its first background flush (at start) is done; the next is in a minute
        hits.add(10);
        await hits.flush();
        hits.add(5);
        // A process died after recording its flush (seq 2, target 15) and sending it: forge that.
        const base = `rx/${shortHash(`{${ctx.prefix}hits}`)}/`;
        region.int(`${base}seq`).store(2);
        region.int(`${base}ptarget`).store(15);
        region.int(`${base}pseq`).store(2);
        const host = region.int(`${base}host`).load();
        await ctx.raw(
          "EVAL",
          "redis.call('INCRBY', KEYS[1], 5) redis.call('SET', KEYS[2], 2)",
          2,
          `{${ctx.prefix}hits}:counter`,
          `{${ctx.prefix}hits}:counter:host:${host}`,
        );
        assert.equal(await hits.total(), 15);
        // The next start (another object on the region) finishes it without adding again.
        const again = (await ctx.store()).counter("hits", { flushMs: 60_000, region });
        again.add(1);
        await again.close();
        assert.equal(Number(await ctx.raw("GET", `{${ctx.prefix}hits}:counter`)), 16);
        assert.equal(region.int(`${base}pseq`).load(), 0);
        assert.equal(await hits.total(), 16);
        await store.close();
      } finally {
        region.close();
        SharedMemory.unlink(regionName);
      }
    },
  },
  {
    name: "counter: without Redis add keeps working, total() names the server, flush resumes",
    async run(ctx) {
      const { client, close } = await ctx.client();
      const store = new RedisStore(client, { prefix: ctx.prefix, timeoutMs: 500 });
      const hits = store.counter("hits", { flushMs: 20 });
      hits.add(3);
      await close(); // the connection is gone
      for (let i = 0; i < 1000; i++) hits.add(1);
      // Bun's RedisClient does not say where it connects: its errors name the client instead.
      const named = ctx.kind === "bun"
        ? /Bun's RedisClient/
        : new RegExp(`127\\.0\\.0\\.1:${ctx.port}`);
      await rejects(hits.total(), Error, named);
      await rejects(hits.flush(), Error, named);
      // a new store on a live client over the same (region-less) buffer is not possible; check the
      // server saw at most what was flushed before the connection closed
      const seen = Number(await ctx.raw("GET", `{${ctx.prefix}hits}:counter`) ?? 0);
      assert.ok(seen === 0 || seen === 3, `server has ${seen}`);
      await store.close().catch(() => {});
    },
  },
  {
    name: "mutex: a read-then-write on a Redis key stays exact under the lock, tokens increase",
    async run(ctx) {
      const stores = [await ctx.store(), await ctx.store(), await ctx.store()];
      const mutexes = stores.map((s) => s.mutex("m", { leaseMs: 5_000 }));
      const key = `${ctx.prefix}plain`;
      const tokens: number[] = [];
      const { client, close } = await ctx.client();
      const get = async () => Number(await ctx.raw("GET", key) ?? 0);
      void client;
      await Promise.all(mutexes.flatMap((m) =>
        Array.from({ length: 15 }, async () => {
          const guard = await m.lockAsync({ timeout: 30_000 });
          try {
            tokens.push(guard.fencingToken);
            const v = await get();
            await sleep(1);
            await ctx.raw("SET", key, v + 1);
          } finally {
            await guard.unlock();
          }
        })
      ));
      assert.equal(await get(), 45);
      assert.deepEqual(tokens, [...tokens].sort((x, y) => x - y));
      assert.equal(new Set(tokens).size, 45);
      await close();
      for (const s of stores) await s.close();
    },
  },
  {
    name: "mutex: tryLockAsync, timeout (TimeoutError), abort (reason), unlock idempotent",
    async run(ctx) {
      const store = await ctx.store();
      const m = store.mutex("m", { leaseMs: 2_000 });
      const g = await m.tryLockAsync();
      assert.ok(g);
      assert.equal(g.ownerDied, false);
      assert.equal(await m.tryLockAsync(), undefined);
      const timedOut = await rejects(m.lockAsync({ timeout: 100 }), DOMException as never);
      assert.equal(timedOut.name, "TimeoutError");
      const reason = new Error("stop");
      const controller = new AbortController();
      const waiting = m.lockAsync({ signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(waiting, (e) => e === reason);
      await assert.rejects(m.lockAsync({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
      await rejects(() => m.lockAsync({ timeout: -1 }), RangeError);
      await rejects(() => m.lockAsync({ timeout: "1" as never }), TypeError);
      await rejects(() => m.lockAsync(5 as never), TypeError);
      // a waiter is woken by the unlock (pub/sub), long before the lease would end
      const started = performance.now();
      const next = m.lockAsync({ timeout: 1_500 });
      await sleep(50);
      await g.unlock();
      await g.unlock();
      const g2 = await next;
      assert.ok(performance.now() - started < 1_500);
      assert.ok(g2.fencingToken > g.fencingToken);
      assert.equal(g2.ownerDied, false);
      await g2[Symbol.asyncDispose]();
      assert.ok(await m.tryLockAsync().then((x) => x?.unlock().then(() => true)));
      await store.close();
    },
  },
  {
    name: "mutex: the lease is renewed while held; a holder that vanished → ownerDied",
    async run(ctx) {
      const store = await ctx.store();
      const m = store.mutex("m", { leaseMs: 500 });
      const g = await m.lockAsync();
      await sleep(1_300); // over two leases: renewals keep it
      assert.equal(g.signal.aborted, false);
      assert.equal(await m.tryLockAsync(), undefined);
      await g.unlock();
      // A holder on another host that stopped renewing (forged: its keys without renewals).
      const tag = `{${ctx.prefix}m}`;
      await ctx.raw("SET", `${tag}:mutex`, "ghost", "PX", 200);
      await ctx.raw("HSET", `${tag}:mutex:meta`, "held", "ghost");
      const g2 = await m.lockAsync({ timeout: 5_000 });
      assert.equal(g2.ownerDied, true);
      assert.ok(g2.fencingToken > g.fencingToken);
      // Its own lease taken away on the server: the renewal sees it and aborts the signal.
      await ctx.raw("SET", `${tag}:mutex`, "thief", "PX", 10_000);
      await new Promise((r) => g2.signal.addEventListener("abort", r, { once: true }));
      assert.equal((g2.signal.reason as Error).name, "LeaseLostError");
      await g2.unlock(); // not its lock any more: changes nothing
      assert.equal(await ctx.raw("GET", `${tag}:mutex`), "thief");
      await store.close();
    },
  },
  {
    name: "mutex: a stale fencing token is refused by the fenced resource",
    async run(ctx) {
      const store = await ctx.store();
      const resource = new FencedResource();
      const m = store.mutex("fenced", { leaseMs: 1_000 });
      const old = await m.lockAsync();
      resource.write(old.fencingToken, "a");
      // The lock is lost (forced here; in tests/redis/redis.test.ts by pausing the server).
      await ctx.raw("DEL", `{${ctx.prefix}fenced}:mutex`);
      const fresh = await m.lockAsync();
      resource.write(fresh.fencingToken, "b");
      assert.throws(() => resource.write(old.fencingToken, "stale"), StaleTokenError);
      assert.deepEqual(resource.writes.map((w) => w.value), ["a", "b"]);
      await old.unlock();
      await fresh.unlock();
      await store.close();
    },
  },
  {
    name: "semaphore: never more than `permits` holders; n; ownerDied; errors",
    async run(ctx) {
      const stores = [await ctx.store(), await ctx.store()];
      const sems = stores.map((s) => s.semaphore("pool", 3, { leaseMs: 5_000 }));
      let inside = 0, most = 0;
      await Promise.all(Array.from({ length: 24 }, async (_, i) => {
        await using _permit = await sems[i % 2].acquireAsync(1, { timeout: 30_000 });
        inside++;
        most = Math.max(most, inside);
        await sleep(5);
        inside--;
      }));
      assert.equal(most, 3);
      const two = await sems[0].acquireAsync(2);
      assert.equal(two.n, 2);
      assert.equal(await sems[1].tryAcquireAsync(2), undefined);
      const one = await sems[1].tryAcquireAsync(1);
      assert.ok(one);
      assert.ok(one.fencingToken > two.fencingToken);
      const t = await rejects(sems[0].acquireAsync(1, { timeout: 50 }), DOMException as never);
      assert.equal(t.name, "TimeoutError");
      await two.release();
      await two.release();
      await one.release();
      await rejects(() => sems[0].acquireAsync(4), RangeError);
      await rejects(() => sems[0].acquireAsync(0), RangeError);
      await rejects(() => sems[0].acquireAsync(1.5), RangeError);
      await rejects(() => sems[0].acquireAsync("1" as never), TypeError);
      await rejects(() => stores[0].semaphore("x", 0), RangeError);
      await rejects(() => stores[0].semaphore("x", "2" as never), TypeError);
      // A holder that vanished: its permits come back when its lease ends, ownerDied says so.
      const tag = `{${ctx.prefix}pool}`;
      const now = Number((await ctx.raw("TIME") as string[])[0]) * 1000;
      await ctx.raw("ZADD", `${tag}:sem`, now + 150, "ghost");
      await ctx.raw("HSET", `${tag}:sem:n`, "ghost", 3);
      const after = await sems[0].acquireAsync(3, { timeout: 5_000 });
      assert.equal(after.ownerDied, true);
      await after.release();
      const clean = await sems[0].acquireAsync(3);
      assert.equal(clean.ownerDied, false);
      await clean.release();
      for (const s of stores) await s.close();
    },
  },
  {
    name: "rateLimiter: a fresh key allows `limit` at once, then refills at limit per window",
    async run(ctx) {
      const store = await ctx.store();
      const limiter = store.rateLimiter("api", { limit: 5, windowMs: 5_000 }); // a token a second
      const first = [];
      for (let i = 0; i < 6; i++) first.push(await limiter.take("k"));
      assert.deepEqual(first.map((d) => d.allowed), [true, true, true, true, true, false]);
      assert.deepEqual(first.slice(0, 5).map((d) => d.remaining), [4, 3, 2, 1, 0]);
      const denied = first[5];
      assert.equal(denied.remaining, 0);
      assert.ok(denied.retryAfterMs > 0 && denied.retryAfterMs <= 1_000, `${denied.retryAfterMs}`);
      await sleep(denied.retryAfterMs + 5);
      assert.equal((await limiter.take("k")).allowed, true);
      assert.equal((await limiter.take("other", 5)).allowed, true); // keys are separate
      const big = await limiter.take("other", 2);
      assert.equal(big.allowed, false);
      assert.ok(big.retryAfterMs > 1_000 && big.retryAfterMs <= 2_000, `${big.retryAfterMs}`);
      await rejects(() => limiter.take("k", 6), RangeError);
      await rejects(() => limiter.take("k", 0), RangeError);
      await rejects(() => limiter.take("", 1), RangeError);
      await rejects(() => limiter.take(7 as never), TypeError);
      await rejects(() => store.rateLimiter("x", { limit: 0, windowMs: 1 }), RangeError);
      await rejects(() => store.rateLimiter("x", { limit: 1.5, windowMs: 1 }), RangeError);
      await rejects(() => store.rateLimiter("x", { limit: 1, windowMs: 0 }), RangeError);
      await rejects(() => store.rateLimiter("x", undefined as never), TypeError);
      // exact across connections: 20 tokens, 60 concurrent takes from three stores → 20 allowed
      const many = [store, await ctx.store(), await ctx.store()].map((s) =>
        s.rateLimiter("burst", { limit: 20, windowMs: 60_000 })
      );
      const all = await Promise.all(Array.from({ length: 60 }, (_, i) => many[i % 3].take("k")));
      assert.equal(all.filter((d) => d.allowed).length, 20);
      await store.close();
    },
  },
  {
    name: "fencing: tokens never go backwards when the keys are lost under a held lock",
    async run(ctx) {
      const [a, b] = [await ctx.store(), await ctx.store()];
      const m = (s: RedisStore) => s.mutex("m", { leaseMs: 5_000 });
      const first = await m(a).lockAsync();
      // A floor from the server's clock: the token is at least its TIME in µs (same machine here).
      assert.ok(first.fencingToken >= (Date.now() - 60_000) * 1000, `${first.fencingToken}`);
      await ctx.raw("DEL", `{${ctx.prefix}m}:mutex`, `{${ctx.prefix}m}:mutex:meta`); // lost
      const second = await m(b).tryLockAsync();
      assert.ok(second, "the lock is free once its key is gone");
      assert.ok(second.fencingToken > first.fencingToken);
      assert.equal(await first.unlock(), false, "the server no longer had the first lease");
      assert.equal(await second.unlock(), true);
      const sem = (s: RedisStore) => s.semaphore("s", 1, { leaseMs: 5_000 });
      const p1 = await sem(a).acquireAsync();
      const t = `{${ctx.prefix}s}`;
      await ctx.raw("DEL", `${t}:sem`, `${t}:sem:n`, `${t}:sem:fence`, `${t}:sem:died`);
      const p2 = await sem(b).tryAcquireAsync();
      assert.ok(p2);
      assert.ok(p2.fencingToken > p1.fencingToken);
      assert.equal(await p1.release(), false);
      assert.equal(await p2.release(), true);
      await a.close();
      await b.close();
    },
  },
  {
    name:
      "lease truth: expired and validUntil; a loop blocked past the lease sees the signal aborted",
    async run(ctx) {
      const store = await ctx.store();
      for (const kind of ["mutex", "semaphore"] as const) {
        const hold = kind === "mutex"
          ? await store.mutex("m", { leaseMs: 300 }).lockAsync()
          : await store.semaphore("s", 2, { leaseMs: 300 }).acquireAsync();
        const now = performance.now();
        assert.equal(hold.expired, false);
        assert.ok(hold.validUntil > now && hold.validUntil <= now + 300, `${hold.validUntil}`);
        const signal = hold.signal;
        let seenByOwnTimer: boolean | undefined;
        setTimeout(() => (seenByOwnTimer = signal.aborted), 1); // due long before the watchdog
        // The event loop blocked (or the process paused) past the lease: no timer runs meanwhile.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
        assert.equal(hold.expired, true, `${kind}: expired at once after the block`);
        assert.equal(hold.validUntil, 0);
        await sleep(5);
        assert.equal(seenByOwnTimer, true, `${kind}: the holder's own timer saw the abort`);
        assert.equal((signal.reason as Error).name, "LeaseLostError");
        assert.throws(() => signal.throwIfAborted());
        assert.equal(await hold.release(), false, `${kind}: release tells the lost lease`);
      }
      const kept = await store.mutex("m", { leaseMs: 300 }).lockAsync();
      await sleep(450); // renewed meanwhile
      assert.equal(kept.expired, false);
      assert.equal(kept.signal.aborted, false);
      assert.equal(await kept.unlock(), true);
      assert.equal(await kept.unlock(), true); // the same answer again
      await store.close();
    },
  },
  {
    name: "close(): pending mutex and semaphore waits end at once with StoreClosedError",
    async run(ctx) {
      const [holder, waiter] = [await ctx.store(), await ctx.store()];
      const leaseMs = 4_000;
      const guard = await holder.mutex("m", { leaseMs }).lockAsync();
      const permit = await holder.semaphore("s", 1, { leaseMs }).acquireAsync();
      const waits = [
        waiter.mutex("m", { leaseMs }).lockAsync(),
        waiter.semaphore("s", 1, { leaseMs }).acquireAsync(),
      ].map((p) => p.then(() => undefined, (e: Error) => ({ e, at: performance.now() })));
      await sleep(200);
      const closedAt = performance.now();
      await waiter.close();
      for (const ended of await Promise.all(waits)) {
        assert.ok(ended, "the wait rejected");
        assert.equal(ended.e.name, "StoreClosedError");
        assert.ok(ended.at - closedAt < 500, `ended ${ended.at - closedAt} ms after close()`);
      }
      const late = await waiter.mutex("m").lockAsync().catch((e: Error) => e);
      assert.equal((late as Error).name, "StoreClosedError");
      assert.equal(await guard.unlock(), true);
      assert.equal(await permit.release(), true);
      await holder.close();
    },
  },
  {
    name: "exactly once: atomicInt, rate limiter, mutex with connections killed every few ms",
    async run(ctx) {
      const store = await ctx.store({ timeoutMs: 15_000 });
      const killer = await ctx.client();
      let killing = true;
      let kills = 0;
      const killed = (async () => {
        while (killing) {
          await killer.send("CLIENT", "KILL", "TYPE", "normal").then(() => kills++, () => {});
          await sleep(7);
        }
      })();
      const n = store.atomicInt("n");
      // Refill below one token in the test's time: remaining counts every take exactly.
      const limit = 20_000;
      const limiter = store.rateLimiter("r", { limit, windowMs: 220_000_000 });
      const m = store.mutex("m", { leaseMs: 10_000 });
      let added = 0, allowed = 0;
      const tokens: number[] = [];
      const until = performance.now() + 1_000;
      while (performance.now() < until) {
        await n.add(1);
        added++;
        if ((await limiter.take("k")).allowed) allowed++;
        if (added % 10 === 0) {
          const g = await m.lockAsync({ timeout: 15_000 });
          tokens.push(g.fencingToken);
          assert.equal(await g.unlock(), true);
        }
      }
      killing = false;
      await killed;
      assert.ok(kills > 20, `${kills} kills`);
      assert.equal(await n.load(), added, "every resolved add applied once");
      const last = await limiter.take("k");
      assert.equal(last.remaining, limit - allowed - 1, "every allowed take used one token");
      assert.deepEqual(tokens, [...tokens].sort((x, y) => x - y));
      assert.equal(new Set(tokens).size, tokens.length);
      await store.close();
    },
  },
  {
    name: "rateLimiter: exact rate at the extremes; what the server cannot store is refused",
    async run(ctx) {
      const store = await ctx.store();
      // 8,000 per millisecond: an interval of 1/8 µs, kept exact (no rounding to 1 µs).
      const fast = store.rateLimiter("fast", { limit: 8_000, windowMs: 1 });
      assert.deepEqual(await fast.take("k", 8_000), {
        allowed: true,
        remaining: 0,
        retryAfterMs: 0,
      });
      await sleep(2); // more than a window of server time passes before the next script runs
      assert.equal((await fast.take("k", 8_000)).allowed, true, "the whole bucket refilled");
      const slow = store.rateLimiter("slow", { limit: 3, windowMs: 60_000 });
      await slow.take("k", 3);
      const denied = await slow.take("k", 2);
      assert.equal(denied.allowed, false);
      assert.ok(
        denied.retryAfterMs > 39_000 && denied.retryAfterMs <= 40_000,
        `${denied.retryAfterMs}`,
      );
      // 600,000 a second: a take of all of them leaves TAT exactly one second ahead.
      const many = store.rateLimiter("many", { limit: 600_000, windowMs: 1_000 });
      assert.equal((await many.take("k", 600_000)).remaining, 0);
      const [q, r] = String(await ctx.raw("GET", `{${ctx.prefix}many}:rate:k`)).split(":");
      assert.equal(r, "0");
      assert.ok(Number(q) > 0);
      const three = store.rateLimiter("three", { limit: 3, windowMs: 1_000 });
      await three.take("k", 1);
      assert.equal(
        String(await ctx.raw("GET", `{${ctx.prefix}three}:rate:k`)).split(":")[1],
        "1",
        "a third of a µs kept",
      );
      for (
        const options of [
          { limit: 1, windowMs: 1e18 },
          { limit: 2 ** 30, windowMs: 1e7 },
          { limit: 10, windowMs: 1.0000001 },
        ]
      ) {
        await rejects(() => store.rateLimiter("bad", options), RangeError);
      }
      await store.close();
    },
  },
  {
    name: "fair waiting: mutex and semaphore waiters are served in order of arrival",
    async run(ctx) {
      const holder = await ctx.store();
      const waiters = [];
      for (let i = 0; i < 5; i++) waiters.push(await ctx.store());
      for (const kind of ["mutex", "semaphore"] as const) {
        const take = (s: RedisStore, timeout = 20_000) =>
          kind === "mutex"
            ? s.mutex("m", { leaseMs: 5_000 }).lockAsync({ timeout })
            : s.semaphore("s", 1, { leaseMs: 5_000 }).acquireAsync(1, { timeout });
        const first = await take(holder);
        const order: number[] = [];
        const done = waiters.map(async (s, i) => {
          await sleep(20 * i); // arrive one after another
          const hold = await take(s);
          order.push(i);
          await sleep(5);
          await hold.release();
        });
        // One more waiter arrives between them and gives up: it must not hold up the others.
        await sleep(30);
        const quitter = await take(await ctx.store(), 40).catch((e: Error) => e);
        assert.equal((quitter as Error).name, "TimeoutError");
        await sleep(150);
        const releasedAt = performance.now();
        await first.release();
        await Promise.all(done);
        assert.deepEqual(order, [0, 1, 2, 3, 4], `${kind}: served in order of arrival`);
        assert.ok(
          performance.now() - releasedAt < 2_000,
          `${kind}: nobody waited for a dead place`,
        );
      }
    },
  },
  {
    name:
      "hand-over: a release gives the lock to the head of the line; a waiter that gave up passes it on",
    async run(ctx) {
      const store = await ctx.store();
      const m = store.mutex("h", { leaseMs: 5_000 });
      const tag = `{${ctx.prefix}h}`;
      // A waiter at the head of the line (forged: its place, asking for a 700 ms lease).
      const g = await m.lockAsync();
      const [sec] = (await ctx.raw("TIME")) as string[];
      await ctx.raw("ZADD", `${tag}:mutex:line`, 1, "ghost");
      await ctx.raw("HSET", `${tag}:mutex:alive`, "ghost", `${Number(sec) * 1000 + 3_000} 700`);
      assert.equal(await g.unlock(), true);
      assert.equal(await ctx.raw("GET", `${tag}:mutex`), "ghost", "handed over by the release");
      const pttl = Number(await ctx.raw("PTTL", `${tag}:mutex`));
      assert.ok(pttl > 0 && pttl <= 700, `the lease it asked for: ${pttl} ms`);
      const fence = Number(await ctx.raw("HGET", `${tag}:mutex:meta`, "fence"));
      assert.ok(fence > g.fencingToken, "with the next fencing token");
      // The ghost never takes it up: the next holder gets it when that lease ends.
      const next = await m.lockAsync({ timeout: 5_000 });
      assert.equal(next.ownerDied, true);
      assert.ok(next.fencingToken > fence);
      // A waiter that gives up just as the lock is handed to it: the one behind still gets it
      // at once (not when the quitter's 10 s lease ends).
      const quitStore = await ctx.store();
      const behindStore = await ctx.store();
      const quitting = new AbortController();
      const quitter = quitStore.mutex("h", { leaseMs: 10_000 }).lockAsync({
        signal: quitting.signal,
      }).catch((e: unknown) => e);
      while (Number(await ctx.raw("ZCARD", `${tag}:mutex:line`)) < 1) await sleep(2);
      const behind = behindStore.mutex("h").lockAsync({ timeout: 3_000 });
      while (Number(await ctx.raw("ZCARD", `${tag}:mutex:line`)) < 2) await sleep(2);
      const released = next.unlock();
      quitting.abort(new Error("gave up"));
      assert.equal(await released, true);
      const got = await quitter;
      if (got instanceof Error) assert.equal(got.message, "gave up");
      else await (got as { unlock(): Promise<boolean> }).unlock(); // the hand-over came first
      const last = await behind;
      assert.ok(last.fencingToken > next.fencingToken);
      await last.unlock();
      await Promise.all([store, quitStore, behindStore].map((s) => s.close()));
    },
  },
  {
    name: "bad input: names, options and clients get clear errors of the right type",
    async run(ctx) {
      const store = await ctx.store();
      const { client, close } = await ctx.client();
      const makers = [
        (n: unknown) => store.counter(n as string),
        (n: unknown) => store.atomicInt(n as string),
        (n: unknown) => store.mutex(n as string),
        (n: unknown) => store.semaphore(n as string, 1),
        (n: unknown) => store.rateLimiter(n as string, { limit: 1, windowMs: 1 }),
      ];
      for (const make of makers) {
        await rejects(() => make(5), TypeError, /name must be a string/);
        await rejects(() => make(""), RangeError);
        await rejects(() => make("a{b}"), RangeError, /"\{"/);
        await rejects(() => make("\uD800"), RangeError, /lone surrogate/);
        await rejects(() => make("x".repeat(300)), RangeError);
      }
      await rejects(() => store.counter("c", { flushMs: 0 }), RangeError);
      await rejects(() => store.counter("c", { flushMs: "1" as never }), TypeError);
      await rejects(() => store.counter("c", { region: {} as never }), TypeError);
      await rejects(() => store.counter("c", 5 as never), TypeError);
      await rejects(() => store.mutex("m", { leaseMs: 1 }), RangeError);
      await rejects(() => store.mutex("m", { leaseMs: Infinity }), RangeError);
      await rejects(() => new RedisStore({}), TypeError, /node-redis.*ioredis.*iovalkey.*Bun/);
      await rejects(() => new RedisStore(client, { prefix: "{x}" }), RangeError);
      await rejects(() => new RedisStore(client, { prefix: 1 as never }), TypeError);
      await rejects(() => new RedisStore(client, { timeoutMs: -5 }), RangeError);
      // the counter's add refuses what Counter.add refuses, and the buffer is unchanged
      const c = store.counter("c", { flushMs: 60_000 });
      for (const bad of [0.5, 2 ** 53, NaN, "1", 1n]) {
        await rejects(() => c.add(bad as number), typeof bad === "number" ? RangeError : TypeError);
      }
      assert.equal(await c.total(), 0);
      await close();
      await store.close();
    },
  },
];
