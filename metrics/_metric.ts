/**
 * What the three metric types share: prom-client's configuration checks and errors, label
 * handling (objects or positional values, checked against `labelNames`), the series cache per
 * label set, registration on prom-client registries, and `remove`/`reset`.
 *
 * @module
 */

import { labelText, parseLabelText } from "./_format.ts";
import type { Family, MetricSpace, MetricType, Series } from "./_space.ts";
import { PRESENT } from "./_values.ts";
import { KINDS } from "./_kinds.ts";

/**
 * What a metric needs of a prom-client `Registry`: `registerMetric`. A prom-client `Registry`
 * (any version 15) is one; atomicx never loads prom-client itself.
 *
 * @example A registry of your own
 * ```ts
 * import type { RegistryLike } from "@atomicx/atomicx/metrics";
 *
 * const names: string[] = [];
 * const registry: RegistryLike = {
 *   registerMetric: (metric: { name: string }) => void names.push(metric.name),
 * };
 * ```
 */
export interface RegistryLike {
  /**
   * Adds a metric (an object with `name` and `get()`) to the registry. (Typed `never` so that
   * prom-client's own `Registry`, which names its metric class here, fits.)
   */
  registerMetric(metric: never): void;
}

/**
 * Labels of a series: label name → value (strings; numbers are written as strings).
 *
 * @example Labels as prom-client takes them
 * ```ts
 * import type { LabelValues } from "@atomicx/atomicx/metrics";
 *
 * const labels: LabelValues<"route" | "code"> = { route: "/a", code: 200 };
 * console.log(labels.code); // 200, written "200" in the exposition text
 * ```
 */
export type LabelValues<T extends string = string> = Partial<Record<T, string | number>>;

/**
 * prom-client's options for a metric (what `new Counter(...)` takes), the ones atomicx honours.
 *
 * @example A configuration
 * ```ts
 * import type { MetricConfiguration } from "@atomicx/atomicx/metrics";
 *
 * const config: MetricConfiguration<"route"> = {
 *   name: "jobs_total", help: "Jobs", labelNames: ["route"],
 * };
 * ```
 */
export interface MetricConfiguration<T extends string = string> {
  /** The metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
  readonly name: string;
  /** The HELP text. */
  readonly help: string;
  /** The label names its series may have (`[a-zA-Z_][a-zA-Z0-9_]*`). */
  readonly labelNames?: readonly T[];
  /** Registries to register on (default: the `RegionMetrics`' `registers`). */
  readonly registers?: readonly RegistryLike[];
  /** How prom-client's `AggregatorRegistry` would merge it (kept for prom-client; default "sum"). */
  readonly aggregator?: "sum" | "first" | "min" | "max" | "average" | "omit";
  /** Called before `get()` reads the region (prom-client's `collect`); `render()` does not call it. */
  readonly collect?: () => void | Promise<void>;
}

/**
 * One sample as prom-client's `Registry` formats it.
 *
 * @example One sample
 * ```ts
 * import type { MetricValue } from "@atomicx/atomicx/metrics";
 *
 * const v: MetricValue = { value: 3, labels: { route: "/" } };
 * ```
 */
export interface MetricValue {
  /** The sample's value. */
  readonly value: number;
  /** Its labels (a histogram bucket's `le` first). */
  readonly labels: Readonly<Record<string, string | number>>;
  /** The sample's name when it is not the metric's (`x_bucket`, `x_sum`, `x_count`). */
  readonly metricName?: string;
}

/**
 * What `get()` returns: the shape prom-client's `Registry` asks of every metric.
 *
 * @example A metric as a Registry asks for it
 * ```ts
 * import type { MetricObject } from "@atomicx/atomicx/metrics";
 *
 * const m: MetricObject = { name: "x", help: "x", type: "gauge", values: [], aggregator: "sum" };
 * ```
 */
export interface MetricObject {
  /** The metric name. */
  readonly name: string;
  /** The HELP text. */
  readonly help: string;
  /** `"counter"`, `"gauge"` or `"histogram"`. */
  readonly type: MetricType;
  /** Every sample of every shown series. */
  readonly values: MetricValue[];
  /** How prom-client's `AggregatorRegistry` would merge it. */
  readonly aggregator: string;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** prom-client's `util.format` for the values its errors show. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Checks a configuration as prom-client's `Metric` constructor does (same errors). */
export function checkConfiguration(
  config: unknown,
  type: MetricType,
): asserts config is MetricConfiguration {
  if (typeof config !== "object" || config === null) {
    throw new TypeError("constructor expected a config object");
  }
  const c = config as Record<string, unknown>;
  if (!c.help) throw new Error("Missing mandatory help parameter");
  if (!c.name) throw new Error("Missing mandatory name parameter");
  if (typeof c.name !== "string" || !metricName.test(c.name)) {
    throw new Error("Invalid metric name");
  }
  if (typeof c.help !== "string") {
    throw new TypeError(`help must be a string, got ${formatValue(c.help)}`);
  }
  const names = c.labelNames ?? [];
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string" && labelName.test(n))) {
    throw new Error("Invalid label name");
  }
  if (new Set(names).size !== names.length) {
    throw new Error(`Duplicate label name in ${JSON.stringify(names)}`);
  }
  if (type === "histogram" && names.includes("le")) {
    throw new Error("le is a reserved label keyword");
  }
  if (c.collect !== undefined && typeof c.collect !== "function") {
    throw new Error('Optional "collect" parameter must be a function');
  }
  if ((c as { enableExemplars?: unknown }).enableExemplars) {
    throw new TypeError("atomicx/metrics: exemplars are not supported");
  }
}

