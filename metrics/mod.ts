/**
 * `atomicx/metrics`: prom-client-compatible counters, gauges and histograms whose values live in a
 * `SharedMemory` region, so that every process of a host — Node `cluster` workers,
 * `worker_threads`, pm2 processes, Bun and Deno processes — adds into the same values and any of
 * them answers `/metrics` with all of them, without IPC. prom-client is optional: metrics register
 * on its `Registry` when given one, and `render()` writes the same text without it.
 *
 * @example Requests counted by every process
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("metrics-mod-doc", { capacity: 256 });
 * const metrics = new RegionMetrics(region);
 * const requests = metrics.counter({ name: "http_requests_total", help: "Requests", labelNames: ["route"] });
 * requests.inc({ route: "/" });
 * console.log(metrics.render());
 * SharedMemory.unlink("metrics-mod-doc");
 * ```
 *
 * @module
 */

export {
  type HistogramConfiguration,
  RegionMetrics,
  type RegionMetricsOptions,
} from "./region_metrics.ts";
export { RegionCounter } from "./counter.ts";
export { type GaugeSeries, RegionGauge } from "./gauge.ts";
export { DEFAULT_BUCKETS, type HistogramSeries, RegionHistogram } from "./histogram.ts";
export {
  type LabelValues,
  type MetricConfiguration,
  type MetricObject,
  type MetricValue,
  RegionMetric,
  type RegistryLike,
} from "./_metric.ts";
export type { MetricType } from "./_space.ts";
export { MAX_KEY_BYTES, RefusedError } from "./_store.ts";
export { REFUSED_METRIC } from "./_render.ts";
