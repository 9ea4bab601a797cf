// Prometheus counters and histograms whose values live in a `SharedMemory` region, so that every
// process of a Node cluster adds into the same numbers and any of them can render `/metrics`
// through prom-client — no IPC, and a restarted worker finds the totals where they were.
//
// Layout: every series of a counter is one region `Counter` (8 stripes of 128 bytes: processes
// adding at once each add to their own stripe, and a scrape adds the stripes up); every series of
// a histogram is one `AtomicIntArray` of per-bucket counts (not cumulative: an observation adds 1
// to exactly one bucket) and a `FloatCounter` sum. A scrape renders the cumulative buckets and
// takes `_count` as their total, so `_count` always equals the `+Inf` bucket even while other
// processes keep observing.
import type { Metric, Registry } from "prom-client";
import type { AtomicIntArray, Counter, FloatCounter, SharedMemory } from "../../mod.ts";

/**
 * prom-client's default buckets (seconds).
 *
 * @example
 * ```ts
 * const spec: HistogramSpec = { name: "t_seconds", help: "t", labelNames: [], series: [[]],
 *   buckets: DEFAULT_BUCKETS };
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/**
 * A metric's name, help and every label-value combination it will ever report.
 *
 * @example
 * ```ts
 * const spec: MetricSpec = {
 *   name: "jobs_total", help: "Jobs by result", labelNames: ["result"], series: [["ok"], ["error"]],
 * };
 * ```
 */
export interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Each series' label values, in `labelNames` order; a series is addressed by its index. */
  readonly series: readonly (readonly string[])[];
}

/**
 * A histogram's spec: a {@link MetricSpec} with upper bucket bounds (ascending, seconds).
 *
 * @example
 * ```ts
 * const spec: HistogramSpec = {
 *   name: "job_seconds", help: "Job time", labelNames: [], series: [[]], buckets: [0.1, 1, 10],
 * };
 * ```
 */
export interface HistogramSpec extends MetricSpec {
  readonly buckets?: readonly number[];
}

/** The label object of one series. */
function labelsOf(spec: MetricSpec, series: number): Record<string, string> {
  const labels: Record<string, string> = {};
  spec.labelNames.forEach((name, i) => (labels[name] = spec.series[series][i]));
  return labels;
}

/** Entry names stay short (48 UTF-8 bytes at most): metric index, series index, part. */
const slotName = (metric: number, series: number, part: string) => `m${metric}/${series}/${part}`;

/** Slots (128 bytes each) a region `Counter` or `FloatCounter` takes: one per stripe. */
const COUNTER_SLOTS = 8;

/**
 * A counter in a region: a collector registered on a prom-client `Registry` (an object with
 * `name` and `get()`, which is all a `Registry` asks of a metric) whose `get()` reads the region at
 * every scrape. (A prom-client `Counter` with a `collect()` that resets it and adds each series
 * renders the same text, at about 1.7 times the cost: it hashes and validates every label set.)
 *
 * @example
 * ```ts
 * const requests = new RegionCounter(region, registry, 0, {
 *   name: "http_requests_total", help: "Requests", labelNames: ["route"], series: [["/"]],
 * });
 * requests.inc(0); // series 0: route="/"
 * ```
 */
export class RegionCounter {
  readonly name: string;
  readonly help: string;
  readonly #cells: Counter[];
  readonly #labels: Record<string, string>[];

  constructor(region: SharedMemory, registry: Registry, index: number, spec: MetricSpec) {
    this.name = spec.name;
    this.help = spec.help;
    this.#cells = spec.series.map((_, j) => region.counter(slotName(index, j, "n")));
    this.#labels = spec.series.map((_, j) => labelsOf(spec, j));
    // The Registry only reads `name` and calls `get()`; its types name prom-client's own classes.
    registry.registerMetric(this as unknown as Metric);
  }

  /** Adds `by` (default 1) to series `series`. */
  inc(series: number, by = 1): void {
    this.#cells[series].add(by);
  }

  /** The current value of series `series`. */
  value(series: number): number {
    return this.#cells[series].sum();
  }

