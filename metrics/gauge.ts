/**
 * `RegionGauge`: prom-client's `Gauge` with its values in a region: one shared value per series,
 * which `set`, `inc` and `dec` from any process change.
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
import type { Series } from "./_space.ts";
import { VALUE } from "./_values.ts";

function checkNumber(value: unknown, what: "Value" | "Delta"): number {
  if (typeof value !== "number") {
    throw new TypeError(`${what} is not a valid number: ${formatValue(value)}`);
  }
  return value;
}

/**
 * The operations of one gauge series (`gauge.labels(...)`).
 *
 * @example One route's in-flight count
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { type GaugeSeries, RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("gauge-series-doc", { capacity: 64 });
 * const inflight = new RegionMetrics(region).gauge({
 *   name: "inflight",
 *   help: "In flight",
 *   labelNames: ["route"],
 * });
 * const route: GaugeSeries = inflight.labels("/a");
 * route.inc();
 * route.dec();
 * SharedMemory.unlink("gauge-series-doc");
 * ```
 */
export interface GaugeSeries {
  /** Adds `value` (default 1). */
  inc(value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
  /** Sets the value. */
  set(value: number): void;
  /** Sets the value to the current Unix time in seconds. */
  setToCurrentTime(): void;
  /** Starts a timer; calling the result sets the seconds elapsed (and returns them). */
  startTimer(): (labels?: LabelValues) => number;
}

/**
 * A gauge whose series live in a region: one value per series, shared by every process. For a
 * value per process (each worker's heap size, say), give it a `pid` label:
 * `gauge.set({ pid: String(process.pid) }, heapUsed)` — and `remove` it when the process stops.
 *
 * @example One in-flight count for the whole cluster
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("gauge-doc", { capacity: 64 });
 * const inflight = new RegionMetrics(region).gauge({ name: "inflight", help: "In flight" });
 * inflight.inc();
 * inflight.dec();
 * inflight.set(3);
 * SharedMemory.unlink("gauge-doc");
 * ```
 */
export class RegionGauge<T extends string = string> extends RegionMetric<T> {
  /** `"gauge"`. */
  declare readonly type: "gauge";
  readonly #core: Core = metricCore(this);

  /**
   * Sets the series of `labels` to `value`.
   *
   * @example A value by label
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("gauge-set-doc", { capacity: 64 });
   * const queue = new RegionMetrics(region).gauge({ name: "queue", help: "Queue", labelNames: ["q"] });
   * queue.set({ q: "mail" }, 12);
   * SharedMemory.unlink("gauge-set-doc");
   * ```
   * @throws {TypeError} for a value that is not a number
   */
  set(labels: LabelValues<T> | number, value?: number): void {
    const v = checkNumber(typeof labels === "object" && labels !== null ? value : labels, "Value");
    const series = this.#series(labels);
    series.array.store(series.base + VALUE, v);
  }

  /**
   * Adds `value` (default 1) to the series of `labels`.
   *
   * @example Adding
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("gauge-inc-doc", { capacity: 64 });
   * const g = new RegionMetrics(region).gauge({ name: "g", help: "g" });
   * g.inc(5);
   * SharedMemory.unlink("gauge-inc-doc");
   * ```
   * @throws {TypeError} for a value that is not a number
   */
  inc(labels?: LabelValues<T> | number, value?: number): void {
    this.#add(labels, value, 1);
  }

  /**
   * Subtracts `value` (default 1) from the series of `labels`.
   *
   * @example Subtracting
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("gauge-dec-doc", { capacity: 64 });
   * const g = new RegionMetrics(region).gauge({ name: "g", help: "g" });
   * g.dec();
   * SharedMemory.unlink("gauge-dec-doc");
   * ```
   * @throws {TypeError} for a value that is not a number
   */
  dec(labels?: LabelValues<T> | number, value?: number): void {
    this.#add(labels, value, -1);
  }

  /**
   * Sets the series of `labels` to the current Unix time in seconds.
   *
   * @example A timestamp
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("gauge-time-doc", { capacity: 64 });
   * new RegionMetrics(region).gauge({ name: "last_run", help: "Last run" }).setToCurrentTime();
   * SharedMemory.unlink("gauge-time-doc");
   * ```
   */
  setToCurrentTime(labels?: LabelValues<T>): void {
    if (labels === undefined) this.set(Date.now() / 1000);
    else this.set(labels, Date.now() / 1000);
  }

  /**
   * Starts a timer: calling the result sets the series to the seconds elapsed and returns them.
   *
   * @example Timing into a gauge
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("gauge-timer-doc", { capacity: 64 });
   * const end = new RegionMetrics(region).gauge({ name: "took", help: "Took" }).startTimer();
   * end();
   * SharedMemory.unlink("gauge-timer-doc");
   * ```
   */
  startTimer(labels?: LabelValues<T>): (endLabels?: LabelValues<T>) => number {
    const start = performance.now();
    return (endLabels) => {
      const seconds = (performance.now() - start) / 1000;
      this.set({ ...labels, ...endLabels } as LabelValues<T>, seconds);
      return seconds;
    };
  }

  /**
   * The operations of the series of these label values (positional or an object).
   *
   * @example A per-process gauge
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("gauge-labels-doc", { capacity: 64 });
   * const g = new RegionMetrics(region).gauge({ name: "g", help: "g", labelNames: ["pid"] });
   * g.labels("42").set(1);
   * SharedMemory.unlink("gauge-labels-doc");
   * ```
   */
  labels(...values: (string | number)[] | [LabelValues<T>]): GaugeSeries {
    const labels = labelsOf(this.labelNames, values) as LabelValues<T>;
    this.#core.checkLabels(labels);
    return {
      inc: (value?: number) => this.inc(labels, value),
      dec: (value?: number) => this.dec(labels, value),
      set: (value: number) => this.set(labels, value),
      setToCurrentTime: () => this.setToCurrentTime(labels),
      startTimer: () => this.startTimer(labels),
    };
  }

  #series(labels: LabelValues<T> | number | undefined): Series {
    return this.#core.seriesOf(typeof labels === "object" && labels !== null ? labels : undefined);
  }

  #add(labels: LabelValues<T> | number | undefined, value: number | undefined, sign: 1 | -1) {
    const given = typeof labels === "object" && labels !== null ? value : labels;
    const delta = given === undefined ? 1 : checkNumber(given, "Delta");
    const series = this.#series(labels);
    series.array.add(series.base + VALUE, sign * delta);
  }
}
