// The metrics every process of the cross-process tests declares (all the same way).
import type { SharedMemory } from "../../mod.ts";
import { RegionMetrics, type RegionMetricsOptions } from "../../metrics/mod.ts";

/** A label value far beyond a region slot name's 48 bytes, with characters that need escaping. */
export const LONG_LABEL = `${"x".repeat(300)} "quoted" back\\slash\nnewline ✓`;

/** The metrics of the tests: requests by runtime, a total, a shared gauge and a histogram. */
export function declare(region: SharedMemory, options: RegionMetricsOptions = {}) {
  const metrics = new RegionMetrics(region, options);
  return {
    metrics,
    jobs: metrics.counter({
      name: "jobs_total",
      help: "Jobs by runtime",
      labelNames: ["runtime", "detail"],
    }),
    all: metrics.counter({ name: "all_total", help: "Every job" }),
    active: metrics.gauge({ name: "active", help: "A gauge every process adds to" }),
    work: metrics.histogram({
      name: "work_seconds",
      help: "Observations of 0.5",
      buckets: [0.25, 0.5, 1],
    }),
  };
}

/** One value of an exposition text by its full series name, or NaN. */
export function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}
