// atomicx/metrics: prom-client's text for the same operations compared line by line with
// render() and with registry.metrics(); prom-client's errors; limits; series records found by
// every process; and real processes and Workers adding into one region (a Node cluster serving
// HTTP, worker_threads, Deno, Bun and Node processes). Its own suite in `npm test`:
//   node --experimental-ffi --no-warnings --test tests/metrics/metrics.test.ts
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import cluster from "node:cluster";
import http from "node:http";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import client from "prom-client";
import type { AtomicFloatArray, SharedMemory } from "../../mod.ts";
import { MAX_KEY_BYTES, REFUSED_METRIC, RegionMetrics } from "../../metrics/mod.ts";
import { runtimeCommand } from "../../scripts/lib/runtimes.mjs";
import { declare, LONG_LABEL, sample } from "./_defs.ts";
import { httpGet as get } from "../../examples/_shared/http_get.ts";
import { withRegion as withTestRegion } from "../support/regions.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** A region of `capacity` slots for `fn`, closed and unlinked afterwards. */
const withRegion = (
  capacity: number,
  fn: (region: SharedMemory, name: string) => Promise<void> | void,
) => withTestRegion("metrics", fn, capacity);

/** Asserts two exposition texts equal, line by line (the first differing line named). */
function sameText(actual: string, expected: string, what: string): void {
  assert.deepEqual(actual.split("\n"), expected.split("\n"), what);
}

/** Asserts that `ours` throws what prom-client's `theirs` throws: the same class and message. */
function sameError(what: string, ours: () => unknown, theirs: () => unknown): void {
  let expected: unknown;
  try {
    theirs();
  } catch (error) {
    expected = error;
  }
  assert.ok(expected instanceof Error, `prom-client throws for ${what}`);
  assert.throws(ours, (error: Error) => {
    assert.equal(error.constructor, expected.constructor, what);
    assert.equal(error.message, expected.message, what);
    return true;
  });
}

/** Writes `key` into a record as atomicx lays it out (a forged or colliding record). */
function writeKey(record: AtomicFloatArray, key: string): void {
  const bytes = new TextEncoder().encode(key);
  record.store(0, bytes.length + 1);
  for (let i = 0, e = 1; i < bytes.length; i += 6, e++) {
    let word = 0;
    for (let j = Math.min(i + 6, bytes.length) - 1; j >= i; j--) word = word * 256 + bytes[j];
    record.store(e, word + 1);
  }
}

type Kind = "Counter" | "Gauge" | "Histogram";
/** The same metric made by prom-client (on `promRegistry`) and by RegionMetrics. */
function pair<C extends Record<string, unknown>>(
  kind: Kind,
  config: C,
  prom: client.Registry,
  metrics: RegionMetrics,
  // deno-lint-ignore no-explicit-any
): [any, any] {
  // deno-lint-ignore no-explicit-any
  const made = new (client as any)[kind]({ ...config, registers: [prom] });
  // deno-lint-ignore no-explicit-any
  const ours = (metrics as any)[kind.toLowerCase()](config);
  return [made, ours];
}

