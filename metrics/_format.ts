/**
 * The Prometheus text exposition format (version 0.0.4) as prom-client 15 writes it: escaping,
 * numbers, label sets. Written once here; the renderer and the series keys both use it.
 *
 * @module
 */

const needsEscape = /[\\\n"]/;

/**
 * A label value escaped as the exposition format requires: backslash, double quote and line feed
 * become `\\`, `\"` and `\n`.
 *
 * @example Escaping a label value
 * ```ts
 * import { escapeLabelValue } from "./_format.ts";
 *
 * escapeLabelValue('say "hi"\n'); // 'say \\"hi\\"\\n'
 * ```
 */
export function escapeLabelValue(value: string): string {
  if (!needsEscape.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/**
 * HELP text (and a metric name) escaped as prom-client escapes it: backslash and line feed.
 *
 * @example Escaping HELP text
 * ```ts
 * import { escapeHelp } from "./_format.ts";
 *
 * escapeHelp("a\\b\nc"); // "a\\\\b\\nc"
 * ```
 */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/**
 * A sample value as prom-client writes it: `Nan`, `+Inf`, `-Inf`, or JavaScript's own digits.
 *
 * @example A value as text
 * ```ts
 * import { valueText } from "./_format.ts";
 *
 * valueText(0.1); // "0.1"
 * ```
 */
export function valueText(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return `${value}`;
}

/**
 * A label set's text inside the braces (`a="1",b="x"`), labels in `labelNames` order, absent
 * (undefined) ones left out: the canonical form of a series within its metric.
 *
 * @example The label text of a series
 * ```ts
 * import { labelText } from "./_format.ts";
 *
 * labelText(["route", "code"], { code: 200, route: "/" }); // 'route="/",code="200"'
 * ```
 */
export function labelText(
  labelNames: readonly string[],
  labels: Readonly<Record<string, unknown>>,
): string {
  let text = "";
  for (let i = 0; i < labelNames.length; i++) {
    const name = labelNames[i];
    const value = labels[name];
    if (value === undefined) continue;
    text += `${text === "" ? "" : ","}${name}="${escapeLabelValue(String(value))}"`;
  }
  return text;
}

/**
 * The labels of a label-set text (the inverse of {@link labelText}): names and unescaped values,
 * in order.
 *
 * @example Back to labels
 * ```ts
 * import { parseLabelText } from "./_format.ts";
 *
 * parseLabelText('a="x\\"y",b="2"'); // { a: 'x"y', b: "2" }
 * ```
 * @throws {Error} for text that no atomicx process wrote
 */
export function parseLabelText(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('="', i);
    if (eq < 0) throw new Error(`atomicx/metrics: malformed label text ${JSON.stringify(text)}`);
    const name = text.slice(i, eq);
    let value = "";
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        j++;
        value += text[j] === "n" ? "\n" : text[j];
      } else value += text[j];
    }
    if (j >= text.length) {
      throw new Error(`atomicx/metrics: malformed label text ${JSON.stringify(text)}`);
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
  }
  return labels;
}
