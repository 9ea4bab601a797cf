// 100 requests a second per client IP, one budget for a whole server: every worker process (or
// thread) decides with `region.rateLimiter` on one shared-memory region (GCRA, a word per active
// key, reclaimed once its bucket is full again). Without shared state each of four workers would
// give every client its own budget: four times the limit.
//
// On Node and Bun: a primary and 4 `node:cluster` workers serving `node:http` through
// `limitNodeHttp` (middleware.ts); on Bun also a `Bun.serve` server through `limitFetch`; on Deno
// (no `node:cluster`) a `Deno.serve` server through `limitFetch`. Each checks, over HTTP:
// - one IP sending far more than its budget, spread over every worker: exactly 100 allowed at once,
//   then one more per 10 ms that passed (the rate), never more (bounded by the requests' send and
//   answer times);
// - 100,000 distinct IPs, one request each, through a region of 80 slots (a table of 1,024 keys):
//   every one allowed, none refused for want of room;
// and, on the cluster, 4 workers × 10,000 take() in a tight loop on one key against a budget of
// 20,000 whose next token is 22 s away: exactly 20,000 allowed in all.
//
// The client IP comes from `X-Forwarded-For`, as behind a proxy (here: the check itself); trust
// that header only from your own proxy, or key on the peer address (the middleware's default).
//
//   node --experimental-ffi examples/rate-limit/main.ts      (Node 26+: the built-in node:ffi)
//   npx tsx examples/rate-limit/main.ts                      (Node 20+: koffi)
//   bun examples/rate-limit/main.ts
//   deno run --allow-all examples/rate-limit/main.ts
import cluster from "node:cluster";
import http from "node:http";
import process from "node:process";
import { SharedMemory } from "../../mod.ts";
import { clusterPort } from "../_shared/cluster_port.ts";
import { limitFetch, limitNodeHttp } from "./middleware.ts";

const WORKERS = 4;
const PER_IP = { limit: 100, windowMs: 1_000 }; // one token back every 10 ms
const BURST = 600; // requests from one IP, 32 at a time
const DISTINCT = 100_000; // IPs, one request each
const HAMMER = { takes: 10_000, limit: 20_000, windowMs: 450_000_000 }; // a token every 22.5 s

const g = globalThis as {
  Deno?: {
    serve(
      options: { port: number; hostname: string; onListen(): void },
      handler: (req: Request) => Promise<Response>,
    ): { addr: { port: number }; shutdown(): Promise<void> };
  };
  Bun?: {
    serve(options: {
      port: number;
      hostname: string;
      fetch: (req: Request) => Promise<Response>;
    }): { port: number; stop(force: boolean): Promise<void> };
  };
};
const ipOf = (headers: { get(name: string): string | null }) =>
  headers.get("x-forwarded-for") ?? "unknown";
const hello = () => new Response("ok\n");

if (g.Deno) {
  process.exitCode = await single("Deno.serve", (region) => {
    const limiter = region.rateLimiter("per-ip", PER_IP);
    const server = g.Deno!.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      limitFetch(limiter, hello, (req: Request) => ipOf(req.headers)),
    );
    return { port: server.addr.port, stop: () => server.shutdown() };
  });
} else if (cluster.isPrimary) {
  process.exitCode = await primary();
  if (g.Bun && process.exitCode === 0) {
    process.exitCode = await single("Bun.serve", (region) => {
      const limiter = region.rateLimiter("per-ip", PER_IP);
      const server = g.Bun!.serve({
        port: 0,
        hostname: "127.0.0.1",
        fetch: limitFetch(limiter, hello, (req: Request) => ipOf(req.headers)),
      });
      return { port: server.port, stop: () => server.stop(true) };
    });
  }
} else {
  worker(process.env.RATE_LIMIT_REGION!, Number(process.env.RATE_LIMIT_PORT));
}

/** A cluster worker: node:http through the middleware, and the tight loop when asked. */
function worker(regionName: string, port: number): void {
  const region = SharedMemory.open(regionName, { only: "attach" });
  const limiter = region.rateLimiter("per-ip", PER_IP);
  const listener = limitNodeHttp(limiter, (_req, res) => {
    res.setHeader("x-worker-pid", String(process.pid));
    res.end("ok\n");
  }, (req) => String(req.headers["x-forwarded-for"]));
  http.createServer(listener).listen(port, "127.0.0.1");
  process.on("message", ({ key, at }: { key: string; at: number }) => {
    const hammer = region.rateLimiter(key, HAMMER);
    while (Date.now() < at); // everyone starts together
    let allowed = 0;
    for (let i = 0; i < HAMMER.takes; i++) if (hammer.take("hot").allowed) allowed++;
    process.send!({ allowed });
  });
}