test("render() and registry.metrics() write prom-client's text for the same operations", async () => {
  await withRegion(512, async (region) => {
    const prom = new client.Registry();
    const registry = new client.Registry();
    const metrics = new RegionMetrics(region, { registers: [registry] });
    const counters = pair(
      "Counter",
      {
        name: "http_requests_total",
        help: 'Requests, with a backslash \\ and a\nnewline and "quotes"',
        labelNames: ["route", "code"],
      },
      prom,
      metrics,
    );
    const plain = pair("Counter", { name: "plain_total", help: "No labels" }, prom, metrics);
    pair("Gauge", { name: "untouched", help: "Never set" }, prom, metrics);
    const gauges = pair(
      "Gauge",
      { name: "temperature", help: "T", labelNames: ["room"] },
      prom,
      metrics,
    );
    const histograms = pair(
      "Histogram",
      {
        name: "latency_seconds",
        help: "Latency",
        labelNames: ["route"],
        buckets: [0.1, 0.5, 1, 2.5],
      },
      prom,
      metrics,
    );
    const defaults = pair(
      "Histogram",
      { name: "default_seconds", help: "Default buckets" },
      prom,
      metrics,
    );
    const check = async (what: string) => {
      const expected = await prom.metrics();
      sameText(metrics.render(), expected, `render() ${what}`);
      sameText(await registry.metrics(), expected, `registry.metrics() ${what}`);
    };
    await check("before any operation");
    for (const c of counters) {
      c.inc({ route: "/a", code: "200" });
      c.inc({ route: '/"q"\\x\ny', code: 404 }, 2.5);
      c.labels("/a", "200").inc(3);
      c.inc({ route: "/only-route" }); // a partial label set is a series of its own
      c.inc({ route: LONG_LABEL, code: "500" }, 1e21);
      c.inc({ route: "/tiny", code: "200" }, 1e-7);
    }
    for (const c of plain) c.inc(0.1), c.inc(0.2);
    for (const g of gauges) {
      g.set({ room: "kitchen" }, 21.5);
      g.inc({ room: "bath" });
      g.dec({ room: "bath" }, 0.25);
      g.set({ room: "nan" }, NaN);
      g.set({ room: "cold" }, -Infinity);
      g.labels("hot").set(Infinity);
      g.labels({ room: "neg" }).dec(7);
    }
    for (const h of histograms) {
      h.observe({ route: "/" }, 0.05);
      h.observe({ route: "/" }, 0.5); // on a bound: counted in that bucket
      h.observe({ route: "/" }, 0.7);
      h.observe({ route: "/x" }, 5);
      h.labels("/y").observe(0.1);
      h.zero({ route: "/zero" });
    }
    for (const h of defaults) h.observe(0.3), h.observe(0);
    await check("after counters, gauges and histograms");
    for (const c of counters) c.remove("/a", "200");
    for (const g of gauges) g.remove({ room: "bath" });
    for (const h of histograms) h.remove("/x");
    await check("after remove()");
    for (const c of counters) c.inc({ route: "/a", code: "200" }, 0); // back, at 0
    for (const h of histograms) h.observe({ route: "/x" }, 0.2);
    await check("after using removed series again");
    for (const m of [...counters, ...plain, ...gauges, ...histograms, ...defaults]) m.reset();
    await check("after reset()");
    for (const c of plain) c.inc(4);
    for (const h of defaults) h.observe(1);
    await check("after using reset metrics again");
  });
});

