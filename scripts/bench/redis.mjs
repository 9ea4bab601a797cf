#!/usr/bin/env node
// `npm run bench:redis`: atomicx/redis against what a user would otherwise write or pick, on a
// local redis-server (Debian's, installed when missing and started here on a free 127.0.0.1 port,
// stopped after), every contender through the same ioredis client:
//   - RedisCounter adds/s and the Redis commands it sends, against one INCRBY per event (awaited
//     one by one, and 64 in flight);
//   - RedisAtomicInt.add round trips against a bare INCRBY;
//   - RedisMutex lockAsync+unlock against redis-semaphore's Mutex and @sesamecare-oss/redlock,
//     uncontended and with 2 connections taking one lock in turn;
//   - RedisRateLimiter.take against rate-limiter-flexible's RateLimiterRedis.consume;
//   - atomicInt.add and lock+unlock through a 3-master + 3-replica Redis Cluster (ioredis Cluster)
//     beside the same on one server.
// The results replace the section between `<!-- redis:start -->` and `<!-- redis:end -->` of
// BENCHMARKS.md.
//
//   node scripts/bench/redis.mjs [--help] [--skip-setup] [--no-write]
//
// Plain JavaScript: it starts on any Node, sets up, then runs itself again on the pinned Node 26
// (which runs the TypeScript sources).
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { startCluster, startRedis } from "../lib/redis.mjs";
import { publishSection, sectionBench } from "../lib/report_section.mjs";
import { onPinnedNodeWithFfi } from "../lib/runtimes.mjs";
import { root } from "../lib/setup.mjs";

const options = sectionBench("redis");
onPinnedNodeWithFfi(import.meta.url);

const loadBefore = loadavg()[0];
const redis = await startRedis();
if (!redis) process.exit(1);
const { default: Redis } = await import("ioredis");
const { createClient } = await import("redis");
const { Mutex: SemaphoreMutex } = await import("redis-semaphore");
const { Redlock } = await import("@sesamecare-oss/redlock");
const { RateLimiterRedis } = await import("rate-limiter-flexible");
const { RedisStore } = await import("../../redis/mod.ts");

const connect = async () => {
  const client = new Redis({ host: "127.0.0.1", port: redis.port, lazyConnect: true });
  await client.connect();
  return client;
};
const client = await connect();
const other = await connect();
const nodeRedis = await createClient({ url: `redis://127.0.0.1:${redis.port}` }).connect();
const store = new RedisStore(client, { prefix: "bench:" });
const otherStore = new RedisStore(other, { prefix: "bench:" });
const nodeRedisStore = new RedisStore(nodeRedis, { prefix: "bench-nr:" });

const rate = (n, ms) => (n / ms) * 1000;
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const x = (r) => `${r.toLocaleString("en-US", { maximumSignificantDigits: 3 })}×`;
const mark = (ok) => (ok === undefined ? "—" : ok ? "✅" : "❌");

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The median of ROUNDS short rounds of each of `fns` (ops per second), interleaved against noise. */
const ROUNDS = 11;
async function interleaved(n, fns) {
  const rates = fns.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn(n);
      rates[i].push(rate(n, performance.now() - t0));
    }
  }
  return rates.map(median);
}

/** Commands the server ran so far (INFO stats `total_commands_processed`), minus INFO itself. */
async function commandsProcessed() {
  const info = await other.info("stats");
  return Number(info.match(/total_commands_processed:(\d+)/)[1]);
}

