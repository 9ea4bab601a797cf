/**
 * The metrics of one region as this process sees them: the metric families (definitions) and
 * their series, found or added through `_store.ts`, kept by this process once found, and listed in
 * the region's own order (the order records were added, by any process) when a scrape asks.
 *
 * @module
 */

import type { AtomicFloatArray, AtomicInt, Mutex, SharedMemory } from "../mod.ts";
import {
  findOrAdd,
  keyElements,
  parseName,
  PREFIX,
  readKey,
  recordStem,
  RefusedError,
} from "./_store.ts";
import { histogramValues, PRESENT, SCALAR_VALUES } from "./_values.ts";
import { labelText, parseLabelText } from "./_format.ts";

/**
 * The three metric types.
 *
 * @example A metric's type
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 * import { type MetricType, RegionMetrics } from "@atomicx/atomicx/metrics";
 *
 * using region = SharedMemory.open("metric-type-doc", { capacity: 64 });
 * const type: MetricType = new RegionMetrics(region).counter({ name: "c", help: "C" }).type;
 * console.log(type); // "counter"
 * SharedMemory.unlink("metric-type-doc");
 * ```
 */
export type MetricType = "counter" | "gauge" | "histogram";

/**
 * A metric's declaration. Processes may declare one name differently — two generations of a
 * program during a rolling deploy — as long as the type is the same: every declaration is its own
 * record in the region (keyed by all of its fields), a process reports with its own declaration's
 * help, and its scrape shows every series of that name whose values have its layout (counters and
 * gauges: all of them, whatever their labels; histograms: those with its buckets).
 */
export interface Definition {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  /** A histogram's finite upper bounds, ascending. */
  readonly buckets?: readonly number[];
}

/** One series: its record, its canonical label text, and what this process keeps about it. */
export interface Series {
  readonly array: AtomicFloatArray;
  /** Index of the first value element in `array`. */
  readonly base: number;
  /** The label set as the exposition shows it inside the braces (`""` for none). */
  readonly labelText: string;
  /** Removed by this process since it last wrote: its next write marks it present again. */
  hidden: boolean;
  /** The labels as an object (for prom-client's `Registry`), made when first asked for. */
  labels?: Readonly<Record<string, string>>;
  /** Text before each value in the exposition, made when first rendered. */
  prefixes?: readonly string[];
}

/** A metric name with its definition and its series. */
export interface Family {
  /** This process's declaration of the name, else the first one found in the region. */
  definition: Definition;
  /** Value elements of each series record. */
  values: number;
  /** Declared by this process (not only found in the region by a scrape). */
  declared: boolean;
  /** Series by label text. */
  readonly series: Map<string, Series>;
  /** The series in the region's order (as of the last scan). */
  order: Series[];
}

/** The definition's key in the region (every field: processes must agree on all of them). */
const definitionKey = (d: Definition): string =>
  JSON.stringify([d.name, d.type, d.help, d.labelNames, d.buckets ?? null]);

const encoder = new TextEncoder();
const TYPES: ReadonlySet<unknown> = new Set(["counter", "gauge", "histogram"]);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The definition a record's key holds, or `undefined` for one no atomicx process wrote. */
function definitionOf(key: string): Definition | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 5) return undefined;
  const [name, type, help, labelNames, buckets] = fields;
  const sound = typeof name === "string" && METRIC_NAME.test(name) && TYPES.has(type) &&
    typeof help === "string" && Array.isArray(labelNames) &&
    labelNames.every((n) => typeof n === "string" && LABEL_NAME.test(n)) &&
    (type === "histogram"
      ? Array.isArray(buckets) &&
        buckets.every((b, i) =>
          typeof b === "number" && Number.isFinite(b) && (i === 0 || b > buckets[i - 1])
        )
      : buckets === null);
  if (!sound) return undefined;
  return buckets === null
    ? { name, type, help, labelNames }
    : { name, type, help, labelNames, buckets };
}

/**
 * What follows the label set in a series key: for a histogram, a tag of its buckets, so that two
 * generations declaring other buckets keep their series apart (their values have other layouts).
 */
const seriesTag = (d: Definition): string =>
  d.type === "histogram" ? `#${hash(JSON.stringify(d.buckets))}` : "";

/** A short hash (FNV-1a, base 36) for a series tag. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36).padStart(7, "0"); // 7 characters: the tag is always 8 bytes
}

/** The series key of `labelText` in `family`. */
const seriesKey = (d: Definition, labelText: string): string =>
  `${d.name}{${labelText}}${seriesTag(d)}`;