test("prom-client's errors for bad options and bad operations, and nothing changes", async () => {
  await withRegion(256, (region) => {
    const metrics = new RegionMetrics(region);
    const prom = new client.Registry();
    const cases: [string, (m: RegionMetrics) => unknown, () => unknown][] = [
      [
        "no config",
        (m) => m.counter(undefined as never),
        () => new client.Counter(undefined as never),
      ],
      [
        "no help",
        (m) => m.counter({ name: "a" } as never),
        () => new client.Counter({ name: "a", registers: [prom] } as never),
      ],
      [
        "no name",
        (m) => m.gauge({ help: "a" } as never),
        () => new client.Gauge({ help: "a", registers: [prom] } as never),
      ],
      [
        "bad name",
        (m) => m.gauge({ name: "a-b", help: "a" }),
        () => new client.Gauge({ name: "a-b", help: "a", registers: [prom] }),
      ],
      [
        "bad label",
        (m) => m.counter({ name: "a", help: "a", labelNames: ["1x"] }),
        () => new client.Counter({ name: "a", help: "a", labelNames: ["1x"], registers: [prom] }),
      ],
      [
        "le",
        (m) => m.histogram({ name: "a", help: "a", labelNames: ["le"] }),
        () => new client.Histogram({ name: "a", help: "a", labelNames: ["le"], registers: [prom] }),
      ],
    ];
    for (const [what, ours, theirs] of cases) sameError(what, () => ours(metrics), theirs);
    const before = metrics.render();
    const counter = metrics.counter({ name: "c_total", help: "c", labelNames: ["a"] });
    const gauge = metrics.gauge({ name: "g", help: "g", labelNames: ["a"] });
    const histogram = metrics.histogram({ name: "h", help: "h", labelNames: ["a"] });
    const pc = new client.Counter({
      name: "c_total",
      help: "c",
      labelNames: ["a"],
      registers: [prom],
    });
    const pg = new client.Gauge({ name: "g", help: "g", labelNames: ["a"], registers: [prom] });
    const ph = new client.Histogram({ name: "h", help: "h", labelNames: ["a"], registers: [prom] });
    const afterDeclare = metrics.render();
    assert.notEqual(afterDeclare, before);
    const ops: [string, () => unknown, () => unknown][] = [
      ["negative inc", () => counter.inc({ a: "x" }, -1), () => pc.inc({ a: "x" }, -1)],
      [
        "string inc",
        () => counter.inc({ a: "x" }, "5" as never),
        () => pc.inc({ a: "x" }, "5" as never),
      ],
      ["infinite inc", () => counter.inc(Infinity), () => pc.inc(Infinity)],
      ["unknown label", () => counter.inc({ b: "x" } as never), () => pc.inc({ b: "x" } as never)],
      ["positional count", () => counter.labels("x", "y"), () => pc.labels("x", "y")],
      [
        "gauge set string",
        () => gauge.set({ a: "x" }, "1" as never),
        () => pg.set({ a: "x" }, "1" as never),
      ],
      [
        "gauge inc string",
        () => gauge.inc({ a: "x" }, "1" as never),
        () => pg.inc({ a: "x" }, "1" as never),
      ],
      [
        "gauge unknown label",
        () => gauge.labels({ z: "1" } as never),
        () => pg.labels({ z: "1" } as never),
      ],
      ["observe NaN", () => histogram.observe({ a: "x" }, NaN), () => ph.observe({ a: "x" }, NaN)],
      ["observe string", () => histogram.observe("1" as never), () => ph.observe("1" as never)],
      [
        "remove unknown label",
        () => histogram.remove({ q: "1" } as never),
        () => ph.remove({ q: "1" } as never),
      ],
    ];
    for (const [what, ours, theirs] of ops) {
      sameError(what, ours, theirs);
      assert.equal(metrics.render(), afterDeclare, `${what} changed nothing`);
    }
    assert.throws(() => counter.inc(NaN), TypeError, "NaN is refused (prom-client would add it)");
    assert.throws(
      () => metrics.counter({ name: "c_total", help: "c", labelNames: ["a"] }),
      /A metric with the name c_total has already been registered/,
    );
    assert.throws(
      () => metrics.histogram({ name: "h2", help: "h", buckets: [1, 0.5] }),
      RangeError,
    );
    assert.throws(
      () => metrics.counter({ name: "e", help: "e", enableExemplars: true } as never),
      TypeError,
    );
    assert.throws(() => new RegionMetrics({} as never), TypeError);
    assert.equal(metrics.render(), afterDeclare);
  });
});

