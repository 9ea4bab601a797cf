// The chart of BENCHMARKS.md, drawn from the figures: for a handful of operations, the cost of
// each runtime's call relative to the built-in Atomics measured in the same process (1× = as fast
// as the built-in; lower is better), on a log scale. Plain SVG, no dependencies.

const COLORS = { deno: "#0072B2", bun: "#E69F00", node: "#009E73", koffi: "#CC79A7" };
const MIN = 0.25, MAX = 8;

/** The rows of the chart: a label and how to read the ratio from one runtime's results. */
const ROWS = [
  ["AtomicInt.add", (r) => op(r, "AtomicInt", "add")?.i32],
  ["AtomicInt.load", (r) => op(r, "AtomicInt", "load")?.i32],
  ["AtomicInt.compareExchange", (r) => op(r, "AtomicInt", "compareExchange")?.i32],
  ["AtomicInt.update (vs CAS loop)", (r) => op(r, "AtomicInt", "update")?.i32],
  ["AtomicBigInt.add (vs BigInt64)", (r) => op(r, "AtomicBigInt", "add")?.i64],
  ["AtomicBool.flip", (r) => op(r, "AtomicBool", "flip")?.i32],
  ["AtomicFloat.add (vs Int32 add)", (r) => op(r, "AtomicFloat", "add")?.i32],
  ["bare wasm call (the wasm floor)", (r) => r.ops.bare.wasm.add / r.ops.baseline.add.i32],
  ["lock-protected counter", (r) => r.ops.lockCounter / r.ops.baseline.add.i32],
  ["AtomicInt.add, 2 Workers contended", (r) => {
    const row = r.contended?.rows.find((c) => c.op === "atomicx");
    return row ? 1 / row.vsAtomicsI32 : undefined;
  }],
];

function op(run, cls, name) {
  return run.ops.rows.find((row) => row.cls === cls && row.op === name);
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The SVG text for `runs` (each with `key`, `ops` and maybe `contended`). */
export function chart(runs) {
  const left = 250, plot = 560, right = 70, top = 78, bar = 9, gap = 16;
  const rowHeight = runs.length * bar + gap;
  const width = left + plot + right;
  const height = top + ROWS.length * rowHeight + 40;
  const xOf = (v) =>
    left + (Math.log2(Math.min(Math.max(v, MIN), MAX) / MIN) / Math.log2(MAX / MIN)) * plot;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="22" font-size="15" font-weight="bold">Cost of an atomicx call ÷ the built-in Atomics, same process</text>`,
    `<text x="20" y="40" fill="#444">1× = as fast as the built-in; lower is better; log scale. Contended row: inverse of the throughput ratio.</text>`,
  );
  // Legend.
  let lx = 20;
  for (const r of runs) {
    const label = `${r.ops.label} ${r.ops.version}`;
    out.push(
      `<rect x="${lx}" y="52" width="12" height="12" fill="${
        COLORS[r.key.split("-")[0]] ?? "#777"
      }"/>`,
      `<text x="${lx + 16}" y="62">${esc(label)}</text>`,
    );
    lx += 24 + label.length * 6.4;
  }
  // Grid.
  for (const t of [0.25, 0.5, 1, 2, 4, 8]) {
    const gx = xOf(t).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 30}" stroke="${
        t === 1 ? "#000" : "#ddd"
      }" stroke-width="${t === 1 ? 1.5 : 1}"/>`,
      `<text x="${gx}" y="${height - 14}" text-anchor="middle" fill="#444">${t}×</text>`,
    );
  }
  // Bars.
  ROWS.forEach(([name, read], i) => {
    const y0 = top + i * rowHeight;
    out.push(
      `<text x="${left - 8}" y="${y0 + (runs.length * bar) / 2 + 4}" text-anchor="end">${
        esc(name)
      }</text>`,
    );
    runs.forEach((r, j) => {
      const v = read(r);
      if (v === undefined || !Number.isFinite(v)) return;
      const y = y0 + j * bar;
      const x0 = xOf(MIN), x1 = xOf(v);
      out.push(
        `<rect x="${x0}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${bar - 1}" fill="${
          COLORS[r.key.split("-")[0]] ?? "#777"
        }"><title>${esc(`${r.ops.label}: ${v.toFixed(2)}×`)}</title></rect>`,
        `<text x="${(x1 + 4).toFixed(1)}" y="${y + bar - 1}" font-size="9" fill="#333">${
          v.toFixed(2)
        }×${v > MAX ? " →" : ""}</text>`,
      );
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
