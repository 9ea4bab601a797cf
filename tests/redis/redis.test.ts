// atomicx/redis against a real redis-server (Debian's, started here on a free 127.0.0.1 port):
// the cases on Deno, Bun, Node 26 and Node 20 (koffi) with both clients, and the fault tests —
// hosts of every runtime counting into one name (one SIGKILLed mid-flush), the server paused past a
// lease, the server killed and restarted with appendonly.
//   node --experimental-ffi --no-warnings --test tests/redis/redis.test.ts
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { SharedMemory } from "../../mod.ts";
import { RedisStore } from "../../redis/mod.ts";
import { shortHash } from "../../redis/_names.ts";
import { bin } from "../../scripts/lib/paths.mjs";
import { runtimeCommand } from "../../scripts/lib/runtimes.mjs";
import { startRedis } from "../../scripts/lib/redis.mjs";
import { assert } from "../support/assert.ts";
import { connectClient } from "./clients.ts";
import { FencedResource, StaleTokenError } from "./fenced_resource.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Server = NonNullable<Awaited<ReturnType<typeof startRedis>>>;
let server: Server;

before(async () => {
  const started = await startRedis();
  assert.ok(started, "redis-server is needed (apt-get install redis-server)");
  server = started;
});
after(() => server?.stop());