test("a metric's type is fixed in a region; help, labels and buckets may differ between processes", async () => {
  await withRegion(256, (region) => {
    new RegionMetrics(region).counter({ name: "x_total", help: "X", labelNames: ["a"] });
    const other = new RegionMetrics(region); // another process's view of the same region
    assert.throws(
      () => other.gauge({ name: "x_total", help: "X", labelNames: ["a"] }),
      /"x_total" is declared in the region .* as a counter .*labelNames \["a"\]; this declaration \(a gauge.*has another type/,
    );
    assert.doesNotThrow(() => other.counter({ name: "x_total", help: "X2", labelNames: ["b"] }));
    assert.doesNotThrow(() =>
      new RegionMetrics(region).counter({ name: "x_total", help: "X", labelNames: ["a"] })
    );
  });
});

test("a series found by another view of the region is the same storage; labels far beyond 48 bytes", async () => {
  await withRegion(512, (region) => {
    const one = new RegionMetrics(region).counter({
      name: "n_total",
      help: "n",
      labelNames: ["k"],
    });
    const twoMetrics = new RegionMetrics(region);
    const two = twoMetrics.counter({ name: "n_total", help: "n", labelNames: ["k"] });
    const long = "é".repeat(1000); // 2000 UTF-8 bytes
    const longer = `${long}!`;
    one.inc({ k: long }, 2);
    two.inc({ k: long }, 3);
    one.inc({ k: longer }, 7);
    const text = twoMetrics.render();
    assert.equal(sample(text, `n_total{k="${long}"}`), 5);
    assert.equal(sample(text, `n_total{k="${longer}"}`), 7);
    const records = region.entries().filter((e) => e.name.startsWith("am1/s"));
    assert.equal(records.length, 2, "one record per series");
    // The sizing docs/metrics.md gives: a counter series with a 78-byte key fits one slot (16
    // elements), and a histogram series with 11 buckets and a 96-byte key (its tag included) three.
    const small = new RegionMetrics(region);
    small.counter({ name: "s_total", help: "s", labelNames: ["k"] }).inc({ k: "x".repeat(65) });
    small.histogram({ name: "h_seconds", help: "h", labelNames: ["k"] }).observe({
      k: "x".repeat(96 - 'h_seconds{k=""}'.length - 8), // a histogram's key ends in an 8-byte tag
    }, 1);
    const lengths = region.entries().filter((e) => e.name.startsWith("am1/s")).slice(2)
      .map((e) => e.length);
    assert.deepEqual(lengths, [16, 48]);
  });
});

test("a hash collision at a probe is seen and the next probe taken, by every process alike", async () => {
  await withRegion(256, async (region) => {
    const metrics = new RegionMetrics(region);
    const counter = metrics.counter({ name: "col_total", help: "c", labelNames: ["k"] });
    counter.inc({ k: "a" });
    const [record] = region.entries().filter((e) => e.name.startsWith("am1/s"));
    // Another key squats probe 0 of the next series' name (same hash, same length: a collision).
    const key = 'col_total{k="b"}';
    const first = record.name.replace(/\.\d+$/, ".0");
    assert.equal(first, record.name);
    // Find the record name key "b" will use by making it in a scratch region of its own.
    await withTestRegion("metrics-scratch", (scratch) => {
      new RegionMetrics(scratch).counter({ name: "col_total", help: "c", labelNames: ["k"] }).inc({
        k: "b",
      });
      const target = scratch.entries().find((e) => e.name.startsWith("am1/s"))!;
      assert.match(target.name, /\.0$/);
      // Write a different key of the same length into that record in our region.
      const squat = region.floatArray(target.name, target.length!);
      const other = new TextEncoder().encode('col_total{k="z"}');
      assert.equal(other.length, new TextEncoder().encode(key).length);
      writeKey(squat, 'col_total{k="z"}');
      counter.inc({ k: "b" }, 5);
      const again = new RegionMetrics(region).counter({
        name: "col_total",
        help: "c",
        labelNames: ["k"],
      });
      again.inc({ k: "b" }, 1);
      const names = region.entries().map((e) => e.name);
      assert.ok(names.includes(target.name.replace(/\.0$/, ".1")), "key b moved to probe 1");
      const text = metrics.render();
      assert.equal(sample(text, 'col_total{k="b"}'), 6, "both views used the same record");
      assert.equal(squat.load(squat.length - 1), 0, "the squatter's values were not touched");
    }, 64);
  });
});

test("limits: an over-long key and a full region are refused, counted and rendered; nothing else changes", async () => {
  await withRegion(24, (region) => {
    const metrics = new RegionMetrics(region);
    const counter = metrics.counter({ name: "lim_total", help: "l", labelNames: ["k"] });
    counter.inc({ k: "kept" });
    const before = metrics.render();
    assert.throws(
      () => counter.inc({ k: "x".repeat(MAX_KEY_BYTES) }),
      (e: Error) => e instanceof RangeError && e.message.includes(`the limit is ${MAX_KEY_BYTES}`),
    );
    assert.equal(metrics.refusedSeries, 1);
    let made = 0;
    assert.throws(() => {
      for (;; made++) counter.inc({ k: `series-${made}` });
    }, (e: Error) => e instanceof RangeError && /no room .*capacity 24 slots/.test(e.message));
    assert.ok(made > 5, `${made} series fitted`);
    assert.equal(metrics.refusedSeries, 2);
    const text = metrics.render();
    assert.ok(text.startsWith(before.replace(/\n$/, "")), "the series that fitted are all there");
    assert.equal(sample(text, 'lim_total{k="kept"}'), 1);
    assert.equal(sample(text, REFUSED_METRIC), 2);
    assert.match(text, new RegExp(`# TYPE ${REFUSED_METRIC} counter\n`));
    counter.inc({ k: "kept" }); // existing series keep working
    assert.equal(sample(metrics.render(), 'lim_total{k="kept"}'), 2);
  });
});

test("records no atomicx process wrote are left alone; metrics are made by RegionMetrics only", async () => {
  await withRegion(256, (region) => {
    const metrics = new RegionMetrics(region);
    metrics.counter({ name: "real_total", help: "r", labelNames: ["k"] }).inc({ k: "v" }, 2);
    metrics.histogram({ name: "real_seconds", help: "h", buckets: [1] }).observe(0.5);
    const before = metrics.render();
    const forged: [string, number, string][] = [
      ["am1/m123.0.0", 40, "not json at all"],
      ["am1/m124.0.0", 60, '["x","counter","h",["a"],[1]]'], // a counter with buckets
      ["am1/m125.0.0", 60, '["y","gauge","h",["a"],null]'], // sound, but not where "y" hashes
      ["am1/s126.15.0", 30, "real_total k=v}"], // no brace
      ["am1/s127.17.0", 30, 'real_total{k="w"}'], // sound, but not where it hashes
      ["am1/s128.19.0", 30, 'real_total{q="v"}\n'], // a label it does not have
    ];
    for (const [name, length, key] of forged) writeKey(region.floatArray(name, length), key);
    region.int("am1/whatever").store(7);
    region.floatArray("am1/s9.3.0", 4).store(0, 1e300); // a key length no record can have
    assert.equal(metrics.render(), before, "this view");
    assert.equal(new RegionMetrics(region).render(), before, "a new view of the region");
    const RegionMetric = Object.getPrototypeOf(
      Object.getPrototypeOf(metrics.gauge({ name: "g", help: "g" })),
    ).constructor;
    assert.throws(() => new RegionMetric({}), TypeError);
    assert.throws(() => new RegionMetric(undefined), TypeError);
  });
});

test("a scrape killed half-way loses nothing: it only flipped the hot half", async () => {
  await withRegion(64, (region) => {
    const metrics = new RegionMetrics(region);
    const h = metrics.histogram({ name: "k_seconds", help: "k", buckets: [1] });
    const entry = region.entries().find((e) => e.name.startsWith("am1/s"))!;
    const record = region.floatArray(entry.name, entry.length!);
    const started = entry.length! - (3 + 2 * (2 + 2)) + 1;
    for (let round = 1; round <= 4; round++) {
      h.observe(0.5);
      h.observe(2);
      // A scrape that died right after its flip (the only thing a scrape writes).
      record.add(started, record.load(started) % 2 === 0 ? 1 : -1);
      const text = metrics.render();
      assert.equal(sample(text, "k_seconds_count"), 2 * round);
      assert.equal(sample(text, 'k_seconds_bucket{le="1"}'), round);
      assert.equal(sample(text, "k_seconds_sum"), 2.5 * round);
    }
  });
});

test("a process that died inside an observation does not stall scrapes", async () => {
  await withRegion(64, (region) => {
    const metrics = new RegionMetrics(region);
    const h = metrics.histogram({ name: "d_seconds", help: "d", buckets: [1] });
    h.observe(0.5);
    // What a process killed after its first step leaves: an observation begun, never finished.
    const entry = region.entries().find((e) => e.name.startsWith("am1/s"))!;
    const record = region.floatArray(entry.name, entry.length!);
    const started = entry.length! - (3 + 2 * (2 + 2)) + 1;
    assert.equal(record.load(started) >> 1, 1);
    record.add(started, 2);
    const t0 = performance.now();
    const text = metrics.render();
    const first = performance.now() - t0;
    assert.equal(sample(text, "d_seconds_count"), 1);
    assert.equal(sample(text, 'd_seconds_bucket{le="+Inf"}'), 1);
    assert.equal(sample(text, "d_seconds_sum"), 0.5);
    assert.ok(first >= 900 && first < 5000, `first scrape took ${first} ms`);
    h.observe(2);
    const t1 = performance.now();
    const later = metrics.render();
    assert.ok(performance.now() - t1 < 50, "the gap is remembered: later scrapes do not wait");
    assert.equal(sample(later, "d_seconds_count"), 2);
    assert.equal(sample(later, "d_seconds_sum"), 2.5);
  });
});

// ---------------------------------------------------------------------------------------------
// Real processes and Workers.

const adder = fileURLToPath(new URL("../fixtures/metrics_adder.ts", import.meta.url));
const server = fileURLToPath(new URL("../fixtures/metrics_server.ts", import.meta.url));
const JOBS = 20_000;

/**
 * V8 flags for a Node 26 process using node:ffi. Node 26.10's node:ffi fast calls race with V8's
 * background TurboFan compiles ("Check failed: FastApiCallNode::ArityForArgc", see
 * ffi/_node_ffi.ts): atomicx turns concurrent recompilation off when it loads node:ffi, but a hot
 * process here still died of it about once in ten runs, after its work was done, on a compile job
 * queued before that. Starting it with the flag keeps this suite about metrics.
 */
const nodeFfiFlags = (runtime: string): string[] =>
  runtime === "node" ? ["--no-concurrent-recompilation"] : [];

/**
 * Checks one scrape of the tests' histogram: only observations of 0.5, so every consistent
 * scrape has `_sum` = 0.5 × `_count`, every one in the `le="0.5"` bucket and none below.
 */
function consistentHistogram(text: string): number {
  const count = sample(text, "work_seconds_count");
  assert.equal(sample(text, 'work_seconds_bucket{le="+Inf"}'), count, text);
  assert.equal(sample(text, 'work_seconds_bucket{le="0.5"}'), count);
  assert.equal(sample(text, 'work_seconds_bucket{le="0.25"}'), 0);
  assert.equal(sample(text, "work_seconds_sum"), 0.5 * count);
  return count;
}

/** Scrapes with render() until `done` settles, checking each scrape; returns the scrape count. */
async function scrapeWhile(metrics: RegionMetrics, done: Promise<unknown>): Promise<number> {
  let finished = false;
  done.finally(() => (finished = true)).catch(() => {});
  let scrapes = 0;
  let last = 0;
  while (!finished) {
    const count = consistentHistogram(metrics.render());
    assert.ok(count >= last, "counts only go up");
    last = count;
    scrapes++;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return scrapes;
}

/** Checks the exact totals after `tags` each ran `JOBS` jobs. */
function exactTotals(text: string, tags: readonly string[]): void {
  const escaped = LONG_LABEL.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  for (const tag of tags) {
    assert.equal(sample(text, `jobs_total{runtime="${tag}",detail="${escaped}"}`), JOBS, tag);
  }
  assert.equal(sample(text, "all_total"), JOBS * tags.length);
  assert.equal(sample(text, "active"), JOBS * tags.length);
  assert.equal(consistentHistogram(text), JOBS * tags.length);
}

test("worker_threads: every Worker of a process adds into the region; exact totals, consistent scrapes", async () => {
  await withRegion(512, async (region, name) => {
    const { metrics } = declare(region);
    const tags = ["t1", "t2", "t3", "t4"];
    const workers = tags.map((tag) =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(adder, { workerData: { region: name, n: JOBS, tag } });
        worker.once("message", () => resolve());
        worker.once("error", reject);
        worker.once("exit", (code) => code !== 0 && reject(new Error(`${tag} exited ${code}`)));
      })
    );
    const all = Promise.all(workers);
    const scrapes = await scrapeWhile(metrics, all);
    await all;
    exactTotals(metrics.render(), tags);
    assert.ok(scrapes > 0);
  });
});

