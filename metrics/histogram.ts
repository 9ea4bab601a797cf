/**
 * `RegionHistogram`: prom-client's `Histogram` with its buckets, sum and count in a region, read
 * so that every scrape shows what whole observations produce (`_values.ts`).
 *
 * @module
 */

import {
  type Core,
  formatValue,
  labelsOf,
  type LabelValues,
  metricCore,
  RegionMetric,
} from "./_metric.ts";
import { collect } from "./_kinds.ts";
import type { Series } from "./_space.ts";
import { observeInto } from "./_values.ts";

/**
 * prom-client's default buckets (seconds).
 *
 * @example The default buckets
 * ```ts
 * import { DEFAULT_BUCKETS } from "@atomicx/atomicx/metrics";
 *
 * console.log(DEFAULT_BUCKETS.length); // 11
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
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
]);

/**
 * The operations of one histogram series (`histogram.labels(...)`).
 *
 * @example One route's latencies
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { type HistogramSeries, RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("histogram-series-doc", { capacity: 64 });
 * const latency = new RegionMetrics(region).histogram({
 *   name: "latency_seconds",
 *   help: "Latency",
 *   labelNames: ["route"],
 *   buckets: [0.1, 1],
 * });
 * const route: HistogramSeries = latency.labels("/a");
 * route.observe(0.05);
 * SharedMemory.unlink("histogram-series-doc");
 * ```
 */
export interface HistogramSeries {
  /** Records one observation. */
  observe(value: number): void;
  /** Starts a timer; calling the result observes the seconds elapsed (and returns them). */
  startTimer(): (labels?: LabelValues) => number;
}

function checkObservation(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`Value is not a valid number: ${formatValue(value)}`);
  }
  return value;
}

/**
 * A histogram whose series live in a region: per-bucket counts, sum and count that every process
 * adds to. A scrape never shows half an observation: `_count`, the `+Inf` bucket and `_sum`
 * always belong together.
 *
 * @example Request latency from every worker
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("histogram-doc", { capacity: 64 });
 * const latency = new RegionMetrics(region).histogram({
 *   name: "latency_seconds", help: "Latency", labelNames: ["route"], buckets: [0.01, 0.1, 1],
 * });
 * latency.observe({ route: "/" }, 0.05);
 * const end = latency.startTimer({ route: "/" });
 * end();
 * SharedMemory.unlink("histogram-doc");
 * ```
 */
export class RegionHistogram<T extends string = string> extends RegionMetric<T> {
  /** `"histogram"`. */
  declare readonly type: "histogram";
  readonly #core: Core = metricCore(this);

  /**
   * Records `value` in the series of `labels` (or, with one argument, in the series without
   * labels).
   *
   * @example One observation
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("histogram-observe-doc", { capacity: 64 });
   * const h = new RegionMetrics(region).histogram({ name: "h", help: "h", buckets: [1, 2] });
   * h.observe(1.5);
   * SharedMemory.unlink("histogram-observe-doc");
   * ```
   * @throws {TypeError} for a value that is not a finite number
   */
  observe(labels: LabelValues<T> | number, value?: number): void {
    const labelled = typeof labels === "object" && labels !== null;
    const v = checkObservation(labelled ? value : labels);
    this.#observe(this.#core.seriesOf(labelled ? labels : undefined), v);
  }

  /**
   * Starts a timer: calling the result observes the seconds elapsed (with the labels of both
   * calls) and returns them.
   *
   * @example Timing a request
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("histogram-timer-doc", { capacity: 64 });
   * const h = new RegionMetrics(region).histogram({ name: "t", help: "t", labelNames: ["code"] });
   * const end = h.startTimer();
   * end({ code: "200" });
   * SharedMemory.unlink("histogram-timer-doc");
   * ```
   */
  startTimer(labels?: LabelValues<T>): (endLabels?: LabelValues<T>) => number {
    const start = performance.now();
    return (endLabels) => {
      const seconds = (performance.now() - start) / 1000;
      this.observe({ ...labels, ...endLabels } as LabelValues<T>, seconds);
      return seconds;
    };
  }

  /**
   * Makes the series of `labels` present with zero observations (prom-client's `zero`).
   *
   * @example A series shown before its first observation
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("histogram-zero-doc", { capacity: 64 });
   * const h = new RegionMetrics(region).histogram({ name: "z", help: "z", labelNames: ["q"] });
   * h.zero({ q: "a" });
   * SharedMemory.unlink("histogram-zero-doc");
   * ```
   */
  zero(labels: LabelValues<T>): void {
    const { space, family } = this.#core;
    collect(space, family, this.#core.seriesOf(labels), false);
  }

  /**
   * The operations of the series of these label values (positional or an object).
   *
   * @example A child for a hot path
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("histogram-labels-doc", { capacity: 64 });
   * const h = new RegionMetrics(region).histogram({ name: "l", help: "l", labelNames: ["route"] });
   * h.labels("/").observe(0.2);
   * SharedMemory.unlink("histogram-labels-doc");
   * ```
   */
  labels(...values: (string | number)[] | [LabelValues<T>]): HistogramSeries {
    const core = this.#core;
    const labels = labelsOf(this.labelNames, values) as LabelValues<T>;
    core.checkLabels(labels);
    let series = core.seriesOf(labels);
    return {
      observe: (value: number) => {
        const v = checkObservation(value);
        if (series.hidden) series = core.seriesOf(labels);
        this.#observe(series, v);
      },
      startTimer: () => this.startTimer(labels),
    };
  }

  #observe(series: Series, value: number): void {
    const bounds = this.#core.family.definition.buckets!;
    let b = 0;
    while (b < bounds.length && value > bounds[b]) b++;
    observeInto(series.array, series.base, bounds.length, b, value);
  }
}