/** Starts `script` on `runtime`; `line(pred)` resolves with the first JSON line matching. */
function start(runtime: string, script: string, args: (string | number)[]) {
  const { command, args: base, env } = runtimeCommand(runtime, join(root, script));
  const child: ChildProcess = spawn(command, [...base, ...args.map(String)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const line = (key: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const look = () => {
        for (const l of out.split("\n")) {
          if (l.startsWith("{") && l.includes(`"${key}"`)) return resolve(JSON.parse(l)), true;
        }
        return false;
      };
      if (look()) return;
      child.stdout!.on("data", look);
      exit.then((code) =>
        look() || reject(new Error(`${runtime} ${script} exited ${code}:\n${out}`))
      );
    });
  return { child, exit, line, output: () => out };
}

for (const runtime of ["deno", "bun", "node", "koffi"]) {
  test(`the cases with every client on ${runtime}`, { timeout: 120_000 }, async () => {
    const run = start(runtime, "tests/redis/run_cases.ts", [server.port]);
    const code = await run.exit;
    console.log(run.output().trim());
    assert.equal(code, 0, run.output());
  });
}

/** A fresh region name (unlinked by `cleanup`). */
const regions: string[] = [];
function regionName(tag: string): string {
  const name = `atomicx-redis-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  regions.push(name);
  return name;
}
after(() => regions.forEach((name) => SharedMemory.unlink(name)));

/** The slot names of a counter's bookkeeping in a region. */
const slot = (prefix: string, part: string) => `rx/${shortHash(`{${prefix}hits}`)}/${part}`;

test("hosts of Deno, Bun and Node count into one name exactly, one SIGKILLed mid-flush", {
  timeout: 120_000,
}, async () => {
  const prefix = `hosts-${Math.random().toString(36).slice(2, 8)}:`;
  const [h1, h2, h3] = [regionName("h1"), regionName("h2"), regionName("h3")];
  const n = 30_000;
  const victim = start("bun", "tests/redis/host.ts", [
    server.port,
    "ioredis",
    h2,
    prefix,
    "forever",
  ]);
  await victim.line("started");
  const counting = [
    start("deno", "tests/redis/host.ts", [server.port, "node-redis", h1, prefix, "count", n]),
    start("koffi", "tests/redis/host.ts", [server.port, "ioredis", h1, prefix, "count", n]),
    start("node", "tests/redis/host.ts", [server.port, "node-redis", h3, prefix, "count", n]),
  ];
  await sleep(400);
  // Pause the server so the victim's next flush is recorded and sent but not answered, then kill it.
  server.child.kill("SIGSTOP");
  await sleep(300);
  victim.child.kill("SIGKILL");
  await victim.exit;
  const r2 = SharedMemory.open(h2, { only: "attach" });
  const pending = r2.int(slot(prefix, "pseq")).load();
  server.child.kill("SIGCONT");
  assert.notEqual(pending, 0, "the victim died with a flush pending");
  for (const c of counting) assert.deepEqual(await c.line("added"), { added: n });
  // The next start on the victim's host finishes its pending flush.
  const finish = start("deno", "tests/redis/host.ts", [
    server.port,
    "node-redis",
    h2,
    prefix,
    "finish",
  ]);
  await finish.line("done");
  assert.equal(r2.int(slot(prefix, "pseq")).load(), 0);
  const victimAdds = r2.counter(slot(prefix, "sum")).sum();
  assert.ok(victimAdds > 0 && victimAdds % 50 === 0);
  r2.close();
  const { client, close } = await connectClient("node-redis", server.port);
  const stored = Number(await client.get(`{${prefix}hits}:counter`));
  assert.equal(stored, 3 * n + victimAdds);
  const store = new RedisStore(client, { prefix });
  assert.equal(await store.counter("hits").total(), 3 * n + victimAdds);
  await store.close();
  await close();
});

test("a server paused past the lease: the holder's signal aborts, the next holder's token wins", {
  timeout: 120_000,
}, async () => {
  const prefix = `pause-${Math.random().toString(36).slice(2, 8)}:`;
  const a = await connectClient("node-redis", server.port);
  const b = await connectClient("ioredis", server.port);
  const [storeA, storeB] = [a, b].map((c) => new RedisStore(c.client, { prefix }));
  const resource = new FencedResource();
  const leaseMs = 1_000;
  const first = await storeA.mutex("job", { leaseMs }).lockAsync();
  resource.write(first.fencingToken, "first");
  const waiting = storeB.mutex("job", { leaseMs }).lockAsync({ timeout: 20_000 });
  await sleep(100);
  server.child.kill("SIGSTOP");
  try {
    const pausedAt = performance.now();
    await new Promise((resolve) => first.signal.addEventListener("abort", resolve, { once: true }));
    const abortedAfter = performance.now() - pausedAt;
    const pauseMs = 2.5 * leaseMs;
    assert.ok(abortedAfter < pauseMs, `aborted ${abortedAfter} ms into a ${pauseMs} ms pause`);
    assert.equal((first.signal.reason as Error).name, "LeaseLostError");
    await sleep(pauseMs - abortedAfter);
  } finally {
    server.child.kill("SIGCONT"); // whatever happens: the later tests need the server
  }
  const second = await waiting;
  assert.ok(second.fencingToken > first.fencingToken);
  assert.equal(second.ownerDied, true);
  resource.write(second.fencingToken, "second");
  assert.throws(() => resource.write(first.fencingToken, "stale"), StaleTokenError);
  assert.deepEqual(resource.writes.map((w) => w.value), ["first", "second"]);
  await first.unlock(); // no longer its lock: changes nothing
  assert.equal(await storeA.mutex("job").tryLockAsync(), undefined);
  await second.unlock();
  await storeA.close();
  await storeB.close();
  await a.close();
  await b.close();
});

test("redis killed and restarted with appendonly: acknowledged counts stay, counting resumes", {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "atomicx-redis-aof-"));
  let durable = await startRedis({ appendonly: true, dir });
  assert.ok(durable);
  const port = durable.port;
  try {
    const hosts = await Promise.all((["node-redis", "ioredis"] as const).map(async (kind) => {
      const prefix = `aof-${kind}:`;
      const region = SharedMemory.open(regionName(`aof-${kind}`), { capacity: 32 });
      const conn = await connectClient(kind, port);
      const store = new RedisStore(conn.client, { prefix, timeoutMs: 500 });
      const hits = store.counter("hits", { flushMs: 20, region });
      const timer = setInterval(() => hits.add(7), 1);
      const acked = region.int(slot(prefix, "acked"));
      return { kind, prefix, region, conn, store, hits, timer, acked };
    }));
    await sleep(300);
    durable.child.kill("SIGKILL");
    await durable.exited;
    const ackedAtKill = hosts.map((h) => h.acked.load());
    for (const h of hosts) assert.ok(ackedAtKill[hosts.indexOf(h)] > 0, `${h.kind} flushed`);
    await sleep(100);
    for (const h of hosts) {
      await assert.rejects(h.hits.total(), new RegExp(`127\\.0\\.0\\.1:${port}`));
    }
    await sleep(300);
    durable = await startRedis({ appendonly: true, dir, port });
    assert.ok(durable);
    const check = await connectClient("node-redis", port);
    for (const [i, h] of hosts.entries()) {
      const stored = Number(await check.client.get(`{${h.prefix}hits}:counter`));
      assert.ok(stored >= ackedAtKill[i], `${h.kind}: ${stored} < acknowledged ${ackedAtKill[i]}`);
    }
    await sleep(500); // counting goes on; the background flush resumes by itself
    for (const h of hosts) clearInterval(h.timer);
    for (const [i, h] of hosts.entries()) {
      const buffered = h.region.counter(slot(h.prefix, "sum")).sum();
      const until = performance.now() + 15_000;
      let stored = 0;
      while (performance.now() < until) {
        stored = Number(await check.client.get(`{${h.prefix}hits}:counter`));
        if (stored === buffered) break;
        await sleep(50);
      }
      assert.equal(stored, buffered, `${h.kind}: every add reached Redis exactly once`);
      assert.ok(stored > ackedAtKill[i]);
      assert.equal(await h.hits.total(), buffered);
      await h.store.close();
      await h.conn.close();
      h.region.close();
    }
    await check.close();
  } finally {
    durable?.stop();
    await durable?.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "redis restarted without persistence, then FLUSHALL, under held locks: the next tokens are larger",
  {
    timeout: 120_000,
  },
  async () => {
    let volatile = await startRedis();
    assert.ok(volatile);
    const port = volatile.port;
    try {
      const a = await connectClient("node-redis", port);
      const b = await connectClient("ioredis", port);
      const [storeA, storeB] = [a, b].map((c) => new RedisStore(c.client, { prefix: "restart:" }));
      const options = { leaseMs: 5_000 };
      const guard = await storeA.mutex("job", options).lockAsync();
      const permit = await storeA.semaphore("pool", 1, options).acquireAsync();
      volatile.child.kill("SIGKILL");
      await volatile.exited;
      volatile = await startRedis({ port }); // empty: no persistence
      assert.ok(volatile);
      const guard2 = await storeB.mutex("job", options).lockAsync({ timeout: 20_000 });
      const permit2 = await storeB.semaphore("pool", 1, options).acquireAsync(1, {
        timeout: 20_000,
      });
      assert.ok(
        guard2.fencingToken > guard.fencingToken,
        `${guard2.fencingToken} > ${guard.fencingToken}`,
      );
      assert.ok(permit2.fencingToken > permit.fencingToken);
      assert.equal(await guard.unlock(), false, "the lost lease is reported");
      assert.equal(await permit.release(), false);
      await b.send("FLUSHALL");
      const guard3 = await storeA.mutex("job", options).tryLockAsync();
      const permit3 = await storeA.semaphore("pool", 1, options).tryAcquireAsync();
      assert.ok(guard3 && permit3, "free after the flush");
      assert.ok(guard3.fencingToken > guard2.fencingToken);
      assert.ok(permit3.fencingToken > permit2.fencingToken);
      assert.equal(await guard2.unlock(), false);
      assert.equal(await guard3.unlock(), true);
      await permit3.release();
      await storeA.close();
      await storeB.close();
      await a.close();
      await b.close();
    } finally {
      volatile?.stop();
      await volatile?.exited;
    }
  },
);

/** The environment without colour settings (Deno colours its console.log under FORCE_COLOR=0). */
function plainEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  return env;
}

test("the README's Beyond-one-host blocks run as written on Deno, Bun and Node", {
  timeout: 120_000,
}, () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const found = [
    ...readme.matchAll(
      /<!-- docs: not run \([^)]*tests\/redis\/redis\.test\.ts[^]*?```ts\n([^]*?)```/g,
    ),
  ].map((m) => m[1]);
  assert.equal(found.length, 2, "the README's two blocks that name this test");
  const dir = join(root, ".tmp", "redis-readme");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "redis"), { recursive: true });
  writeFileSync(join(dir, "mod.ts"), 'export * from "../../mod.ts";\n');
  writeFileSync(join(dir, "redis", "mod.ts"), 'export * from "../../../redis/mod.ts";\n');
  const expected = [["true", "number", "true false", "true"], ["stale fencing token 34 < 35"]];
  try {
    for (const [i, code] of found.entries()) {
      const file = join(dir, `block-${i}.ts`);
      // As pasted at the root of a clone: "atomicx" → ./mod.ts, "atomicx/redis" → ./redis/mod.ts.
      writeFileSync(
        file,
        code.replace(
          /from "atomicx(?:\/(\w+))?"/g,
          (_, sub) => `from "./${sub ? `${sub}/` : ""}mod.ts"`,
        ),
      );
      const checked = spawnSync(bin("deno"), ["check", "--quiet", file], {
        cwd: root,
        encoding: "utf8",
      });
      assert.equal(checked.status, 0, `deno check block ${i}:\n${checked.stdout}${checked.stderr}`);
      for (const runtime of ["deno", "bun", "node"]) {
        const { command, args, env } = runtimeCommand(runtime, file);
        const result = spawnSync(command, args, {
          cwd: root,
          env: { ...plainEnv(), ...env, REDIS_URL: `redis://127.0.0.1:${server.port}` },
          encoding: "utf8",
          timeout: 60_000,
        });
        assert.equal(result.status, 0, `${runtime} block ${i}:\n${result.stdout}${result.stderr}`);
        assert.deepEqual(result.stdout.trim().split("\n"), expected[i], `${runtime} block ${i}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every JSDoc example of atomicx/redis runs (deno test --doc)", { timeout: 120_000 }, () => {
  const result = spawnSync(bin("deno"), ["test", "--doc", "--allow-all", "redis/"], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1", REDIS_URL: `redis://127.0.0.1:${server.port}` },
    encoding: "utf8",
    timeout: 110_000,
  });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  const passed = Number(result.stdout.match(/(\d+) passed/)?.[1]);
  assert.ok(passed >= 20, `${passed} examples ran`);
});