  /** What prom-client's `Registry` renders: one value per series, read from the region. */
  get(): Promise<RenderedMetric> {
    const values: RenderedValue[] = this.#cells.map((cell, j) => ({
      metricName: this.name,
      labels: this.#labels[j],
      value: cell.sum(),
    }));
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: "counter",
      values,
      aggregator: "sum",
    });
  }
}

/** One line of a rendered metric, as prom-client's `Registry` formats it. */
interface RenderedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** A metric as prom-client's `Registry` asks for it (`metric.get()`). */
interface RenderedMetric {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: RenderedValue[];
  aggregator: "sum";
}

/** One histogram series in the region: a count per bucket (the last one is `+Inf`) and a sum. */
interface HistogramCells {
  readonly buckets: AtomicIntArray;
  readonly sum: FloatCounter;
  /** The series' labels, and with `le` added for each bucket (made once, not per scrape). */
  readonly labels: Record<string, string>;
  readonly bucketLabels: Record<string, string | number>[];
}

/**
 * A histogram in a region. prom-client's `Histogram` keeps its buckets in the process, so this one
 * is its own collector: an object with `name` and `get()` (what prom-client's `Registry` asks of
 * every metric), returning the buckets, sum and count read from the region.
 *
 * @example
 * ```ts
 * const latency = new RegionHistogram(region, registry, 1, {
 *   name: "http_request_duration_seconds", help: "Latency", labelNames: ["route"], series: [["/"]],
 * });
 * latency.observe(0, 0.003); // series 0, 3 ms
 * ```
 */
export class RegionHistogram {
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  readonly #series: HistogramCells[];

  constructor(
    region: SharedMemory,
    registry: Registry,
    index: number,
    spec: HistogramSpec,
  ) {
    this.name = spec.name;
    this.help = spec.help;
    this.#bounds = spec.buckets ?? DEFAULT_BUCKETS;
    this.#series = spec.series.map((_, j) => ({
      buckets: region.intArray(slotName(index, j, "b"), this.#bounds.length + 1),
      sum: region.floatCounter(slotName(index, j, "sum")),
      labels: labelsOf(spec, j),
      bucketLabels: [...this.#bounds, "+Inf"].map((le) => ({ ...labelsOf(spec, j), le })),
    }));
    // The Registry only reads `name` and calls `get()`; its types name prom-client's own classes.
    registry.registerMetric(this as unknown as Metric);
  }

  /** Records one observation `seconds` in series `series`. */
  observe(series: number, seconds: number): void {
    const bounds = this.#bounds;
    let b = 0;
    while (b < bounds.length && seconds > bounds[b]) b++;
    const cells = this.#series[series];
    cells.buckets.inc(b);
    cells.sum.add(seconds);
  }

  /** What prom-client's `Registry` renders: cumulative buckets, `_sum` and `_count` per series. */
  get(): Promise<RenderedMetric> {
    const values: RenderedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    const sumName = `${this.name}_sum`;
    const countName = `${this.name}_count`;
    for (const { buckets, sum, labels, bucketLabels } of this.#series) {
      let cumulative = 0;
      for (let b = 0; b < buckets.length; b++) {
        cumulative += buckets.load(b);
        values.push({ metricName: bucketName, labels: bucketLabels[b], value: cumulative });
      }
      values.push({ metricName: sumName, labels, value: sum.sum() });
      values.push({ metricName: countName, labels, value: cumulative });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: "histogram",
      values,
      aggregator: "sum",
    });
  }
}

/**
 * How many 128-byte slots a set of specs needs (for `SharedMemory.open`'s `capacity`).
 *
 * @example
 * ```ts
 * const region = SharedMemory.open(name, { capacity: slotsNeeded([requests], [latency]) });
 * ```
 */
export function slotsNeeded(
  counters: readonly MetricSpec[],
  histograms: readonly HistogramSpec[],
): number {
  const c = counters.reduce((n, spec) => n + spec.series.length * COUNTER_SLOTS, 0);
  const h = histograms.reduce((n, spec) => {
    const bucketSlots = Math.ceil(((spec.buckets ?? DEFAULT_BUCKETS).length + 1) * 8 / 128);
    return n + spec.series.length * (bucketSlots + COUNTER_SLOTS);
  }, 0);
  return c + h;
}