/** A region for one run: 80 slots (the per-IP table takes 65, each tight-loop table 65 more). */
function openRegion(tag: string, slots: number): SharedMemory {
  const name = `rate-limit-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return SharedMemory.open(name, { capacity: slots, only: "create" });
}

/** Deno.serve / Bun.serve in this process: the two HTTP checks; returns the exit code. */
async function single(
  what: string,
  start: (region: SharedMemory) => { port: number; stop: () => unknown },
): Promise<number> {
  const region = openRegion("serve", 80);
  const server = start(region);
  try {
    return await httpChecks(what, server.port, region) ? 0 : 1;
  } finally {
    await server.stop();
    region.close();
    SharedMemory.unlink(region.name);
  }
}

/** The primary: the region, the workers, the checks; returns the exit code. */
async function primary(): Promise<number> {
  const region = openRegion("cluster", 80 + 3 * 65);
  const env = { RATE_LIMIT_REGION: region.name, RATE_LIMIT_PORT: await clusterPort() };
  const guard = setTimeout(() => {
    console.error("timed out");
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGKILL");
    SharedMemory.unlink(region.name);
    process.exit(1);
  }, 120_000);
  try {
    const ports: Promise<number>[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const w = cluster.fork(env);
      ports.push(new Promise((resolve) => w.once("listening", (a) => resolve(a.port))));
    }
    const port = (await Promise.all(ports))[0];
    return await httpChecks(`${WORKERS} node:http workers`, port, region) && await hammer(region)
      ? 0
      : 1;
  } finally {
    clearTimeout(guard);
    await Promise.all(
      Object.values(cluster.workers ?? {}).map((w) =>
        new Promise((done) => {
          w!.once("exit", done);
          w!.kill();
        })
      ),
    );
    region.close();
    SharedMemory.unlink(region.name);
  }
}

/** The 10 ms interval (of the per-IP limiter) that `ms` falls in. */
function intervalAt(ms: number): number {
  return Math.floor(ms / (PER_IP.windowMs / PER_IP.limit));
}

/** The burst from one IP and the 100,000 distinct IPs, over HTTP; true if both held. */
async function httpChecks(what: string, port: number, region: SharedMemory): Promise<boolean> {
  // One IP, 32 requests in flight on fresh connections (so the cluster spreads them). Allowed:
  // 100 at once, then one per 10 ms boundary between the first decision and the last. A decision
  // falls between its request's send and its response, which bounds that count from both sides.
  const burst = await send(port, Array(BURST).fill("203.0.113.7"), 32, false);
  const allowed = burst.status.get(200) ?? 0;
  const least = PER_IP.limit + intervalAt(burst.lastSent) - intervalAt(burst.firstAnswered);
  const most = PER_IP.limit + intervalAt(burst.lastAnswered) - intervalAt(burst.firstSent);
  console.log(
    `${what}: one IP, ${BURST} requests in ${burst.lastAnswered - burst.firstSent} ms: ` +
      `${allowed} allowed (${burst.workers.size ? `by ${burst.workers.size} workers; ` : ""}` +
      `${least} to ${most} is the limit), ${burst.status.get(429) ?? 0} refused with 429`,
  );
  let ok = allowed >= least && allowed <= most && allowed + (burst.status.get(429) ?? 0) === BURST;
  if (!ok) console.error(`expected ${least} to ${most} allowed`);

  const ips = Array.from(
    { length: DISTINCT },
    (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
  );
  const spread = await send(port, ips, 64, true);
  const limiter = region.rateLimiter("per-ip", PER_IP);
  console.log(
    `${what}: ${DISTINCT} distinct IPs, one request each, through a table of ${limiter.keys} ` +
      `keys (${Math.ceil((limiter.keys + 4) / 16)} region slots): ` +
      `${spread.status.get(200) ?? 0} allowed, overflow bucket used ${limiter.overflowed} times`,
  );
  if (spread.status.get(200) !== DISTINCT) {
    console.error(`expected all ${DISTINCT} allowed: ${JSON.stringify([...spread.status])}`);
    ok = false;
  }
  return ok;
}

/** The tight loops: 4 workers against one budget, exactly `HAMMER.limit` allowed in all. */
async function hammer(region: SharedMemory): Promise<boolean> {
  // No token comes back for 22.5 s; should a boundary fall inside a run, run again on a new key.
  for (let attempt = 1;; attempt++) {
    const key = `hammer-${attempt}`;
    region.rateLimiter(key, HAMMER);
    const tick = (ms: number) => Math.floor(ms * HAMMER.limit / HAMMER.windowMs);
    const at = Date.now() + 300;
    const counts = await Promise.all(
      Object.values(cluster.workers ?? {}).map((w) =>
        new Promise<number>((resolve) => {
          w!.once("message", (m: { allowed: number }) => resolve(m.allowed));
          w!.send({ key, at });
        })
      ),
    );
    const allowed = counts.reduce((a, b) => a + b, 0);
    if (tick(Date.now()) !== tick(at) && attempt < 3) continue;
    console.log(
      `${WORKERS} workers × ${HAMMER.takes} take() in a tight loop, budget ${HAMMER.limit}: ` +
        `${allowed} allowed (${counts.join(" + ")})`,
    );
    return allowed === HAMMER.limit;
  }
}

/** Sends one GET per entry of `ips` (as `X-Forwarded-For`), `lanes` at a time. */
async function send(port: number, ips: string[], lanes: number, keepAlive: boolean) {
  const agent = new http.Agent({ keepAlive, maxSockets: lanes });
  const status = new Map<number, number>();
  const workers = new Set<string>();
  const times = { firstSent: Infinity, lastSent: 0, firstAnswered: Infinity, lastAnswered: 0 };
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < ips.length) {
      const ip = ips[next++];
      const sent = Date.now();
      times.firstSent = Math.min(times.firstSent, sent);
      times.lastSent = Math.max(times.lastSent, sent);
      const { code, pid } = await new Promise<{ code: number; pid: string }>((resolve, reject) => {
        http.get(
          { host: "127.0.0.1", port, path: "/", agent, headers: { "x-forwarded-for": ip } },
          (res) => {
            res.resume();
            res.on(
              "end",
              () =>
                resolve({ code: res.statusCode!, pid: String(res.headers["x-worker-pid"] ?? "") }),
            );
          },
        ).on("error", reject);
      });
      const answered = Date.now();
      times.firstAnswered = Math.min(times.firstAnswered, answered);
      times.lastAnswered = Math.max(times.lastAnswered, answered);
      status.set(code, (status.get(code) ?? 0) + 1);
      if (pid) workers.add(pid);
    }
  }));
  agent.destroy();
  return { status, workers, ...times };
}