test("Deno, Bun and Node processes (node:ffi and koffi) add into one region; exact totals", async () => {
  await withRegion(512, async (region, name) => {
    const { metrics } = declare(region);
    const tags = ["deno", "bun", "node", "koffi"];
    const processes = tags.map((tag) => {
      const { command, args, env } = runtimeCommand(tag, adder);
      return new Promise<void>((resolve, reject) => {
        const child = spawn(command, [...nodeFfiFlags(tag), ...args, name, String(JOBS), tag], {
          cwd: root,
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"],
          timeout: 120_000,
        });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("error", reject);
        child.on(
          "close",
          (code) =>
            code === 0 && output.includes("done")
              ? resolve()
              : reject(new Error(`${tag} exited ${code}: ${output}`)),
        );
      });
    });
    const all = Promise.all(processes);
    await scrapeWhile(metrics, all);
    await all;
    exactTotals(metrics.render(), tags);
  });
});

const ROUTES = ["/", "/items", "/missing"];

/** `n` requests over `ROUTES`, 16 at a time; the count sent per route. */
async function load(port: number, n: number, sent: Map<string, number>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      const route = ROUTES[next++ % ROUTES.length];
      const { status } = await get(port, route, agent);
      assert.equal(status, route === "/missing" ? 404 : 200);
      sent.set(route, (sent.get(route) ?? 0) + 1);
    }
  }));
  agent.destroy();
}

