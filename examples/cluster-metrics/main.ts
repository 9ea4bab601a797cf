// Prometheus metrics for a Node cluster, kept in one shared-memory region with `atomicx/metrics`:
// four workers serve HTTP on 127.0.0.1 and count every request (by route and status) and its
// latency (a histogram) into the region; `/metrics`, answered by whichever worker gets the
// connection, renders the totals of all workers through prom-client — no IPC to the primary.
// The primary sends a bounded load, kills a worker half-way (cluster forks a new one, which finds
// the counters where they were), sends the rest, scrapes `/metrics` from several workers and
// checks every total against what it sent, and `/render` (`metrics.render()`) against it.
//
//   node --experimental-ffi examples/cluster-metrics/main.ts      (Node 26+: the built-in node:ffi)
//   npx tsx examples/cluster-metrics/main.ts                      (Node 20+: koffi)
//   bun examples/cluster-metrics/main.ts
//
// Deno has no `node:cluster`; see README.md in this folder.
import cluster from "node:cluster";
import http from "node:http";
import process from "node:process";
import client from "prom-client";
import { SharedMemory } from "../../mod.ts";
import { RegionMetrics } from "../../metrics/mod.ts";
import { clusterPort } from "../_shared/cluster_port.ts";
import { httpGet as get } from "../_shared/http_get.ts";

const WORKERS = 4;
const REQUESTS_PER_PHASE = 1500;
const CONCURRENCY = 16;
const PATHS = ["/", "/", "/items", "/items", "/nope"]; // the load cycles through these

// "/" and "/items" answer 200; everything else is the route "other", answering 404.
const SERIES = [["/", "200"], ["/items", "200"], ["other", "404"]];
const routeOf = (url: string | undefined) => url === "/" || url === "/items" ? url : "other";

if (cluster.isPrimary) {
  process.exitCode = await primary();
} else {
  worker(process.env.CLUSTER_METRICS_REGION!, Number(process.env.CLUSTER_METRICS_PORT));
}

/** A worker: counts into the region and serves `/metrics` from it. */
function worker(regionName: string, port: number): void {
  const region = SharedMemory.open(regionName, { only: "attach" });
  const registry = new client.Registry();
  const metrics = new RegionMetrics(region, { registers: [registry] });
  const requests = metrics.counter({
    name: "http_requests_total",
    help: "HTTP requests served, by route and status",
    labelNames: ["route", "status"],
  });
  const latency = metrics.histogram({
    name: "http_request_duration_seconds",
    help: "Time to handle a request, by route",
    labelNames: ["route"],
  });
  http.createServer((req, res) => {
    res.setHeader("x-worker-pid", String(process.pid));
    if (req.url === "/render") { // the same text, written straight from the region
      res.end(metrics.render());
      return;
    }
    if (req.url === "/metrics") { // not counted itself: the totals are the application's requests
      registry.metrics().then((text) => {
        res.setHeader("content-type", registry.contentType);
        res.end(text);
      });
      return;
    }
    const end = latency.startTimer();
    const route = routeOf(req.url);
    const body = route === "/"
      ? "hello\n"
      : route === "/items"
      ? JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })))
      : "not found\n";
    res.statusCode = route === "other" ? 404 : 200;
    // Counted before the response leaves, so a client that has its answer sees it counted.
    requests.inc({ route, status: String(res.statusCode) });
    end({ route });
    res.end(body);
  }).listen(port, "127.0.0.1");
}

/** Sends `n` requests, `CONCURRENCY` at a time; returns how many answered per route. */
async function load(port: number, n: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const tally = [0, 0, 0];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) {
      const path = PATHS[next++ % PATHS.length];
      const { status } = await get(port, path, agent);
      const series = SERIES.findIndex(([route]) => route === routeOf(path));
      if (String(status) !== SERIES[series][1]) throw new Error(`${path}: status ${status}`);
      tally[series]++;
    }
  }));
  agent.destroy(); // no kept-alive socket to a worker that is about to be killed
  return tally;
}