// 1. Counter adds against one INCRBY per event.
const ROUND_MS = 1_000;
async function counterRound() {
  const hits = store.counter(`hits-${Math.random()}`, { flushMs: 100 });
  const before = await commandsProcessed();
  const t0 = performance.now();
  let adds = 0;
  while (performance.now() - t0 < ROUND_MS) {
    for (let i = 0; i < 10_000; i++) hits.add(1);
    adds += 10_000;
    await new Promise((r) => setImmediate(r)); // the program's other work; lets the flush run
  }
  const ms = performance.now() - t0;
  await hits.close();
  const sent = (await commandsProcessed()) - before - 1; // the second INFO counts itself
  const total = await hits.total();
  if (total !== adds) throw new Error(`counter: ${total} in Redis, ${adds} added`);
  return { perSecond: rate(adds, ms), adds, sent };
}
async function incrbyRound(inFlight) {
  const key = `incr-${Math.random()}`;
  const t0 = performance.now();
  let adds = 0;
  while (performance.now() - t0 < ROUND_MS) {
    await Promise.all(Array.from({ length: inFlight }, () => client.incrby(key, 1)));
    adds += inFlight;
  }
  const ms = performance.now() - t0;
  if (Number(await client.get(key)) !== adds) throw new Error("incrby lost adds");
  return { perSecond: rate(adds, ms), adds, sent: adds };
}
const counter = { perSecond: 0 }, incr1 = { perSecond: 0 }, incr64 = { perSecond: 0 };
for (let round = 0; round < 3; round++) {
  for (
    const [slot, run] of [[counter, counterRound], [incr1, () => incrbyRound(1)], [
      incr64,
      () => incrbyRound(64),
    ]]
  ) {
    const r = await run();
    if (r.perSecond > slot.perSecond) Object.assign(slot, r);
  }
}
console.log(
  `counter ${fmt(counter.perSecond)} adds/s, ${counter.sent} commands for ${
    fmt(counter.adds)
  } adds`,
);
console.log(
  `INCRBY per event: ${fmt(incr1.perSecond)}/s awaited, ${fmt(incr64.perSecond)}/s 64 in flight`,
);