/**
 * The label text of a series key of `family` (with the layout of its definition), or `undefined`
 * for a key of another layout or one no atomicx wrote. Label names another generation added are
 * shown as they are (each one well-formed, in the order that generation declared them).
 */
function labelTextOf(family: Family, key: string): string | undefined {
  const { name } = family.definition;
  const tag = seriesTag(family.definition);
  if (!key.startsWith(`${name}{`) || !key.endsWith(`}${tag}`)) return undefined;
  const text = key.slice(name.length + 1, key.length - tag.length - 1);
  try {
    const labels = parseLabelText(text);
    const names = Object.keys(labels);
    return names.every((n) => LABEL_NAME.test(n)) && labelText(names, labels) === text
      ? text
      : undefined;
  } catch {
    return undefined;
  }
}

const valuesOf = (d: Definition): number =>
  d.type === "histogram" ? histogramValues(d.buckets!.length) : SCALAR_VALUES;

/** The metrics of one region, as this process sees them. */
export class MetricSpace {
  readonly region: SharedMemory;
  /** Records added, by any process: a scan is needed when it changed. */
  readonly #created: AtomicInt;
  /** Series refused (no room, key too long). */
  readonly refused: AtomicInt;
  /** Places in the order of series. */
  readonly #sequence: AtomicInt;
  readonly #families = new Map<string, Family>();
  #order: Family[] = [];
  #scanned = -1;
  /** Records met incomplete (their creator died half-way, or is still writing). */
  #incomplete = false;
  #lock?: Mutex;
  /** Records this process knows, by entry name. */
  readonly #records = new Map<string, { family: Family; series?: Series }>();
  /** Entries under the prefix that no atomicx process wrote (left alone). */
  readonly #ignored = new Set<string>();

  constructor(region: SharedMemory) {
    this.region = region;
    this.#created = region.int(`${PREFIX}_created`);
    this.refused = region.int(`${PREFIX}_refused`);
    this.#sequence = region.int(`${PREFIX}_sequence`);
  }