test("a 4-worker Node cluster: exact counts from /metrics and /registry of every worker, across a killed worker", async () => {
  await withRegion(512, async (_region, name) => {
    cluster.setupPrimary({
      exec: server,
      execArgv: ["--experimental-ffi", "--no-warnings", ...nodeFfiFlags("node")],
    });
    const env = { METRICS_REGION: name, METRICS_PORT: "0" };
    let stopping = false;
    const listening: ((port: number) => void)[] = [];
    const onListening = (_: unknown, address: { port: number }) =>
      listening.shift()?.(address.port);
    const onExit = () => {
      if (!stopping) cluster.fork(env);
    };
    cluster.on("listening", onListening);
    cluster.on("exit", onExit);
    const listen = () => new Promise<number>((resolve) => listening.push(resolve));
    try {
      const ports = Array.from({ length: 4 }, listen);
      for (let i = 0; i < 4; i++) cluster.fork(env);
      const port = (await Promise.all(ports))[0];
      const sent = new Map<string, number>();
      await load(port, 1500, sent);
      const restarted = listen();
      Object.values(cluster.workers!)[0]!.process.kill("SIGKILL");
      await restarted;
      await load(port, 1500, sent);
      const scrapes: { body: string; pid: string; path: string }[] = [];
      while (new Set(scrapes.map((s) => s.pid)).size < 4 && scrapes.length < 64) {
        for (const path of ["/metrics", "/registry"]) {
          scrapes.push({ ...await get(port, path, false), path });
        }
      }
      const pids = new Set(scrapes.map((s) => s.pid));
      assert.ok(pids.size >= 3, `scrapes answered by ${pids.size} workers`);
      for (const { body, pid, path } of scrapes) {
        assert.equal(body, scrapes[0].body, `${path} of worker ${pid} is the same text`);
      }
      const text = scrapes[0].body;
      for (const route of ROUTES) {
        const code = route === "/missing" ? "404" : "200";
        const n = sent.get(route)!;
        assert.equal(sample(text, `http_requests_total{route="${route}",code="${code}"}`), n);
        assert.equal(sample(text, `http_request_duration_seconds_count{route="${route}"}`), n);
        assert.equal(
          sample(text, `http_request_duration_seconds_bucket{le="+Inf",route="${route}"}`),
          n,
        );
      }
      assert.equal([...sent.values()].reduce((a, b) => a + b), 3000);
    } finally {
      stopping = true;
      await Promise.all(
        Object.values(cluster.workers ?? {}).map((w) =>
          new Promise((done) => {
            w!.once("exit", done);
            w!.kill();
          })
        ),
      );
      cluster.off("listening", onListening);
      cluster.off("exit", onExit);
    }
  });
});

