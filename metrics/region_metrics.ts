/**
 * `RegionMetrics`: makes prom-client-compatible metrics whose values live in a `SharedMemory`
 * region, and renders every metric of the region.
 *
 * @module
 */

import type { SharedMemory } from "../mod.ts";
import {
  checkConfiguration,
  making,
  type MetricConfiguration,
  registerOn,
  type RegistryLike,
} from "./_metric.ts";
import { render } from "./_render.ts";
import { type Definition, MetricSpace, type MetricType } from "./_space.ts";
import { RegionCounter } from "./counter.ts";
import { RegionGauge } from "./gauge.ts";
import { DEFAULT_BUCKETS, RegionHistogram } from "./histogram.ts";

/**
 * Options of {@link RegionMetrics}.
 *
 * @example Options
 * ```ts
 * import type { RegionMetricsOptions } from "@atomicx/atomicx/metrics";
 *
 * const options: RegionMetricsOptions = { registers: [] };
 * ```
 */
export interface RegionMetricsOptions {
  /** prom-client registries every metric registers on (unless its own `registers` says otherwise). */
  readonly registers?: readonly RegistryLike[];
}

/**
 * A histogram's options: prom-client's, with `buckets` (finite upper bounds, ascending; default
 * {@link DEFAULT_BUCKETS}).
 *
 * @example Histogram options
 * ```ts
 * import type { HistogramConfiguration } from "@atomicx/atomicx/metrics";
 *
 * const c: HistogramConfiguration = { name: "t_seconds", help: "t", buckets: [0.1, 1] };
 * ```
 */
export interface HistogramConfiguration<T extends string = string> extends MetricConfiguration<T> {
  /** Finite upper bounds, ascending (default {@link DEFAULT_BUCKETS}). */
  readonly buckets?: readonly number[];
}

/**
 * prom-client metrics whose values live in a region: `counter`, `gauge` and `histogram` take
 * prom-client's options and offer its methods; every process (or Worker) that opens the same
 * region and declares the same metric adds into the same values, and any of them reports all of
 * them — through a prom-client `Registry` (`registry.metrics()`) or `render()`.
 *
 * Region room: a series takes one region entry holding its key and values — a counter or gauge
 * series with up to 78 bytes of name and labels one 128-byte slot, a histogram with 11 buckets
 * and up to 96 bytes three — and each metric one more. Size `capacity` for the series you
 * expect, with room to spare: a series that does not fit is refused with a `RangeError` and
 * counted (`atomicx_metrics_refused_series_total`).
 *
 * @example Every worker counts; any worker answers /metrics
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("region-metrics-doc", { capacity: 256 });
 * const metrics = new RegionMetrics(region); // or { registers: [promClientRegistry] }
 * const requests = metrics.counter({ name: "requests_total", help: "Requests", labelNames: ["code"] });
 * requests.inc({ code: "200" });
 * console.log(metrics.render());
 * SharedMemory.unlink("region-metrics-doc");
 * ```
 */
export class RegionMetrics {
  /** The content type of `render()`'s text (prom-client's `Registry.PROMETHEUS_CONTENT_TYPE`). */
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  readonly #space: MetricSpace;
  readonly #registers: readonly RegistryLike[];
  readonly #declared = new Set<string>();

  /**
   * Metrics in `region` (opened by the caller, who also closes it).
   *
   * @throws {TypeError} for a region that is not a `SharedMemory`, or bad options
   */
  constructor(region: SharedMemory, options: RegionMetricsOptions = {}) {
    if (typeof region !== "object" || region === null || typeof region.floatArray !== "function") {
      throw new TypeError("RegionMetrics: region must be a SharedMemory region");
    }
    const registers = options.registers ?? [];
    if (
      !Array.isArray(registers) || !registers.every((r) => typeof r?.registerMetric === "function")
    ) {
      throw new TypeError("RegionMetrics: registers must be an array of prom-client registries");
    }
    this.#space = new MetricSpace(region);
    this.#registers = registers;
  }