/** One value of a Prometheus text exposition, by its full series name (`name{labels}`). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

/** The primary: creates the region, runs the cluster and the checks; returns the exit code. */
async function primary(): Promise<number> {
  const regionName = `cluster-metrics-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  SharedMemory.open(regionName, {
    capacity: 64, // a slot per counter series, three per histogram series (11 buckets), 1-2 per metric
    only: "create",
  }).close(); // the workers attach; the name stays until unlinked below
  const env = { CLUSTER_METRICS_REGION: regionName, CLUSTER_METRICS_PORT: await clusterPort() };
  let stopping = false;
  const listening: ((port: number) => void)[] = [];
  cluster.on("listening", (_, address) => listening.shift()?.(address.port));
  cluster.on("exit", (w, code, signal) => {
    if (stopping) return;
    console.log(`worker ${w.process.pid} died (${signal ?? code}); forking a new one`);
    cluster.fork(env);
  });
  const listen = () => new Promise<number>((resolve) => listening.push(resolve));
  const guard = setTimeout(() => {
    console.error("timed out");
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGKILL");
    SharedMemory.unlink(regionName);
    process.exit(1);
  }, 90_000);
  try {
    const ports = Array.from({ length: WORKERS }, listen);
    for (let i = 0; i < WORKERS; i++) cluster.fork(env);
    const port = (await Promise.all(ports))[0];

    const first = await load(port, REQUESTS_PER_PHASE);
    const before = await get(port, "/metrics", false);
    const victim = Object.values(cluster.workers ?? {})[0]!;
    const restarted = listen();
    victim.process.kill("SIGKILL");
    await restarted;
    const second = await load(port, REQUESTS_PER_PHASE);

    const sent = first.map((n, i) => n + second[i]);
    const failures: string[] = [];
    const total = (text: string) =>
      SERIES.reduce(
        (n, [route, status]) =>
          n + sample(text, `http_requests_total{route="${route}",status="${status}"}`),
        0,
      );
    if (total(before.body) !== REQUESTS_PER_PHASE) {
      failures.push(
        `before the restart: ${total(before.body)} counted, ${REQUESTS_PER_PHASE} sent`,
      );
    }
    // Fresh connections are spread over the workers (round-robin on Node, the kernel's
    // SO_REUSEPORT hash on Bun): scrape until at least two different workers have answered.
    const scrapes = [];
    while (scrapes.length < WORKERS || new Set(scrapes.map((s) => s.pid)).size < 2) {
      if (scrapes.length === 8 * WORKERS) break;
      scrapes.push(await get(port, "/metrics", false));
    }
    for (const { body, pid } of scrapes) {
      SERIES.forEach(([route, status], j) => {
        const counted = sample(body, `http_requests_total{route="${route}",status="${status}"}`);
        const observed = sample(body, `http_request_duration_seconds_count{route="${route}"}`);
        const inf = sample(
          body,
          `http_request_duration_seconds_bucket{le="+Inf",route="${route}"}`,
        );
        if (counted !== sent[j] || observed !== sent[j] || inf !== sent[j]) {
          failures.push(
            `worker ${pid}, route ${route}: counter ${counted}, histogram count ${observed}, ` +
              `+Inf bucket ${inf}; sent ${sent[j]}`,
          );
        }
      });
    }
    // render(), written straight from the region, is the same text as prom-client's.
    const rendered = await get(port, "/render", false);
    if (rendered.body !== scrapes.at(-1)!.body) {
      failures.push(`render() of worker ${rendered.pid} differs from registry.metrics()`);
    }
    const pids = new Set(scrapes.map((s) => s.pid));
    if (pids.size < 2) failures.push(`${scrapes.length} scrapes were all answered by one worker`);
    console.log(
      scrapes[0].body.split("\n").filter((l) => l.startsWith("http_requests")).join("\n"),
    );
    console.log(
      `${WORKERS} workers, ${2 * REQUESTS_PER_PHASE} requests, worker ${victim.process.pid} ` +
        `killed after ${REQUESTS_PER_PHASE} and replaced; /metrics from ${pids.size} workers: ` +
        `${total(scrapes[0].body)} requests counted`,
    );
    if (failures.length > 0) {
      console.error(failures.join("\n"));
      return 1;
    }
    return 0;
  } finally {
    clearTimeout(guard);
    stopping = true;
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
