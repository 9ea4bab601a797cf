// Regions, waits and holder death across Windows processes, run under wine by tests/windows/run.mjs
// with Node 26 (node:ffi); the other processes are Node 22 (koffi, through tsx) and Node 26. The
// Windows node.exe paths come from ATOMICX_WIN_NODE22 and ATOMICX_WIN_NODE26.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SharedMemory } from "../../mod.ts";
import { assert } from "../support/assert.ts";

const child = fileURLToPath(new URL("./child.ts", import.meta.url));
const RUNTIMES: Record<
  string,
  { command: string; args: string[]; env: Record<string, string> }
> = {
  node22: {
    command: process.env.ATOMICX_WIN_NODE22!,
    args: ["--import", "tsx", "--no-warnings"],
    env: { ATOMICX_FFI: "koffi" },
  },
  node26: {
    command: process.env.ATOMICX_WIN_NODE26!,
    args: ["--experimental-ffi", "--no-warnings"],
    env: {},
  },
};
/** Generous: every wine process start costs a second or more, and waits are slower under wine. */
const LIMIT_MS = 60_000;

/** Starts the child fixture; `next()` resolves to its next JSON line. */
function start(runtime: string, args: (string | number)[]) {
  const r = RUNTIMES[runtime];
  const proc: ChildProcess = spawn(r.command, [
    ...r.args,
    child,
    ...args.map(String),
  ], {
    env: { ...process.env, ...r.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let read = 0;
  const waiting: (() => void)[] = [];
  proc.stdout!.on("data", (c) => {
    stdout += c;
    waiting.splice(0).forEach((f) => f());
  });
  proc.stderr!.on("data", (c) => (stderr += c));
  const exit = new Promise<number | null>((resolve) => proc.on("close", resolve));
  exit.then(() => waiting.splice(0).forEach((f) => f()));
  let ended = false;
  exit.then(() => (ended = true));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const lines = stdout.split("\n");
        if (lines.length > read + 1) return resolve(JSON.parse(lines[read++]));
        if (ended) {
          return reject(new Error(`${runtime} ended: ${stdout}${stderr}`));
        }
        waiting.push(check);
      };
      check();
    });
  return { proc, next, exit };
}

async function withRegion(
  tag: string,
  fn: (name: string, region: SharedMemory) => Promise<void>,
) {
  const name = `atomicx-win-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const region = SharedMemory.open(name, { capacity: 32, only: "create" });
  try {
    await fn(name, region);
  } finally {
    region.close();
    SharedMemory.unlink(name);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  "a counter and a mutex-protected plain counter stay exact across Node 22 (koffi) and Node 26 (node:ffi)",
  {
    timeout: 3 * LIMIT_MS,
  },
  () =>
    withRegion("count", async (name, region) => {
      const n = 20_000;
      const runs = ["node22", "node26"].map((r) => start(r, ["count", name, n]));
      for (const r of runs) assert.deepEqual(await r.next(), { done: true });
      assert.equal(region.int("added").load(), 2 * n);
      assert.equal(region.int("plain").load(), 2 * n);
      assert.equal(region.mutex("m").locked, false);
    }),
);

for (const runtime of ["node22", "node26"]) {
  test(`a notify in this process wakes a wait in a ${runtime} process`, {
    timeout: LIMIT_MS,
  }, () =>
    withRegion(`wait-${runtime}`, async (name, region) => {
      const flag = region.int("flag");
      const r = start(runtime, ["wait", name]);
      assert.deepEqual(await r.next(), { ready: true });
      // The value never changes: only a notify from this process can end the child's wait early.
      let woken = 0;
      const deadline = performance.now() + LIMIT_MS / 2;
      while (woken === 0 && performance.now() < deadline) {
        woken = flag.notify();
        if (woken === 0) await sleep(20);
      }
      assert.equal(woken, 1);
      assert.deepEqual(await r.next(), { result: "ok" });
    }));
}

test(
  "a killed mutex holder: the next lock says ownerDied",
  { timeout: LIMIT_MS },
  () =>
    withRegion("mutex", async (name, region) => {
      const r = start("node22", ["hold-mutex", name]);
      assert.deepEqual(await r.next(), { held: true });
      const m = region.mutex("m");
      assert.equal(m.tryLock(), undefined);
      r.proc.kill();
      await r.exit;
      const guard = m.lock({ timeout: 10_000 });
      assert.equal(guard.ownerDied, true);
      guard.unlock();
      assert.equal(m.lock({ timeout: 1_000 }).ownerDied, false);
    }),
);

test(
  "a killed semaphore holder's permits are given back",
  { timeout: LIMIT_MS },
  () =>
    withRegion("sem", async (name, region) => {
      const r = start("node26", ["hold-permits", name]);
      assert.deepEqual(await r.next(), { held: true });
      const s = region.semaphore("s", 3);
      assert.equal(s.tryAcquire(2), undefined);
      r.proc.kill();
      await r.exit;
      const permit = s.acquire(3, { timeout: 10_000 });
      assert.equal(permit.ownerDied, true);
      permit.release();
      assert.equal(s.available, 3);
    }),
);

test(
  "a terminated Worker's region mutex is taken over with ownerDied",
  { timeout: LIMIT_MS },
  () =>
    withRegion("worker", async (name, region) => {
      const worker = new Worker(new URL("./worker.ts", import.meta.url), {
        workerData: name,
      });
      const held = new Promise((resolve) => worker.once("message", resolve));
      worker.postMessage("go");
      assert.equal(await held, "held");
      const m = region.mutex("w");
      assert.equal(m.tryLock(), undefined);
      await worker.terminate();
      const guard = m.lock({ timeout: 10_000 });
      assert.equal(guard.ownerDied, true);
      guard.unlock();
    }),
);
