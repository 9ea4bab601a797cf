/**
 * `RegionCounter`: prom-client's `Counter` with its values in a region. One element per series
 * (an atomic float add): every process adds into the same number.
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
import { VALUE } from "./_values.ts";

/** Checks an increment as prom-client does (and refuses NaN, which prom-client would add). */
function checkIncrement(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`Value is not a valid number: ${formatValue(value)}`);
  }
  if (value < 0) throw new Error("It is not possible to decrease a counter");
  return value;
}

/**
 * A counter whose series live in a `SharedMemory` region: `inc` from any process (or Worker)
 * adds to the one value every process reads. Made by `RegionMetrics.counter`.
 *
 * @example Requests counted by every worker
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("counter-doc", { capacity: 64 });
 * const metrics = new RegionMetrics(region);
 * const requests = metrics.counter({ name: "requests_total", help: "Requests", labelNames: ["route"] });
 * requests.inc({ route: "/" });
 * requests.labels("/").inc(2);
 * console.log(metrics.render().includes('requests_total{route="/"} 3')); // true
 * SharedMemory.unlink("counter-doc");
 * ```
 */
export class RegionCounter<T extends string = string> extends RegionMetric<T> {
  /** `"counter"`. */
  declare readonly type: "counter";
  readonly #core: Core = metricCore(this);

  /**
   * Adds `value` (default 1, finite and ≥ 0) to the series of `labels`.
   *
   * @example Counting with and without labels
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("counter-inc-doc", { capacity: 64 });
   * const jobs = new RegionMetrics(region).counter({ name: "jobs_total", help: "Jobs" });
   * jobs.inc();
   * jobs.inc(0.5);
   * SharedMemory.unlink("counter-inc-doc");
   * ```
   * @throws {TypeError} for a value that is not a finite number
   * @throws {Error} for a negative value, or a label not in `labelNames`
   * @throws {RangeError} when the region has no room for a new series
   */
  inc(labels?: LabelValues<T> | number, value?: number): void {
    const labelled = typeof labels === "object" && labels !== null;
    const by = checkIncrement(labelled ? value : labels);
    const series = this.#core.seriesOf(labelled ? labels : undefined);
    series.array.add(series.base + VALUE, by);
  }

  /**
   * The series of these label values (positional, in `labelNames` order, or an object), with an
   * `inc` that skips the label lookup: the fast way to count one series often.
   *
   * @example A child for a hot path
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("counter-labels-doc", { capacity: 64 });
   * const hits = new RegionMetrics(region).counter({ name: "hits_total", help: "Hits", labelNames: ["code"] });
   * const ok = hits.labels("200");
   * ok.inc();
   * SharedMemory.unlink("counter-labels-doc");
   * ```
   */
  labels(...values: (string | number)[] | [LabelValues<T>]): { inc(value?: number): void } {
    const core = this.#core;
    const labels = labelsOf(this.labelNames, values);
    core.checkLabels(labels);
    let series = core.seriesOf(labels);
    return {
      inc: (value?: number) => {
        const by = checkIncrement(value);
        if (series.hidden) series = core.seriesOf(labels);
        series.array.add(series.base + VALUE, by);
      },
    };
  }
}
