/**
 * What differs between the metric types when a series is zeroed or reported: one row per type,
 * used by the base class (`_metric.ts`) and the renderer.
 *
 * @module
 */

import type { MetricValue } from "./_metric.ts";
import type { Family, MetricSpace, MetricType, Series } from "./_space.ts";
import { collectHistogram, type HistogramReading, observed, VALUE } from "./_values.ts";

/** The observations of a histogram series, read whole under the region's metrics mutex. */
export function collect(
  space: MetricSpace,
  family: Family,
  series: Series,
  keep: boolean,
): HistogramReading {
  const guard = space.lock().lock({ timeout: 10_000 });
  try {
    return collectHistogram(series.array, series.base, family.definition.buckets!.length, keep);
  } finally {
    guard.unlock();
  }
}

/** One metric type's series operations. */
export interface Kind {
  /** Whether a series holds anything (a removed one shows again once it does). */
  hasValue(series: Series): boolean;
  /** Sets a series back to zero, in every process. */
  zero(space: MetricSpace, family: Family, series: Series): void;
  /** The values of one shown series, as prom-client's `Registry` takes them. */
  values(
    space: MetricSpace,
    family: Family,
    name: string,
    series: Series,
    labels: Readonly<Record<string, string>>,
  ): MetricValue[];
}

const scalar = (zero: (series: Series) => void): Kind => ({
  hasValue: (series) => series.array.load(series.base + VALUE) !== 0,
  zero: (_space, _family, series) => zero(series),
  values: (_space, _family, _name, series, labels) => [
    { value: series.array.load(series.base + VALUE), labels },
  ],
});

/** The operations of each metric type. */
export const KINDS: Readonly<Record<MetricType, Kind>> = {
  // A counter is zeroed by a swap: an add that lands after it is kept, none is lost twice.
  counter: scalar((series) => void series.array.swap(series.base + VALUE, 0)),
  gauge: scalar((series) => series.array.store(series.base + VALUE, 0)),
  histogram: {
    hasValue: (series) => observed(series.array, series.base),
    zero: (space, family, series) => void collect(space, family, series, false),
    values(space, family, name, series, labels) {
      const { buckets, sum, count } = collect(space, family, series, true);
      const bounds = family.definition.buckets!;
      const values: MetricValue[] = [];
      let cumulative = 0;
      for (let b = 0; b < bounds.length; b++) {
        cumulative += buckets[b];
        values.push({
          value: cumulative,
          labels: { le: bounds[b], ...labels },
          metricName: `${name}_bucket`,
        });
      }
      values.push({
        value: count,
        labels: { le: "+Inf", ...labels },
        metricName: `${name}_bucket`,
      });
      values.push({ value: sum, labels, metricName: `${name}_sum` });
      values.push({ value: count, labels, metricName: `${name}_count` });
      return values;
    },
  },
};