  /**
   * A counter (prom-client's `Counter` options and methods).
   *
   * @example A counter
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("metrics-counter-doc", { capacity: 64 });
   * new RegionMetrics(region).counter({ name: "c_total", help: "C" }).inc();
   * SharedMemory.unlink("metrics-counter-doc");
   * ```
   * @throws {Error} prom-client's errors for bad options; if the name is declared twice here,
   *   or another process declared it differently
   */
  counter<T extends string>(config: MetricConfiguration<T>): RegionCounter<T> {
    const [family, registers] = this.#declare(config, "counter");
    return this.#made(new RegionCounter<T>(making(this.#space, family, config)), registers);
  }

  /**
   * A gauge (prom-client's `Gauge` options and methods): one value per series, shared.
   *
   * @example A gauge
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("metrics-gauge-doc", { capacity: 64 });
   * new RegionMetrics(region).gauge({ name: "g", help: "G" }).set(4);
   * SharedMemory.unlink("metrics-gauge-doc");
   * ```
   * @throws {Error} as {@link RegionMetrics.counter}
   */
  gauge<T extends string>(config: MetricConfiguration<T>): RegionGauge<T> {
    const [family, registers] = this.#declare(config, "gauge");
    return this.#made(new RegionGauge<T>(making(this.#space, family, config)), registers);
  }

  /**
   * A histogram (prom-client's `Histogram` options and methods).
   *
   * @example A histogram
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("metrics-histogram-doc", { capacity: 64 });
   * new RegionMetrics(region).histogram({ name: "h_seconds", help: "H" }).observe(0.3);
   * SharedMemory.unlink("metrics-histogram-doc");
   * ```
   * @throws {Error} as {@link RegionMetrics.counter}
   * @throws {RangeError} for buckets that are not finite numbers in ascending order
   */
  histogram<T extends string>(config: HistogramConfiguration<T>): RegionHistogram<T> {
    const buckets = config?.buckets ?? DEFAULT_BUCKETS;
    if (
      !Array.isArray(buckets) ||
      !buckets.every((b, i) =>
        typeof b === "number" && Number.isFinite(b) && (i === 0 || b > buckets[i - 1])
      )
    ) {
      throw new RangeError(
        `RegionMetrics.histogram: buckets must be finite numbers in ascending order, got ${
          JSON.stringify(buckets)
        }`,
      );
    }
    const [family, registers] = this.#declare(config, "histogram", [...buckets]);
    return this.#made(new RegionHistogram<T>(making(this.#space, family, config)), registers);
  }

  /**
   * The exposition text (Prometheus text format 0.0.4) of every metric in the region — those
   * declared by any process — read from the region now: byte for byte what prom-client's
   * `registry.metrics()` writes for the same values. Followed by
   * `atomicx_metrics_refused_series_total` once a series was refused.
   *
   * @example The text of /metrics
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("metrics-render-doc", { capacity: 64 });
   * const metrics = new RegionMetrics(region);
   * metrics.gauge({ name: "up", help: "Up" }).set(1);
   * console.log(metrics.render()); // "# HELP up Up\n# TYPE up gauge\nup 1\n"
   * SharedMemory.unlink("metrics-render-doc");
   * ```
   */
  render(): string {
    return render(this.#space);
  }

  /**
   * How many series were refused in this region, by any process (region full, key too long).
   *
   * @example Refused series
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("metrics-refused-doc", { capacity: 64 });
   * console.log(new RegionMetrics(region).refusedSeries); // 0
   * SharedMemory.unlink("metrics-refused-doc");
   * ```
   */
  get refusedSeries(): number {
    return this.#space.refused.load();
  }

  #declare(
    config: MetricConfiguration,
    type: MetricType,
    buckets?: number[],
  ) {
    checkConfiguration(config, type);
    const registers = config.registers ?? this.#registers;
    if (this.#declared.has(config.name)) {
      throw new Error(`A metric with the name ${config.name} has already been registered.`);
    }
    const definition: Definition = {
      name: config.name,
      help: config.help,
      type,
      labelNames: [...(config.labelNames ?? [])],
      ...(buckets ? { buckets } : {}),
    };
    const family = this.#space.declare(definition);
    this.#declared.add(config.name);
    return [family, registers] as const;
  }

  #made<M extends RegionCounter<string> | RegionGauge<string> | RegionHistogram<string>>(
    metric: M,
    registers: readonly RegistryLike[],
  ): M {
    registerOn(metric, registers);
    return metric;
  }
}
