/**
 * The exposition text of every metric in a region, written straight from the region: the same
 * bytes prom-client's `Registry.metrics()` writes for the same values (text format 0.0.4).
 *
 * @module
 */

import { escapeHelp, valueText } from "./_format.ts";
import type { Family, MetricSpace, Series } from "./_space.ts";
import { KINDS } from "./_kinds.ts";
import { collectHistogram, VALUE } from "./_values.ts";
import type { MutexGuard } from "../mod.ts";

/**
 * The metric that counts refused series, shown once any was refused.
 *
 * @example Alerting on it
 * ```ts
 * import { REFUSED_METRIC } from "@atomicx/atomicx/metrics";
 *
 * // A Prometheus rule: series were dropped because the region was full or a key too long.
 * console.log(`increase(${REFUSED_METRIC}[5m]) > 0`);
 * ```
 */
export const REFUSED_METRIC = "atomicx_metrics_refused_series_total";

/** `name{labels} ` or `name ` (labels: the label text, or extra labels first). */
function prefix(name: string, first: string, labelText: string): string {
  const inner = first === "" ? labelText : labelText === "" ? first : `${first},${labelText}`;
  return inner === "" ? `${name} ` : `${name}{${inner}} `;
}

/** The text before each value of a series (made once per series). */
function prefixesOf(family: Family, series: Series): readonly string[] {
  if (series.prefixes !== undefined) return series.prefixes;
  const { name, type, buckets } = family.definition;
  const text = series.labelText;
  const prefixes = type !== "histogram" ? [prefix(name, "", text)] : [
    ...[...buckets!.map(String), "+Inf"].map((le) => prefix(`${name}_bucket`, `le="${le}"`, text)),
    prefix(`${name}_sum`, "", text),
    prefix(`${name}_count`, "", text),
  ];
  return series.prefixes = prefixes;
}

/** The lines of one family's shown series. */
function linesOf(
  space: MetricSpace,
  family: Family,
  lines: string[],
  lock: () => void,
): void {
  const bounds = family.definition.buckets?.length ?? 0;
  for (const series of space.shown(family, KINDS[family.definition.type].hasValue)) {
    const { array, base } = series;
    const p = prefixesOf(family, series);
    if (family.definition.type !== "histogram") {
      lines.push(p[0] + valueText(array.load(base + VALUE)));
      continue;
    }
    lock();
    const { buckets, sum, count } = collectHistogram(array, base, bounds, true);
    let cumulative = 0;
    for (let b = 0; b < bounds; b++) lines.push(p[b] + valueText(cumulative += buckets[b]));
    lines.push(p[bounds] + valueText(count), p[bounds + 1] + valueText(sum));
    lines.push(p[bounds + 2] + valueText(count));
  }
}

/** The exposition text of every metric of `space`, in the region's order. */
export function render(space: MetricSpace): string {
  const blocks: string[] = [];
  // Histograms are read under the region's metrics mutex, taken once for the whole scrape.
  let guard: MutexGuard | undefined;
  const lock = () => void (guard ??= space.lock().lock({ timeout: 10_000 }));
  try {
    for (const family of space.families()) {
      const { name, help, type } = family.definition;
      const lines = [
        `# HELP ${escapeHelp(name)} ${escapeHelp(help)}`,
        `# TYPE ${escapeHelp(name)} ${type}`,
      ];
      linesOf(space, family, lines, lock);
      blocks.push(lines.join("\n"));
    }
  } finally {
    guard?.unlock();
  }
  const refused = space.refused.load();
  if (refused > 0) {
    blocks.push(
      [
        `# HELP ${REFUSED_METRIC} Series atomicx/metrics could not store (region full, or key too long)`,
        `# TYPE ${REFUSED_METRIC} counter`,
        `${REFUSED_METRIC} ${refused}`,
      ].join("\n"),
    );
  }
  return `${blocks.join("\n\n")}\n`;
}
