// The region rate limiter (`region.rateLimiter`) in one process, on a clock the case sets: GCRA
// decisions to the microsecond, the exact rate whatever windowMs / limit leaves over, keys
// reclaimed when their bucket is full again, the overflow bucket when a table is full, and bad
// input. The cross-process and Worker cases run in tests/processes/rate_limit.test.ts.
import type { RateDecision, SharedMemory } from "../../mod.ts";
import { assert } from "../support/assert.ts";
import { regionFile, withRegion } from "../support/regions.ts";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { test } from "../harness.ts";

const T0 = 1_800_000_000_000_000; // µs since the epoch
// deno-lint-ignore no-explicit-any
type Any = any;

/** Asserts that `action` throws exactly a `type` whose message matches `message`. */
function throwsLike(action: () => unknown, type: ErrorConstructor, message = /./): void {
  assert.throws(action, (error: unknown) => {
    assert.equal((error as Error).constructor, type, `expected ${type.name}, got ${error}`);
    assert.match((error as Error).message, message);
    return true;
  });
}

/** A limiter on a clock that only moves when the case moves it. */
function onClock(region: SharedMemory, name: string, options: Record<string, number>) {
  const clock = { now: T0 };
  const limiter = region.rateLimiter(name, { ...options, clock: () => clock.now } as Any);
  return { limiter, clock };
}