/** The labels object of positional label values, as prom-client's `getLabels`. */
export function labelsOf(labelNames: readonly string[], args: readonly unknown[]): LabelValues {
  if (typeof args[0] === "object" && args[0] !== null) return args[0] as LabelValues;
  if (labelNames.length !== args.length) {
    throw new Error(
      `Invalid number of arguments (${args.length}): "${
        args.join(", ")
      }" for label names (${labelNames.length}): "${labelNames.join(", ")}".`,
    );
  }
  const labels: Record<string, unknown> = {};
  for (let i = 0; i < labelNames.length; i++) labels[labelNames[i]] = args[i];
  return labels as LabelValues;
}

const ABSENT = Symbol("absent");
/** A label value as a key of the series cache (numbers and strings name the same series). */
const cacheKey = (value: unknown): unknown =>
  value === undefined ? ABSENT : typeof value === "string" ? value : String(value);

/** What a metric keeps of its own, reached by the metric types through {@link metricCore}. */
export interface Core {
  readonly space: MetricSpace;
  readonly family: Family;
  /** The series of a labels object (checked against `labelNames`), found or added. */
  seriesOf(labels: LabelValues | undefined): Series;
  /** Throws prom-client's error for a label not in `labelNames`. */
  checkLabels(labels: object): void;
}

/** What `RegionMetrics` hands a metric's constructor (nothing else is accepted). */
interface Making {
  readonly space: MetricSpace;
  readonly family: Family;
  readonly config: MetricConfiguration;
}
const genuine = new WeakSet<object>();

/** A construction ticket for a metric (only `RegionMetrics` makes them). */
export function making(space: MetricSpace, family: Family, config: MetricConfiguration): unknown {
  const ticket: Making = { space, family, config };
  genuine.add(ticket);
  return ticket;
}

let coreOf: (metric: RegionMetric<string>) => Core;

/** The core of a metric (for the metric types' methods). */
export const metricCore = (metric: RegionMetric<string>): Core => coreOf(metric);

/** A metric's core: its family and its series cache. */
class MetricCore implements Core {
  readonly space: MetricSpace;
  readonly family: Family;
  readonly #labelNames: readonly string[];
  #unlabelled?: Series;
  readonly #cache = new Map<unknown, unknown>();

  constructor(space: MetricSpace, family: Family) {
    this.space = space;
    this.family = family;
    this.#labelNames = family.definition.labelNames;
  }

  seriesOf(labels: LabelValues | undefined): Series {
    if (labels === undefined) {
      const series = this.#unlabelled;
      if (series !== undefined && !series.hidden) return series;
      return this.#unlabelled = this.space.series(this.family, "");
    }
    this.checkLabels(labels);
    // A tree of Maps keyed by the label values in `labelNames` order: no text is built (nor
    // escaped) for a series this process has met.
    const names = this.#labelNames;
    let node = this.#cache;
    for (let i = 0; i < names.length - 1; i++) {
      const key = cacheKey(labels[names[i]]);
      let next = node.get(key) as Map<unknown, unknown> | undefined;
      if (next === undefined) node.set(key, next = new Map());
      node = next;
    }
    const leaf = cacheKey(labels[names[names.length - 1]]);
    let series = node.get(leaf) as Series | undefined;
    if (series === undefined || series.hidden) {
      series = this.space.series(this.family, labelText(names, labels));
      node.set(leaf, series);
    }
    return series;
  }

  checkLabels(labels: object): void {
    const names = this.#labelNames;
    for (const key in labels) {
      if (!names.includes(key)) {
        throw new Error(
          `Added label "${key}" is not included in initial labelset: ${
            names.length === 0 ? "[]" : `[ ${names.map((n) => `'${n}'`).join(", ")} ]`
          }`,
        );
      }
    }
  }

  /** Zeroes a series in every process and, unless `keep`, marks it removed. */
  clear(series: Series, keep: boolean): void {
    KINDS[this.family.definition.type].zero(this.space, this.family, series);
    if (!keep) {
      series.array.store(series.base + PRESENT, 0);
      series.hidden = true;
    }
  }
}