// 2. atomicInt.add against a bare INCRBY (the floor: one round trip).
const N = 800;
const seq = store.atomicInt("seq");
const seqNr = nodeRedisStore.atomicInt("seq");
// The floor of any scripted operation: the smallest script that adds, sent by its SHA.
const bareSha = await client.script("LOAD", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
const [intRate, intNrRate, incrRate, bareRate] = await interleaved(N, [
  async (n) => {
    for (let i = 0; i < n; i++) await seq.add(1);
  },
  async (n) => {
    for (let i = 0; i < n; i++) await seqNr.add(1);
  },
  async (n) => {
    for (let i = 0; i < n; i++) await client.incrby("bench:raw", 1);
  },
  async (n) => {
    for (let i = 0; i < n; i++) await client.evalsha(bareSha, 1, "bench:bare", 1);
  },
]);
console.log(
  `atomicInt.add ${fmt(intRate)}/s (node-redis ${fmt(intNrRate)}/s), INCRBY ${fmt(incrRate)}/s`,
);

// 3. Mutex acquire+release, uncontended.
const ours = store.mutex("m");
const sem = new SemaphoreMutex(client, "bench:sem", { refreshInterval: 0 });
const redlock = new Redlock([client], { retryCount: 0 });
const [lockRate, tryRate, semRate, redlockRate] = await interleaved(N, [
  async (n) => {
    for (let i = 0; i < n; i++) await (await ours.lockAsync()).unlock();
  },
  async (n) => {
    for (let i = 0; i < n; i++) await (await ours.tryLockAsync()).unlock();
  },
  async (n) => {
    for (let i = 0; i < n; i++) {
      await sem.acquire();
      await sem.release();
    }
  },
  async (n) => {
    for (let i = 0; i < n; i++) await (await redlock.acquire(["bench:redlock"], 10_000)).release();
  },
]);
console.log(
  `mutex lock+unlock ${fmt(lockRate)}/s (try ${fmt(tryRate)}/s), redis-semaphore ${
    fmt(semRate)
  }/s, redlock ${fmt(redlockRate)}/s`,
);

// 4. Two connections taking one lock in turn, a read-increment-write under it. Also counts how
// often the holder changed side (strict turns: every time).
const changes = new Map();
async function contended(n, lockOf, key) {
  await client.set(key, 0);
  let last = -1, changed = 0;
  const t0 = performance.now();
  await Promise.all([0, 1].map(async (side) => {
    for (let i = 0; i < n / 2; i++) {
      const release = await lockOf(side);
      if (side !== last) changed++;
      last = side;
      const v = Number(await (side ? other : client).get(key));
      await (side ? other : client).set(key, v + 1);
      await release();
    }
  }));
  const ms = performance.now() - t0;
  if (Number(await client.get(key)) !== n) throw new Error(`${key}: lost increments`);
  changes.set(key, [...(changes.get(key) ?? []), changed]);
  return rate(n, ms);
}
const oursBoth = [store.mutex("c"), otherStore.mutex("c")];
const semBoth = [
  new SemaphoreMutex(client, "bench:semc", { refreshInterval: 0, acquireTimeout: 60_000 }),
  new SemaphoreMutex(other, "bench:semc", { refreshInterval: 0, acquireTimeout: 60_000 }),
];
const CN = 1_000;
// Paired rounds (ours, then redis-semaphore's): the medians of each and of the pairs' ratios.
const CONT_ROUNDS = 7;
const contPairs = [];
for (let round = 0; round < CONT_ROUNDS; round++) {
  const ours = await contended(CN, async (s) => {
    const g = await oursBoth[s].lockAsync();
    return () => g.unlock();
  }, "bench:plain-ours");
  const theirs = await contended(CN, async (s) => {
    await semBoth[s].acquire();
    return () => semBoth[s].release();
  }, "bench:plain-sem");
  contPairs.push([ours, theirs]);
}
const contOurs = median(contPairs.map(([o]) => o));
const contSem = median(contPairs.map(([, t]) => t));
const contRatio = median(contPairs.map(([o, t]) => o / t));
const turnsOurs = median(changes.get("bench:plain-ours"));
const turnsSem = median(changes.get("bench:plain-sem"));
console.log(
  `2 connections in turn: ours ${fmt(contOurs)}/s, redis-semaphore ${fmt(contSem)}/s ` +
    `(median ratio of ${CONT_ROUNDS} pairs ${contRatio.toFixed(2)}); the holder changed side ` +
    `${turnsOurs} and ${turnsSem} times in ${CN} holds`,
);

// 5. Hand-off: A holds, B waits, A unlocks: how long until B holds (median of HANDOFFS).
const HANDOFFS = 100;
async function handoff(take, give) {
  const times = [];
  for (let i = 0; i < HANDOFFS; i++) {
    const held = await take(0);
    let released = 0;
    const waiting = take(1).then((g) => [performance.now() - released, g]);
    await new Promise((r) => setTimeout(r, 3)); // B is waiting now
    released = performance.now();
    await give(0, held);
    const [ms, g] = await waiting;
    times.push(ms);
    await give(1, g);
  }
  return times.sort((a, b) => a - b)[HANDOFFS >> 1];
}
const handOurs = await handoff((s) => oursBoth[s].lockAsync(), (_s, g) => g.unlock());
const handSem = await handoff((s) => semBoth[s].acquire(), (s) => semBoth[s].release());
console.log(
  `hand-off median: ours ${handOurs.toFixed(2)} ms, redis-semaphore ${handSem.toFixed(2)} ms`,
);

// 6. Rate-limiter decisions.
const limiter = store.rateLimiter("api", { limit: 1_000_000, windowMs: 60_000 });
const flexible = new RateLimiterRedis({
  storeClient: client,
  points: 1_000_000_000,
  duration: 60,
  keyPrefix: "bench:rlf",
});
const [takeRate, flexRate] = await interleaved(N, [
  async (n) => {
    for (let i = 0; i < n; i++) await limiter.take("k");
  },
  async (n) => {
    for (let i = 0; i < n; i++) await flexible.consume("k", 1);
  },
]);
console.log(`rateLimiter.take ${fmt(takeRate)}/s, RateLimiterRedis.consume ${fmt(flexRate)}/s`);

// 7. The same through a 3-master + 3-replica Redis Cluster (ioredis Cluster), beside one server.
const cluster = await startCluster();
const { Cluster } = await import("ioredis");
const clusterClient = new Cluster([{ host: "127.0.0.1", port: cluster.ports[0] }]);
await new Promise((resolve) => clusterClient.once("ready", resolve));
const clusterStore = new RedisStore(clusterClient, { prefix: "bench-cluster:" });
const clusterInt = clusterStore.atomicInt("n");
const clusterMutex = clusterStore.mutex("m");
const singleInt = store.atomicInt("n-single");
const singleMutex = store.mutex("m-single");
const [cIntRate, cLockRate, sIntRate, sLockRate] = await interleaved(N, [
  async (n) => {
    for (let i = 0; i < n; i++) await clusterInt.add(1);
  },
  async (n) => {
    for (let i = 0; i < n; i++) await (await clusterMutex.lockAsync()).unlock();
  },
  async (n) => {
    for (let i = 0; i < n; i++) await singleInt.add(1);
  },
  async (n) => {
    for (let i = 0; i < n; i++) await (await singleMutex.lockAsync()).unlock();
  },
]);
console.log(
  `cluster: atomicInt.add ${fmt(cIntRate)}/s (one server ${fmt(sIntRate)}/s), lock+unlock ${
    fmt(cLockRate)
  }/s (one server ${fmt(sLockRate)}/s)`,
);
await clusterStore.close();
clusterClient.disconnect();
await cluster.stop();

await store.close();
await otherStore.close();
await nodeRedisStore.close();
client.disconnect();
other.disconnect();
nodeRedis.destroy();
redis.stop();

// The section.
/** A package's version: the baselines' own node_modules (scripts/bench/) first, then the root's. */
const pkg = (p) => {
  const where = [join(root, "scripts", "bench", "node_modules"), join(root, "node_modules")]
    .map((dir) => join(dir, p, "package.json")).find((file) => existsSync(file));
  return JSON.parse(readFileSync(where, "utf8")).version;
};
const bestIncr = Math.max(incr1.perSecond, incr64.perSecond);
const bestLockPeer = Math.max(semRate, redlockRate);
const rows = [
  [
    "`RedisCounter.add` ≥ 100× one `INCRBY` per event (the better of awaited and 64 in flight)",
    `${fmt(counter.perSecond)}/s vs ${fmt(bestIncr)}/s; ${counter.sent} commands for ${
      fmt(counter.adds)
    } adds vs one per add`,
    x(counter.perSecond / bestIncr),
    counter.perSecond >= 100 * bestIncr,
  ],
  [
    "`RedisAtomicInt.add` within 1.2× a bare `INCRBY` round trip",
    `${fmt(intRate)}/s vs ${fmt(incrRate)}/s (node-redis: ${
      fmt(intNrRate)
    }/s; the smallest script, \`EVALSHA\` of \`return redis.call('INCRBY', …)\`: ${
      fmt(bareRate)
    }/s)`,
    `${(incrRate / intRate).toFixed(2)}×`,
    incrRate / intRate <= 1.2,
  ],
  [
    "`RedisMutex` `lockAsync()`+`unlock()` within 1.2× the best of redis-semaphore and redlock",
    `${fmt(lockRate)}/s (tryLockAsync: ${fmt(tryRate)}/s) vs redis-semaphore ${
      fmt(semRate)
    }/s, redlock ${fmt(redlockRate)}/s`,
    `${(bestLockPeer / lockRate).toFixed(2)}×`,
    bestLockPeer / lockRate <= 1.2,
  ],
  [
    "Hand-off to a waiting holder (median; the release wakes it): faster than redis-semaphore's polling",
    `${handOurs.toFixed(2)} ms vs ${handSem.toFixed(2)} ms`,
    `${(handSem / handOurs).toFixed(1)}× faster`,
    handOurs < handSem,
  ],
  [
    "2 connections taking one lock in turn, read-increment-write under it: at least redis-semaphore's rate (ours is fair: strict turns)",
    `${fmt(contOurs)}/s vs redis-semaphore ${fmt(contSem)}/s`,
    `${contRatio.toFixed(2)}×`,
    contRatio >= 1,
  ],
  [
    "Redis Cluster (3 masters + 3 replicas, ioredis `Cluster`): `atomicInt.add` and lock+unlock beside one server (no target)",
    `${fmt(cIntRate)}/s and ${fmt(cLockRate)}/s vs ${fmt(sIntRate)}/s and ${fmt(sLockRate)}/s`,
    `${(cIntRate / sIntRate).toFixed(2)}×, ${(cLockRate / sLockRate).toFixed(2)}×`,
    undefined,
  ],
  [
    "`RedisRateLimiter.take` within 1.2× `RateLimiterRedis.consume`",
    `${fmt(takeRate)}/s vs ${fmt(flexRate)}/s`,
    `${(flexRate / takeRate).toFixed(2)}×`,
    flexRate / takeRate <= 1.2,
  ],
];
const date = new Date().toISOString().replace("T", " ").slice(0, 19);
const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "?";
const section = `## Beyond one host (atomicx/redis)

Measured ${date} UTC by \`npm run bench:redis\` (scripts/bench/redis.mjs) on ${cpu}, ${cpus().length}
cores (shared with other work: figures are noisy, ratios from one run are what count; load average
${loadBefore.toFixed(2)} at the start, ${
  loadavg()[0].toFixed(2)
} at the end). Node ${process.version},
${redis.version} on 127.0.0.1 (Debian's, no persistence), ioredis ${pkg("ioredis")} for every
contender (node-redis ${pkg("redis")} where named), redis-semaphore ${
  pkg("redis-semaphore")
}, @sesamecare-oss/redlock ${pkg("@sesamecare-oss/redlock")}, rate-limiter-flexible ${
  pkg("rate-limiter-flexible")
}.

Round-trip figures are operations per second awaited one after the other through one connection,
the median of ${ROUNDS} interleaved rounds of ${N}; turn-taking: ${CONT_ROUNDS} paired rounds of
${CN}, the median ratio of the pairs; the counter and \`INCRBY\` rounds last ${ROUND_MS} ms each (the counter adds in bursts of 10,000 and yields between them, so that its 100 ms flush runs;
its total is checked against Redis after each round). "Commands" are the server's own count
(\`INFO stats\`).

| target | measured | ratio | met |
| --- | --- | ---: | :---: |
${
  rows.map(([what, measured, ratio, ok]) => `| ${what} | ${measured} | ${ratio} | ${mark(ok)} |`)
    .join("\n")
}

- What bounds them: every figure but the counter's is loopback round trips — one per operation,
  two for a lock+unlock, as for the peers — on a 2-core machine where the client, the server and
  other work share the cores. atomicx sends every read-modify-write as a Lua script (atomic, one
  round trip, server time); a script costs the server more than one plain command, and the
  smallest adding script (\`EVALSHA\` of \`return redis.call('INCRBY', …)\`, in the atomicInt row)
  measures that floor beside \`INCRBY\`: \`RedisAtomicInt.add\` runs at ${
  (intRate / bareRate * 100).toFixed(0)
}% of it. The counter's floor is the local striped \`Counter\` add (nanoseconds); Redis sees one
  script per \`flushMs\` at most.
- The price of exactly once and of fair waiting: the atomicInt and limiter scripts and the
  release also look up and record their operation id in the object's operation table (two
  generations of one hash: four more server calls inside the script, no clock, no sorted set); the
  acquire needs none (the waiter's id is its operation id: a resend finds the lock its own and
  returns the recorded grant) and only looks at the head of the waiting line unless it must wait.
  What is left still costs the server more than a bare command, so lock+unlock and the limiter
  stay below their peers, which keep no operation ids, fencing floor or line.
- redis-semaphore and redlock take their lock with \`SET NX PX\` and release with a script; atomicx
  takes it with a script that also bumps the fencing token and records the holder for
  \`ownerDied\`. Waiting is pub/sub: a release publishes, waiters wake at once; redis-semaphore
  polls every 10 ms by default while the lock is held.
- Two connections taking one lock in turn: atomicx serves waiters in order of arrival, so the two
  sides strictly alternate. The release hands the lock straight to the head of the line (lease,
  fencing token) and says so in its wake-up message, so the waiter holds it without another round
  trip, while the releasing side's own next try joins the line behind it. redis-semaphore is not
  fair: its releasing side usually takes the lock again at once (no hand-over at all) while the
  other side polls every 10 ms: of ${CN} holds, the holder changed side ${turnsOurs} times with
  atomicx and ${turnsSem} times with redis-semaphore (medians). A change of side costs a hop the
  unfair re-take does not: the wake-up reaches the other connection by pub/sub after the release's
  reply, and the releasing side's try that joins the line runs on the server meanwhile. The
  figures: ${x(contRatio)} of redis-semaphore's rate (the median of the pairs).
`;
publishSection(options, "redis", section);
