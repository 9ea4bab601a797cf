// One rate limit per client key for a whole Node cluster: four workers serve HTTP on 127.0.0.1 and
// decide every request with a token bucket per key kept in one shared-memory region (GCRA: one
// word per key, updated by compareExchange; see gcra.ts). Without shared state each worker would
// give every client its own budget — four times the limit. The primary sends far more requests
// than the budget for two keys, spread over all workers, and checks that exactly the budget was
// allowed per key (no over-admission across processes) and every other request got 429.
//
//   node --experimental-ffi examples/rate-limit/main.ts      (Node 26+: the built-in node:ffi)
//   npx tsx examples/rate-limit/main.ts                      (Node 20+: koffi)
//   bun examples/rate-limit/main.ts
//
// Deno has no `node:cluster`; see README.md in this folder.
import cluster from "node:cluster";
import http from "node:http";
import process from "node:process";
import { SharedMemory } from "../../mod.ts";
import { clusterPort } from "../_shared/cluster_port.ts";
import { RegionRateLimiter } from "./gcra.ts";

const WORKERS = 4;
const BUDGET = 100;
// A day: a token comes back every 864 s, so none returns while the check runs and the allowed
// total must be exactly BUDGET.
const WINDOW_MS = 24 * 3600 * 1000;
const SENT = { alice: 600, bob: 250 }; // requests per key, all at once
const CONCURRENCY = 32;
// Then, without HTTP: every worker calls take() in a tight loop on one key, all starting at the
// same instant, HAMMER calls each, against a budget of half of all those calls.
const HAMMER = 50_000;
const HAMMER_BUDGET = (WORKERS * HAMMER) / 2;
const HAMMER_WINDOW_MS = 365 * 24 * 3600 * 1000; // a token back every 315 s: none during the loops

if (cluster.isPrimary) {
  process.exitCode = await primary();
} else {
  worker(process.env.RATE_LIMIT_REGION!, Number(process.env.RATE_LIMIT_PORT));
}

/** A worker: answers 200 while the caller's key has tokens, 429 after. */
function worker(regionName: string, port: number): void {
  const region = SharedMemory.open(regionName, { only: "attach" });
  const limiter = new RegionRateLimiter(region, { limit: BUDGET, windowMs: WINDOW_MS });
  process.on("message", (message: { hammerAt: number }) => {
    const hammer = new RegionRateLimiter(region, {
      limit: HAMMER_BUDGET,
      windowMs: HAMMER_WINDOW_MS,
    });
    while (Date.now() < message.hammerAt); // everyone starts together
    let allowed = 0;
    for (let i = 0; i < HAMMER; i++) if (hammer.take("hammer").allowed) allowed++;
    process.send!({ allowed });
  });
  http.createServer((req, res) => {
    res.setHeader("x-worker-pid", String(process.pid));
    const key = req.headers["x-api-key"];
    let decision;
    try {
      decision = limiter.take(typeof key === "string" ? key : "");
    } catch (error) { // a missing or over-long key (TypeError, RangeError), or a full region
      res.statusCode = error instanceof RangeError && /full/.test(error.message) ? 503 : 400;
      res.end(`${(error as Error).message}\n`);
      return;
    }
    res.setHeader("x-ratelimit-remaining", String(decision.remaining));
    if (decision.allowed) {
      res.end("ok\n");
    } else {
      res.statusCode = 429;
      res.setHeader("retry-after", String(Math.ceil(decision.retryAfterMs / 1000)));
      res.end("too many requests\n");
    }
  }).listen(port, "127.0.0.1");
}

/** A GET with `x-api-key: key` (none if undefined); resolves to the status and the worker's pid. */
function get(port: number, key: string | undefined, agent: http.Agent) {
  return new Promise<{ status: number; pid: string }>((resolve, reject) => {
    http.get(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        agent,
        headers: key === undefined ? {} : { "x-api-key": key },
      },
      (res) => {
        res.resume();
        res.on(
          "end",
          () => resolve({ status: res.statusCode!, pid: String(res.headers["x-worker-pid"]) }),
        );
      },
    ).on("error", reject);
  });
}

/**
 * Bad limiter options and keys: a RangeError or TypeError each, and nothing added to the region
 * (its entries stay as they were).
 */
function badInputsRefused(regionName: string): boolean {
  using region = SharedMemory.open(regionName, { only: "attach" });
  const before = JSON.stringify(region.entries());
  const refused = (fn: () => unknown, type: typeof TypeError) => {
    try {
      fn();
      return false;
    } catch (error) {
      return error instanceof type;
    }
  };
  const limiter = new RegionRateLimiter(region, { limit: 1, windowMs: 1000 });
  const ok =
    refused(() => new RegionRateLimiter(region, { limit: 0, windowMs: 1000 }), RangeError) &&
    refused(() => new RegionRateLimiter(region, { limit: 1.5, windowMs: 1000 }), RangeError) &&
    refused(() => new RegionRateLimiter(region, { limit: 1, windowMs: 0 }), RangeError) &&
    refused(() => new RegionRateLimiter(region, { limit: 1, windowMs: NaN }), RangeError) &&
    refused(() => limiter.take(""), TypeError) &&
    refused(() => limiter.take(42 as unknown as string), TypeError) &&
    refused(() => limiter.take("k".repeat(46)), RangeError) &&
    JSON.stringify(region.entries()) === before;
  if (!ok) console.error("a bad option or key was not refused, or it changed the region");
  return ok;
}

