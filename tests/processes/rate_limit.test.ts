// The region rate limiter (`region.rateLimiter`) between processes of every runtime and Workers.
// Its own suite of `npm test` ("shared memory: rate limiter …"), run with Node 26:
//   node --experimental-ffi --test tests/processes/rate_limit.test.ts
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { SharedMemory } from "../../mod.ts";
import { runtimeCommand } from "../../scripts/lib/runtimes.mjs";
import { assert } from "../support/assert.ts";
import { runWorkers } from "../support/workers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = fileURLToPath(new URL("../fixtures/rate_limit_process.ts", import.meta.url));
const workerScript = new URL("../fixtures/rate_limit_worker.ts", import.meta.url);
const runtimes = ["deno", "bun", "node", "koffi"];
const TIMEOUT_MS = 120_000;

/** Runs the fixture on `runtime`; resolves to its JSON line (rejects on a failure or stderr). */
function run(runtime: string, args: (string | number)[]): Promise<Record<string, number>> {
  const { command, args: base, env } = runtimeCommand(runtime, fixture);
  const child = spawn(command, [...base, ...args.map(String)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: TIMEOUT_MS,
  });
  let stdout = "", stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  return new Promise((resolve, reject) =>
    child.on("close", (code) => {
      if (code !== 0 || stderr !== "") {
        reject(new Error(`${runtime} ${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`));
      } else resolve(JSON.parse(stdout.trim().split("\n").at(-1)!));
    })
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withRegion(tag: string, fn: (name: string) => Promise<void>) {
  const name = `atomicx-rate-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await fn(name);
  } finally {
    SharedMemory.unlink(name);
  }
}

// A window of 2^53 µs / limit: one token back every ~2.5 hours, so a run that starts and ends in
// one interval (checked: else it runs again) must allow exactly `limit`.
const LIMIT = 1000;
const WINDOW_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000 / LIMIT);
const intervalOf = () => Math.floor((Date.now() * LIMIT) / WINDOW_MS);

test(
  "rate limiter: 8 processes (Deno, Bun, Node, koffi) and 4 Workers take one key at once: exactly `limit` allowed",
  {
    timeout: TIMEOUT_MS * 2,
  },
  async () => {
    for (let attempt = 0;; attempt++) {
      let allowed = 0;
      const first = intervalOf();
      await withRegion("exact", async (name) => {
        using region = SharedMemory.open(name, { capacity: 128 });
        const go = region.bool("go");
        const takes = 2000; // 12 × 2000 takes against 1000 tokens
        const processes = [...runtimes, ...runtimes].map((r) =>
          run(r, ["take", name, LIMIT, WINDOW_MS, takes])
        );
        const workers = runWorkers<{ allowed: number }>(
          workerScript,
          Array.from(
            { length: 4 },
            () => ["take", name, String(LIMIT), String(WINDOW_MS), String(takes)],
          ),
        );
        while (region.int("ready").load() < 12) await sleep(5);
        go.store(true);
        go.notify();
        for (const r of [...await Promise.all(processes), ...await workers]) {
          assert.ok(r.allowed >= 0 && r.allowed <= LIMIT);
          allowed += r.allowed;
        }
      });
      if (intervalOf() === first || attempt === 2) {
        assert.equal(allowed, LIMIT);
        return;
      }
    }
  },
);

test(
  "rate limiter: 100,000 distinct keys from 4 processes through a table of 64 keys: no error, table reclaimed",
  {
    timeout: TIMEOUT_MS,
  },
  async () => {
    await withRegion("spread", async (name) => {
      using region = SharedMemory.open(name, { capacity: 8 }); // 5 slots for the limiter
      const limiter = region.rateLimiter("spread", { limit: 100, windowMs: 1_000, keys: 64 });
      const results = await Promise.all(
        runtimes.map((r, i) => run(r, ["spread", name, i * 25_000, 25_000])),
      );
      let taken = 0;
      for (const r of results) taken += r.allowed + r.refused;
      assert.equal(taken, 100_000);
      // Most went to the overflow bucket (far more than 64 keys were active at once), which new
      // entries inherit; one window later it is full again, and every key took one token, so its
      // entry is free one interval (10 ms) after: 48 new keys then each find an entry of their own.
      assert.ok(limiter.overflowed > 0);
      await sleep(1_100);
      const before = limiter.overflowed;
      for (let i = 0; i < 48; i++) assert.equal(limiter.take(`fresh-${i}`).allowed, true);
      assert.equal(limiter.overflowed - before, 0);
    });
  },
);