  /**
   * The family of `definition`, added to the region if no process declared it yet.
   *
   * @throws {Error} if another process declared the name differently
   */
  declare(definition: Definition): Family {
    const key = definitionKey(definition);
    const known = this.#families.get(definition.name);
    if (known !== undefined && known.definition.type !== definition.type) {
      throw mismatch(this.region, definition, known.definition);
    }
    findOrAdd(this.region, "m", key, 0, this.#created, {
      name: definition.name,
      conflict: (other) => {
        // Another declaration of the name: its own record (the next probe), unless the type
        // differs, which no two generations can share.
        const theirs = definitionOf(other);
        if (theirs?.name === definition.name && theirs.type !== definition.type) {
          throw mismatch(this.region, definition, theirs);
        }
      },
    });
    if (known === undefined) return this.#family(definition, true);
    if (!known.declared && definitionKey(known.definition) !== key) {
      // Found by a scrape with another generation's declaration: report with this one, and find
      // the series again (a histogram's of other buckets are no longer this family's).
      known.definition = definition;
      known.values = valuesOf(definition);
      known.series.clear();
      known.order = [];
      for (const [name, record] of this.#records) {
        if (record.family === known) this.#records.delete(name);
      }
      this.#ignored.clear();
      this.#scanned = -1;
    }
    known.declared = true;
    return known;
  }

  /**
   * The series of `family` with `labelText`, found or added, and marked present.
   *
   * @throws {RangeError} when the region has no room for it or its key is too long (counted)
   */
  series(family: Family, labelText: string): Series {
    let series = family.series.get(labelText);
    if (series === undefined) {
      let record;
      try {
        record = findOrAdd(
          this.region,
          "s",
          seriesKey(family.definition, labelText),
          family.values,
          this.#created,
        );
      } catch (error) {
        if (error instanceof RefusedError) this.refused.inc();
        throw error;
      }
      series = newSeries(record.array, record.base, labelText);
      family.series.set(labelText, series);
      this.#present(series);
    } else if (series.hidden) {
      series.hidden = false;
      this.#present(series);
    }
    return series;
  }

  /**
   * Marks a series present, unless it is: `present` holds the place in the order of series
   * (prom-client lists a series where it was first used, and a removed one where it came back).
   */
  #present(series: Series): void {
    if (series.array.load(series.base + PRESENT) !== 0) return;
    series.array.compareExchange(series.base + PRESENT, 0, this.#sequence.inc() + 1);
  }

  /**
   * The series of `family` that are shown (present, or holding a value another process added
   * after a removal), in prom-client's order, each with its `present` word.
   */
  shown(family: Family, nonZero: (series: Series) => boolean): Series[] {
    const shown: { series: Series; place: number }[] = [];
    let sorted = true;
    for (const series of family.order) {
      const present = series.array.load(series.base + PRESENT);
      if (present === 0 && !nonZero(series)) continue;
      const place = present === 0 ? Infinity : present;
      if (shown.length > 0 && shown[shown.length - 1].place > place) sorted = false;
      shown.push({ series, place });
    }
    if (!sorted) shown.sort((a, b) => a.place - b.place);
    return shown.map((s) => s.series);
  }

  /** Every family in the region's order, each with its series in order (scanning if needed). */
  families(): readonly Family[] {
    const created = this.#created.load();
    if (created === this.#scanned && !this.#incomplete) return this.#order;
    this.#scanned = created;
    this.#incomplete = false;
    const order: Family[] = [];
    for (const family of this.#families.values()) family.order = [];
    for (const { name, kind, length } of this.region.entries()) {
      if (kind !== "floatArray" || !name.startsWith(PREFIX) || this.#ignored.has(name)) continue;
      let known = this.#records.get(name);
      if (known === undefined) {
        known = this.#record(name, length!);
        if (known === undefined) continue;
        this.#records.set(name, known);
      }
      if (known.series !== undefined) known.family.order.push(known.series);
      else if (!order.includes(known.family)) order.push(known.family);
    }
    this.#order = order;
    return order;
  }

  /**
   * What the record `name` holds, made known to this process; `undefined` while it is
   * incomplete (and then looked at again), or for good if no atomicx process wrote it.
   */
  #record(name: string, length: number): { family: Family; series?: Series } | undefined {
    const parsed = parseName(name);
    const array = parsed && this.region.floatArray(name, length);
    const header = array?.load(0) ?? NaN;
    const bytes = header - 1;
    const sound = parsed !== undefined && (header === 0 || (
      Number.isSafeInteger(bytes) && bytes >= 0 && keyElements(bytes) <= length &&
      (parsed.kind === "m" || bytes === parsed.bytes)
    ));
    if (!sound) {
      this.#ignored.add(name);
      return undefined;
    }
    const key = readKey(array!);
    if (key === undefined) {
      this.#incomplete = true; // being written, or its writer died half-way
      return undefined;
    }
    if (parsed.kind === "m") {
      const definition = definitionOf(key);
      // A record is where its key hashes to, or it is not one of ours.
      if (definition === undefined || !name.startsWith(recordStem("m", definition.name, 0))) {
        this.#ignored.add(name);
        return undefined;
      }
      return { family: this.#families.get(definition.name) ?? this.#family(definition) };
    }
    const family = this.#families.get(key.slice(0, Math.max(0, key.indexOf("{"))));
    if (family === undefined) {
      this.#incomplete = true; // its metric's record is not complete yet
      return undefined;
    }
    const labelText = labelTextOf(family, key);
    const base = length - family.values;
    if (
      labelText === undefined || base !== keyElements(parsed.bytes) ||
      encoder.encode(key).length !== parsed.bytes ||
      !name.startsWith(recordStem("s", key, parsed.bytes))
    ) {
      this.#ignored.add(name);
      return undefined;
    }
    let series = family.series.get(labelText);
    if (series === undefined) {
      series = newSeries(array!, base, labelText);
      family.series.set(labelText, series);
    }
    return { family, series };
  }

  /** The mutex that serialises removals in this region. */
  lock(): Mutex {
    return this.#lock ??= this.region.mutex(`${PREFIX}_lock`);
  }

  #family(definition: Definition, declared = false): Family {
    const family: Family = {
      definition,
      values: valuesOf(definition),
      declared,
      series: new Map(),
      order: [],
    };
    this.#families.set(definition.name, family);
    return family;
  }
}

function newSeries(array: AtomicFloatArray, base: number, labelText: string): Series {
  return { array, base, labelText, hidden: false };
}

function mismatch(region: SharedMemory, ours: Definition, theirs: Definition): Error {
  const show = (d: Definition) =>
    `${d.type} with help ${JSON.stringify(d.help)}, labelNames ${JSON.stringify(d.labelNames)}${
      d.buckets ? `, buckets ${JSON.stringify(d.buckets)}` : ""
    }`;
  return new Error(
    `atomicx/metrics: the metric ${JSON.stringify(ours.name)} is declared in the region ${
      JSON.stringify(region.name)
    } as a ${show(theirs)}; this declaration (a ${
      show(ours)
    }) has another type. Processes may declare a metric with another help, labels or buckets (as two generations of a program during a deploy), not another type: use a new name for that`,
  );
}