/** A request without a key, or with one over 45 bytes, is answered 400 by the workers. */
async function badKeysAnswered400(port: number): Promise<boolean> {
  const agent = new http.Agent();
  const missing = await get(port, undefined, agent);
  const long = await get(port, "k".repeat(46), agent);
  agent.destroy();
  const ok = missing.status === 400 && long.status === 400;
  if (!ok) console.error(`bad keys answered ${missing.status} and ${long.status}, not 400`);
  return ok;
}

/** The primary: creates the region, runs the cluster and the load, checks; returns the exit code. */
async function primary(): Promise<number> {
  const regionName = `rate-limit-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  SharedMemory.open(regionName, { capacity: 16, only: "create" }).close();
  const env = { RATE_LIMIT_REGION: regionName, RATE_LIMIT_PORT: await clusterPort() };
  const guard = setTimeout(() => {
    console.error("timed out");
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGKILL");
    SharedMemory.unlink(regionName);
    process.exit(1);
  }, 90_000);
  try {
    const ports: Promise<number>[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const w = cluster.fork(env);
      ports.push(new Promise((resolve) => w.once("listening", (a) => resolve(a.port))));
    }
    const port = (await Promise.all(ports))[0];
    if (!badInputsRefused(regionName) || !await badKeysAnswered400(port)) return 1;

    // Both keys' requests interleaved, CONCURRENCY in flight, over fresh connections so that
    // the cluster spreads them over every worker.
    const interleaved: string[] = [];
    for (let i = 0; i < Math.max(...Object.values(SENT)); i++) {
      for (const [key, n] of Object.entries(SENT)) if (i < n) interleaved.push(key);
    }
    const results = new Map<
      string,
      { ok: number; limited: number; other: number; by: Map<string, number> }
    >();
    for (const key of Object.keys(SENT)) {
      results.set(key, { ok: 0, limited: 0, other: 0, by: new Map() });
    }
    const agent = new http.Agent({ keepAlive: false, maxSockets: CONCURRENCY });
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < interleaved.length) {
        const key = interleaved[next++];
        const { status, pid } = await get(port, key, agent);
        const tally = results.get(key)!;
        if (status === 200) {
          tally.ok++;
          tally.by.set(pid, (tally.by.get(pid) ?? 0) + 1);
        } else if (status === 429) tally.limited++;
        else tally.other++;
      }
    }));
    agent.destroy();

    let failed = false;
    for (const [key, { ok, limited, other, by }] of results) {
      const sent = SENT[key as keyof typeof SENT];
      const spread = [...by.values()].join(" + ");
      console.log(
        `${key}: ${sent} requests, ${ok} allowed (${spread} by ${by.size} workers), ` +
          `${limited} refused with 429`,
      );
      if (ok !== BUDGET || limited !== sent - BUDGET || other !== 0) {
        console.error(`${key}: expected exactly ${BUDGET} allowed and ${sent - BUDGET} refused`);
        failed = true;
      }
    }
    // The tight loops: exactly HAMMER_BUDGET allowed over all workers.
    const hammerAt = Date.now() + 300;
    const counts = await Promise.all(
      Object.values(cluster.workers ?? {}).map((w) =>
        new Promise<number>((resolve) => {
          w!.once("message", (m: { allowed: number }) => resolve(m.allowed));
          w!.send({ hammerAt });
        })
      ),
    );
    const hammered = counts.reduce((a, b) => a + b, 0);
    console.log(
      `${WORKERS} workers × ${HAMMER} take() in a tight loop, budget ${HAMMER_BUDGET}: ` +
        `${hammered} allowed (${counts.join(" + ")})`,
    );
    if (hammered !== HAMMER_BUDGET) failed = true;
    const total = Object.values(SENT).reduce((a, b) => a + b, 0);
    console.log(
      `${WORKERS} workers, ${total} requests, budget ${BUDGET} per key: ` +
        `${[...results.values()].reduce((n, r) => n + r.ok, 0)} allowed in all`,
    );
    return failed ? 1 : 0;
  } finally {
    clearTimeout(guard);
    const exits = Object.values(cluster.workers ?? {}).map((w) =>
      new Promise((done) => {
        w!.once("exit", done);
        w!.kill();
      })
    );
    await Promise.all(exits);
    SharedMemory.unlink(regionName);
  }
}