/**
 * What the three metric types share: `name`, `help`, `labelNames`, `remove`, `reset` and `get`
 * (the method prom-client's `Registry` calls). Made by `RegionMetrics` only.
 *
 * @example Every metric of RegionMetrics is one
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { RegionMetric, RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("region-metric-doc", { capacity: 64 });
 * const jobs = new RegionMetrics(region).counter({ name: "jobs_total", help: "Jobs" });
 * console.log(jobs instanceof RegionMetric); // true
 * SharedMemory.unlink("region-metric-doc");
 * ```
 */
export class RegionMetric<T extends string = string> {
  /** The metric name (prom-client's `Registry` may rewrite it for OpenMetrics). */
  name: string;
  /** The HELP text. */
  readonly help: string;
  /** The label names. */
  readonly labelNames: readonly T[];
  /** How prom-client's `AggregatorRegistry` would merge it. */
  readonly aggregator: string;
  /** `"counter"`, `"gauge"` or `"histogram"`. */
  readonly type: MetricType;
  readonly #core: MetricCore;
  readonly #collect?: () => void | Promise<void>;

  /**
   * Not for direct use: `RegionMetrics.counter`, `.gauge` and `.histogram` make metrics.
   *
   * @throws {TypeError} for anything but what `RegionMetrics` passes
   */
  constructor(ticket: unknown) {
    if (typeof ticket !== "object" || ticket === null || !genuine.has(ticket)) {
      throw new TypeError(
        "atomicx/metrics: metrics are made by RegionMetrics (counter, gauge, histogram)",
      );
    }
    genuine.delete(ticket);
    const { space, family, config } = ticket as Making;
    this.name = config.name;
    this.help = config.help;
    this.labelNames = Object.freeze([...(config.labelNames ?? [])]) as readonly T[];
    this.aggregator = config.aggregator ?? "sum";
    this.type = family.definition.type;
    this.#collect = config.collect;
    this.#core = new MetricCore(space, family);
    // prom-client shows a metric without labels at once (0, or empty buckets).
    if (this.labelNames.length === 0) this.#core.seriesOf(undefined);
  }

  static {
    coreOf = (metric) => metric.#core;
  }

  /**
   * Removes the series of these label values (positional or an object), in every process: it
   * leaves every scrape and starts again from zero when used again.
   *
   * @example A per-process series removed when its process stops
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("remove-doc", { capacity: 64 });
   * const g = new RegionMetrics(region).gauge({ name: "heap", help: "Heap", labelNames: ["pid"] });
   * g.set({ pid: "42" }, 1e6);
   * g.remove("42"); // the process 42 stopped
   * SharedMemory.unlink("remove-doc");
   * ```
   * @throws {Error} prom-client's errors for a wrong number of values or an unknown label
   */
  remove(...values: (string | number)[] | [LabelValues<T>]): void {
    const core = this.#core;
    const labels = labelsOf(this.labelNames, values);
    core.checkLabels(labels);
    const text = labelText(this.labelNames, labels);
    // Maybe another process made it: look in the region (adding nothing) if this one did not.
    if (!core.family.series.has(text)) core.space.families();
    const series = core.family.series.get(text);
    if (series !== undefined) core.clear(series, false);
  }

  /**
   * Resets the metric in every process, as prom-client's `reset()`: every series removed (a
   * counter or gauge without labels stays, at 0).
   *
   * @example Back to zero everywhere
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("reset-doc", { capacity: 64 });
   * const c = new RegionMetrics(region).counter({ name: "c_total", help: "C" });
   * c.inc(5);
   * c.reset(); // c_total 0, in every process
   * SharedMemory.unlink("reset-doc");
   * ```
   */
  reset(): void {
    const core = this.#core;
    core.space.families();
    for (const series of core.family.series.values()) {
      core.clear(series, series.labelText === "" && this.type !== "histogram");
    }
  }

  /**
   * What prom-client's `Registry` renders: every series of this metric, from every process,
   * read from the region now (after `collect`, if the configuration has one).
   *
   * @example What a Registry reads
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   * import { RegionMetrics } from "@atomicx/atomicx/metrics";
   *
   * using region = SharedMemory.open("get-doc", { capacity: 64 });
   * const up = new RegionMetrics(region).gauge({ name: "up", help: "Up" });
   * up.set(1);
   * console.log((await up.get()).values); // [{ value: 1, labels: {} }]
   * SharedMemory.unlink("get-doc");
   * ```
   */
  async get(): Promise<MetricObject> {
    if (this.#collect) await this.#collect();
    const { space, family } = this.#core;
    const kind = KINDS[this.type];
    const values: MetricValue[] = [];
    space.families();
    for (const series of space.shown(family, kind.hasValue)) {
      series.labels ??= Object.freeze(parseLabelText(series.labelText));
      values.push(...kind.values(space, family, this.name, series, series.labels));
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
}

/** The registries a metric registers on. */
export function registerOn(
  metric: RegionMetric<string>,
  registers: readonly RegistryLike[],
): void {
  for (const registry of registers) registry.registerMetric(metric as never);
}