test("a rolling deploy: two generations declaring metrics differently share one region, neither throws", async () => {
  const fixture = fileURLToPath(new URL("../fixtures/metrics_generation.ts", import.meta.url));
  await withRegion(512, async (region) => {
    const N = 300;
    // Old and new workers at once, on different runtimes: node and bun run generation 1, deno
    // and node generation 2.
    const runs = ([["node", "1"], ["bun", "1"], ["deno", "2"], ["node", "2"]] as const).map(
      ([runtime, gen]) => runFixture(runtime, fixture, [region.name, gen, String(N)]),
    );
    const [old1, old2, new1, new2] = (await Promise.all(runs)).map((r) => r.text as string);
    assert.equal(old1, old2);
    assert.equal(new1, new2);
    for (const [text, gen] of [[old1, 1], [new1, 2]] as const) {
      // Counters and gauges: every generation's series, whatever its labels; one value shared.
      assert.equal(sample(text, 'http_requests_total{route="/a"}'), 2 * N);
      assert.equal(sample(text, 'http_requests_total{route="/a",code="200"}'), 2 * N);
      assert.equal(sample(text, "inflight"), 4 * N);
      assert.equal(sample(text, "errors_total"), 2 * N); // declared by generation 2 only
      // Each reports with its own help; histograms with its own buckets (the other
      // generation's observations have another layout and are kept apart).
      assert.ok(
        text.includes(
          gen === 1
            ? "# HELP http_requests_total Requests\n"
            : "# HELP http_requests_total HTTP requests answered\n",
        ),
      );
      assert.equal(sample(text, 'latency_seconds_count{route="/a"}'), 2 * N);
      assert.equal(sample(text, 'latency_seconds_bucket{le="0.1",route="/a"}'), 2 * N);
      assert.equal(text.includes('le="0.05"'), gen === 2);
      assert.equal(text.split("# TYPE http_requests_total").length, 2); // one family per name
    }
  });
});

/** Runs `script` with `args` on `runtime`; resolves to its last stdout line as JSON. */
function runFixture(runtime: string, script: string, args: string[]): Promise<{ text?: string }> {
  const { command, args: base, env } = runtimeCommand(runtime, script);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...nodeFfiFlags(runtime), ...base, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let stdout = "", stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on(
      "close",
      (code) =>
        code === 0
          ? resolve(JSON.parse(stdout.trim().split("\n").at(-1)!))
          : reject(new Error(`${runtime} exited ${code}: ${stdout}${stderr}`)),
    );
  });
}