test("shm rate limiter: a fresh key allows `limit` at once, then one token per interval", async () => {
  await withRegion("rate-basic", (region) => {
    const { limiter, clock } = onClock(region, "api", { limit: 4, windowMs: 1_000, keys: 16 });
    const seen: RateDecision[] = [];
    for (let i = 0; i < 5; i++) seen.push(limiter.take("alice"));
    assert.deepEqual(seen.map((d) => d.allowed), [true, true, true, true, false]);
    assert.deepEqual(seen.map((d) => d.remaining), [3, 2, 1, 0, 0]);
    assert.equal(seen[4].retryAfterMs, 250);
    clock.now += 249_999;
    assert.equal(limiter.take("alice").allowed, false);
    assert.equal(limiter.take("alice").retryAfterMs, 1);
    clock.now += 1;
    assert.deepEqual(limiter.take("alice"), { allowed: true, remaining: 0, retryAfterMs: 0 });
    assert.deepEqual(limiter.take("bob", 4), { allowed: true, remaining: 0, retryAfterMs: 0 });
    assert.deepEqual(limiter.take("carol", 3), { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.deepEqual(limiter.take("carol", 2), { allowed: false, remaining: 1, retryAfterMs: 250 });
  });
});

test("shm rate limiter: the rate is exact when windowMs / limit is not a whole microsecond", async () => {
  await withRegion("rate-exact", (region) => {
    // 3 per 1 ms: 333.33… µs per token. One take a µs for 300,000 µs from an interval boundary:
    // the 3 of the full bucket, then one per boundary passed (899): 902 exactly (a 333 µs
    // interval would allow 903, a 334 µs one 901).
    const { limiter, clock } = onClock(region, "exact", { limit: 3, windowMs: 1, keys: 16 });
    let allowed = 0;
    for (let t = 0; t < 300_000; t += 1) {
      clock.now = T0 + t;
      if (limiter.take("k").allowed) allowed++;
    }
    assert.equal(allowed, 3 + 899);
  });
});

test("shm rate limiter: a key whose bucket is full again holds nothing; 100,000 keys through 64 entries", async () => {
  await withRegion("rate-reclaim", (region) => {
    const { limiter, clock } = onClock(region, "ips", { limit: 100, windowMs: 1_000, keys: 64 });
    // One request per key every 1 ms: a key holds its entry for one interval (10 ms), so about 10
    // are active at once, in 64 entries: every one allowed, none in the overflow bucket.
    for (let i = 0; i < 100_000; i++) {
      clock.now = T0 + i * 1_000;
      const decision = limiter.take(`198.51.${(i >> 8) & 255}.${i & 255}/${i >> 16}`);
      assert.equal(decision.allowed, true);
    }
    assert.equal(limiter.overflowed, 0);
    assert.equal(region.entries().length, 1); // one array: no slot per key
  });
});

test("shm rate limiter: more keys active than the table holds share the overflow bucket, never throw", async () => {
  await withRegion("rate-overflow", (region) => {
    const { limiter, clock } = onClock(region, "full", { limit: 10, windowMs: 1_000, keys: 4 });
    let allowed = 0;
    for (let i = 0; i < 1_000; i++) if (limiter.take(`key-${i}`).allowed) allowed++;
    // 4 entries of 1 token each, then the overflow bucket's 10 tokens (shared by the rest); new
    // entries inherit the overflow's debt, so no key gets more than its limit by moving.
    assert.ok(allowed >= 10 && allowed <= 14, `allowed ${allowed}`);
    assert.ok(limiter.overflowed > 0);
    clock.now += 1_000_000; // a window later every bucket, the overflow's too, is full again
    assert.equal(limiter.take("late").allowed, true);
    // A key refused in the overflow bucket and then placed in an entry keeps its limit.
    const k = onClock(region, "move", { limit: 2, windowMs: 1_000, keys: 1 });
    k.limiter.take("x");
    assert.equal(k.limiter.take("x").allowed, true);
    assert.equal(k.limiter.take("y").allowed, true); // overflow: 2 tokens
    assert.equal(k.limiter.take("y").allowed, true);
    assert.equal(k.limiter.take("y").allowed, false);
  });
});

test("shm rate limiter: table words another program overwrote never make take throw", async () => {
  await withRegion("rate-tampered", (region, name) => {
    const { limiter } = onClock(region, "api", { limit: 2, windowMs: 1_000, keys: 1 });
    limiter.take("a");
    // The table is words 0–4: limit, window, the overflow bucket, the overflow count, one entry.
    // Each of words 2–4 gets a marker through the same slot, found in the file, and overwritten
    // with a 64-bit value no limiter writes, as a program that is not atomicx could.
    const table = region.intArray("rate:api", 5);
    const marker = (i: number) => 0x5eed_0000_0000 + i;
    for (let i = 2; i < 5; i++) table.store(i, marker(i));
    const bytes = (value: bigint) => new Uint8Array(new BigInt64Array([value]).buffer);
    const tamper = (values: bigint[]) => {
      const image = readFileSync(regionFile(name));
      const file = openSync(regionFile(name), "r+");
      values.forEach((value, k) => {
        const at = image.indexOf(bytes(BigInt(marker(k + 2))));
        assert.ok(at > 0, "the marker is in the file");
        writeSync(file, bytes(value), 0, 8, at);
      });
      closeSync(file);
    };
    tamper([2n ** 63n - 1n, -(2n ** 62n), -1n]);
    assert.ok(!Number.isSafeInteger(table.load(2)), "the overflow bucket is malformed");
    // The entry and the overflow bucket read as free, the count as 0; nothing throws.
    assert.equal(limiter.overflowed, 0);
    assert.deepEqual(limiter.take("a"), { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.deepEqual(limiter.take("b"), { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.equal(limiter.overflowed, 1); // "b" went to the overflow bucket: the one entry is "a"'s
    for (let i = 2; i < 5; i++) {
      assert.ok(Number.isSafeInteger(table.load(i)) && table.load(i) >= 0, `word ${i} repaired`);
    }
    // A count at the top of the safe integers stays there instead of overflowing.
    for (let i = 2; i < 5; i++) table.store(i, marker(i));
    tamper([0n, BigInt(Number.MAX_SAFE_INTEGER), 0n]);
    assert.equal(limiter.take("c").allowed, true);
    assert.equal(limiter.take("d").allowed, true);
    assert.equal(limiter.overflowed, Number.MAX_SAFE_INTEGER);
  }, 16);
});

test("shm rate limiter: bad input is a clear error and changes nothing", async () => {
  await withRegion("rate-bad", (region) => {
    const good = { limit: 5, windowMs: 1_000, keys: 16 };
    const bad: [unknown, unknown, RegExp, ErrorConstructor][] = [
      [1, good, /name must be a string/, TypeError],
      ["", good, /1 to 43 UTF-8 bytes/, RangeError],
      ["x".repeat(44), good, /1 to 43 UTF-8 bytes/, RangeError],
      ["a", undefined, /options \{ limit, windowMs \} are required/, TypeError],
      ["a", { windowMs: 1 }, /limit/, TypeError],
      ["a", { limit: 0, windowMs: 1 }, /limit must be at least 1/, RangeError],
      ["a", { limit: 1.5, windowMs: 1 }, /limit/, RangeError],
      ["a", { limit: 1, windowMs: "1" }, /windowMs must be a number/, TypeError],
      ["a", { limit: 1, windowMs: 0.5 }, /windowMs must be at least 1/, RangeError],
      ["a", { limit: 1, windowMs: 1.0001 }, /whole number of microseconds/, RangeError],
      ["a", { limit: 1001, windowMs: 1 }, /more than one token per microsecond/, RangeError],
      ["a", { limit: 1, windowMs: 1, keys: 0 }, /keys must be 1 to/, RangeError],
    ];
    for (const [name, options, message, type] of bad) {
      throwsLike(() => region.rateLimiter(name as Any, options as Any), type, message);
    }
    assert.deepEqual(region.entries(), []); // nothing made
    const limiter = region.rateLimiter("a", good);
    throwsLike(
      () => region.rateLimiter("a", { limit: 6, windowMs: 1_000, keys: 16 }),
      RangeError,
      /exists in this region with limit 5 per 1000 ms, not 6 per 1000 ms/,
    );
    for (
      const [key, n, type] of [
        [1, 1, TypeError],
        ["", 1, RangeError],
        ["k".repeat(1025), 1, RangeError],
        ["k", 0, RangeError],
        ["k", 6, RangeError],
        ["k", 1.5, RangeError],
        ["k", "1", TypeError],
      ] as [unknown, unknown, ErrorConstructor][]
    ) throwsLike(() => limiter.take(key as Any, n as Any), type);
    assert.deepEqual(limiter.take("k", 5), { allowed: true, remaining: 0, retryAfterMs: 0 });
    region.close();
    throwsLike(() => limiter.take("k"), Error, /closed/);
  });
});
