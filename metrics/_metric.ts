/**
 * What the three metric types share: prom-client's configuration checks and errors, label
 * handling (objects or positional values, checked against `labelNames`), the series cache per
 * label set, registration on prom-client registries, and `remove`/`reset`.
 *
 * @module
 */

import { labelText, parseLabelText } from "./_format.ts";
import type { Definition, Family, MetricSpace, MetricType, Series } from "./_space.ts";
import { PRESENT } from "./_values.ts";
import { hasValue } from "./_render.ts";

/**
 * What a metric needs of a prom-client `Registry`: `registerMetric`. A prom-client `Registry`
 * (any version 15) is one; atomicx never loads prom-client itself.
 *
 * @example
 * ```ts
 * import type { RegistryLike } from "@atomicx/atomicx/metrics";
 *
 * const names: string[] = [];
 * const registry: RegistryLike = { registerMetric: (m) => names.push(m.name) };
 * ```
 */
export interface RegistryLike {
  /**
   * Adds a metric (an object with `name` and `get()`) to the registry. (Typed `never` so that
   * prom-client's own `Registry`, which names its metric class here, fits.)
   */
  registerMetric(metric: never): void;
}

/** Labels of a series: label name → value (strings; numbers are written as strings). */
export type LabelValues<T extends string = string> = Partial<Record<T, string | number>>;

/**
 * prom-client's options for a metric (what `new Counter(...)` takes), the ones atomicx honours.
 *
 * @example
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
 * @example
 * ```ts
 * import type { MetricValue } from "@atomicx/atomicx/metrics";
 *
 * const v: MetricValue = { value: 3, labels: { route: "/" } };
 * ```
 */
export interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/**
 * What `get()` returns: the shape prom-client's `Registry` asks of every metric.
 *
 * @example
 * ```ts
 * import type { MetricObject } from "@atomicx/atomicx/metrics";
 *
 * const m: MetricObject = { name: "x", help: "x", type: "gauge", values: [], aggregator: "sum" };
 * ```
 */
export interface MetricObject {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly values: MetricValue[];
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

/** The base of the three metric types. */
export abstract class RegionMetric<T extends string> {
  /** The metric name (prom-client's `Registry` may rewrite it for OpenMetrics). */
  name: string;
  /** The HELP text. */
  readonly help: string;
  /** The label names. */
  readonly labelNames: readonly T[];
  /** How prom-client's `AggregatorRegistry` would merge it. */
  readonly aggregator: string;
  /** `"counter"`, `"gauge"` or `"histogram"`. */
  abstract readonly type: MetricType;
  readonly #space: MetricSpace;
  readonly #family: Family;
  readonly #collect?: () => void | Promise<void>;
  #unlabelled?: Series;
  readonly #cache = new Map<unknown, unknown>();

  constructor(space: MetricSpace, family: Family, config: MetricConfiguration<T>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = Object.freeze([...(config.labelNames ?? [])]);
    this.aggregator = config.aggregator ?? "sum";
    this.#collect = config.collect;
    this.#space = space;
    this.#family = family;
    // prom-client shows a metric without labels at once (0, or empty buckets).
    if (this.labelNames.length === 0) this.#unlabelled = space.series(family, "");
  }

  /** The definition of this metric. */
  protected get definition(): Definition {
    return this.#family.definition;
  }

  /** The series of a labels object (checked against `labelNames`), found or added. */
  protected seriesOf(labels: LabelValues | undefined): Series {
    if (labels === undefined) {
      const series = this.#unlabelled;
      if (series !== undefined && !series.hidden) return series;
      return this.#unlabelled = this.#space.series(this.#family, "");
    }
    this.checkLabels(labels);
    // A tree of Maps keyed by the label values in `labelNames` order: no text is built (nor
    // escaped) for a series this process has met.
    const names = this.labelNames;
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
      series = this.#space.series(this.#family, labelText(names, labels));
      node.set(leaf, series);
    }
    return series;
  }

  /** Throws prom-client's error for a label not in `labelNames`. */
  protected checkLabels(labels: object): void {
    for (const key in labels) {
      if (!(this.labelNames as readonly string[]).includes(key)) {
        throw new Error(
          `Added label "${key}" is not included in initial labelset: ${
            this.labelNames.length === 0
              ? "[]"
              : `[ ${this.labelNames.map((n) => `'${n}'`).join(", ")} ]`
          }`,
        );
      }
    }
  }

  /** Removes the series of these labels (positional values or an object), in every process. */
  remove(...values: (string | number)[] | [LabelValues<T>]): void {
    const labels = labelsOf(this.labelNames, values);
    this.checkLabels(labels);
    const series = this.#family.series.get(labelText(this.labelNames, labels));
    if (series === undefined) {
      // Maybe another process made it: look in the region without adding anything.
      this.#space.families();
      const found = this.#family.series.get(labelText(this.labelNames, labels));
      if (found !== undefined) this.clear(found, false);
      return;
    }
    this.clear(series, false);
  }

  /**
   * Resets the metric in every process, as prom-client's `reset()`: every series removed (a
   * counter or gauge without labels stays, at 0).
   */
  reset(): void {
    this.#space.families();
    for (const series of this.#family.series.values()) {
      this.clear(series, series.labelText === "" && this.type !== "histogram");
    }
  }

  /** Zeroes a series and, unless `keep`, marks it removed. */
  protected clear(series: Series, keep: boolean): void {
    this.zeroSeries(series);
    if (!keep) {
      series.array.store(series.base + PRESENT, 0);
      series.hidden = true;
    }
  }

  /** Sets the series' values back to zero (each type its own way). */
  protected abstract zeroSeries(series: Series): void;

  /** The values of one shown series for prom-client. */
  protected abstract valuesOf(
    series: Series,
    labels: Readonly<Record<string, string>>,
  ): MetricValue[];

  /** The space (for the removal lock). */
  protected get space(): MetricSpace {
    return this.#space;
  }

  /**
   * What prom-client's `Registry` renders: every series of this metric, from every process,
   * read from the region now.
   */
  async get(): Promise<MetricObject> {
    if (this.#collect) await this.#collect();
    const values: MetricValue[] = [];
    this.#space.families();
    const family = this.#family;
    for (const series of this.#space.shown(family, (s) => hasValue(family, s))) {
      series.labels ??= Object.freeze(parseLabelText(series.labelText));
      values.push(...this.valuesOf(series, series.labels));
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
