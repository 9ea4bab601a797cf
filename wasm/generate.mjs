#!/usr/bin/env node
// Builds the WebAssembly engine: generates the module's text (WAT) from the operation tables below,
// assembles it with wabt (npm) and writes
//   wasm/atomics.wat — the generated text, committed so the module can be read and reviewed;
//   wasm/_module.ts   — the assembled bytes, embedded as base64 (no file read, no permission).
// `node wasm/generate.mjs --check` exits 1 when either file differs from a fresh build (the test
// suite runs it, so the tables, the text and the embedded bytes never drift apart).
//
// Every read-modify-write that the hardware has no single instruction for is the same
// compare-exchange loop, generated once per value type by `casLoop`; what differs per operation is
// one expression computing the next value from `$cur` and `$v`, and an optional range check.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const here = dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: { check: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
});
if (flags.help) {
  console.log(
    "usage: node wasm/generate.mjs [--check]\n  --check  fail if the committed files differ",
  );
  process.exit(0);
}

/** Largest safe integer: AtomicInt refuses results beyond ±MAX_SAFE (returns NaN, stores nothing). */
const MAX_SAFE = "9007199254740991";
/** Maximum size of the engine's memory in 64 KiB pages (1 GiB). Shared memories need a maximum. */
export const MAX_PAGES = 16384;
/** The first bytes of the memory are the allocator's header (see wasm/_engine.ts). */
const HEAP_START = 64;
/** The one NaN the engine stores (canonical quiet NaN), so bit-pattern comparisons are stable. */
const CANONICAL_NAN = "0x7ff8000000000000";

// ---- value types: how a JS value crosses, how the cell is read and written ----------------------

/**
 * AtomicInt: a JS number (f64) in and out, an i64 in memory. Arithmetic runs in f64: on safe
 * integers it is exact whenever the true result is within ±(2^53−1), and any result beyond rounds
 * to at least 2^53 in magnitude, which the range check then refuses.
 */
const int = {
  name: "int",
  param: "f64",
  toCell: (x) => `(i64.trunc_f64_s ${x})`,
  fromCell: (x) => `(f64.convert_i64_s ${x})`,
  refuse: "(f64.const nan)",
  inRange: (next) => `(f64.le (f64.abs ${next}) (f64.const ${MAX_SAFE}))`,
};

/** AtomicFloat: a JS number in and out, its bit pattern in an i64; NaN stored canonically. */
const float = {
  name: "float",
  param: "f64",
  toCell: (x) => `(call $bits ${x})`,
  fromCell: (x) => `(f64.reinterpret_i64 ${x})`,
};

/** AtomicBigInt: a JS bigint (i64 through the JS-BigInt integration) in and out. */
const bigint = {
  name: "bigint",
  param: "i64",
  toCell: (x) => x,
  fromCell: (x) => x,
};

// ---- the operations --------------------------------------------------------------------------

/** `(p) -> value`. */
const load = (t, width = "i64") =>
  `(func (export "${t.name}_load") (param $p i32) (result ${t.param ?? "i32"})
    ${
    t.fromCell
      ? t.fromCell(`(${width}.atomic.load (local.get $p))`)
      : `(${width}.atomic.load (local.get $p))`
  })`;

/** `(p, v)`. */
const store = (t) =>
  `(func (export "${t.name}_store") (param $p i32) (param $v ${t.param})
    (i64.atomic.store (local.get $p) ${t.toCell("(local.get $v)")}))`;

/** `(p, v) -> previous`: one hardware read-modify-write instruction. */
const rmw = (t, op, instruction) =>
  `(func (export "${t.name}_${op}") (param $p i32) (param $v ${t.param}) (result ${t.param})
    ${t.fromCell(`(${instruction} (local.get $p) ${t.toCell("(local.get $v)")})`)})`;

/**
 * `(p, v) -> previous` as a compare-exchange loop: `next` computes the new value from `$cur` and
 * `$v` (JS-side values); with `t.inRange`, a new value out of range returns `t.refuse` and stores
 * nothing. A failed compare-exchange hands back the value it saw, so the loop never reloads.
 */
const casLoop = (t, op, next, { checked = false, skipIfSame = false } = {}) =>
  `(func (export "${t.name}_${op}") (param $p i32) (param $v ${t.param}) (result ${t.param})
    (local $cur i64) (local $seen i64) (local $next ${t.param})
    (local.set $cur (i64.atomic.load (local.get $p)))
    (loop $retry
      (local.set $next ${next(t.fromCell("(local.get $cur)"), "(local.get $v)")})
      ${
    checked ? `(if (i32.eqz ${t.inRange("(local.get $next)")}) (then (return ${t.refuse})))` : ""
  }
      ${
    skipIfSame
      ? `(if (i64.eq ${t.toCell("(local.get $next)")} (local.get $cur))
        (then (return ${t.fromCell("(local.get $cur)")})))`
      : ""
  }
      (local.set $seen
        (i64.atomic.rmw.cmpxchg (local.get $p) (local.get $cur) ${t.toCell("(local.get $next)")}))
      (if (i64.ne (local.get $seen) (local.get $cur))
        (then (local.set $cur (local.get $seen)) (br $retry))))
    ${t.fromCell("(local.get $cur)")})`;

/**
 * AtomicInt's `add`, `sub`, `max`, `min` and the bitwise operations as `(p, v) -> previous`: a
 * compare-exchange loop computed on the cell's own i64 form, so the chain from the load to the
 * compare-exchange is one integer instruction. The f64 form (convert, add, abs, compare,
 * truncate: a chain of ~20 cycles before the compare-exchange can start) measured 1.3–2.5 ns slower
 * per call on an AMD EPYC (see BENCHMARKS.md), and is the likely reason `add` cost more than
 * `Atomics.add` on an Intel Xeon. `next` computes the new i64 value from `$cur` and `$d`.
 *
 * Exact: the cell and `$v` are safe integers (|x| ≤ 2^53−1, checked in JS before the call), so
 * `$cur ± $d` is within ±(2^54−2) and cannot wrap an i64, and a bitwise result is the exact i64
 * one; with `checked`, the one unsigned comparison `$next + MAX_SAFE > 2·MAX_SAFE` is `$next`
 * outside ±MAX_SAFE, and such a result returns NaN. Nothing is stored unless the result is in
 * range, so no thread can ever load an unsafe value, and a refused operation changes nothing.
 *
 * A bare `i64.atomic.rmw.add` (0.3–0.7 ns cheaper still here) with an undo on overshoot is not
 * used: the overshoot is visible until it is undone, and a concurrent add can bring the word back
 * into range with the overshoot still inside. That add then returns, and lets others load, a value
 * that no order of the operations produces (cell 2^53−1; A adds 10 and will undo; B adds −20 and
 * sees A's overshoot; C adds 0 and sees 2^53−11, while the cell held only 2^53−1, then 2^53−21).
 */
const intOnCell = (op, next, { checked = false, skipIfSame = false } = {}) =>
  `(func (export "int_${op}") (param $p i32) (param $v f64) (result f64)
    (local $d i64) (local $cur i64) (local $seen i64) (local $next i64)
    (local.set $d (i64.trunc_f64_s (local.get $v)))
    (local.set $cur (i64.atomic.load (local.get $p)))
    (loop $retry
      (local.set $next ${next("(local.get $cur)", "(local.get $d)")})
      ${
    checked
      ? `(if (i64.gt_u (i64.add (local.get $next) (i64.const ${MAX_SAFE})) (i64.const ${
        2n * BigInt(MAX_SAFE)
      }))
        (then (return ${int.refuse})))`
      : ""
  }
      ${
    skipIfSame
      ? `(if (i64.eq (local.get $next) (local.get $cur))
        (then (return (f64.convert_i64_s (local.get $cur)))))`
      : ""
  }
      (local.set $seen (i64.atomic.rmw.cmpxchg (local.get $p) (local.get $cur) (local.get $next)))
      (if (i64.ne (local.get $seen) (local.get $cur))
        (then (local.set $cur (local.get $seen)) (br $retry))))
    (f64.convert_i64_s (local.get $cur)))`;

/** `(p, expected, replacement) -> previous`: one hardware compare-exchange. */
const compareExchange = (t) =>
  `(func (export "${t.name}_compare_exchange") (param $p i32) (param $e ${t.param}) (param $r ${t.param}) (result ${t.param})
    ${
    t.fromCell(
      `(i64.atomic.rmw.cmpxchg (local.get $p) ${t.toCell("(local.get $e)")} ${
        t.toCell("(local.get $r)")
      })`,
    )
  })`;

const functions = [
  // AtomicInt.
  load(int),
  store(int),
  rmw(int, "swap", "i64.atomic.rmw.xchg"),
  compareExchange(int),
  intOnCell("add", (cur, d) => `(i64.add ${cur} ${d})`, { checked: true }),
  intOnCell("sub", (cur, d) => `(i64.sub ${cur} ${d})`, { checked: true }),
  casLoop(int, "mul", (cur, v) => `(f64.mul ${cur} ${v})`, { checked: true }),
  // Truncates toward zero; the divisor is never 0 (checked in JS) and −2^63 / −1 cannot occur.
  casLoop(
    int,
    "div",
    (cur, v) => `(f64.convert_i64_s (i64.div_s (i64.trunc_f64_s ${cur}) (i64.trunc_f64_s ${v})))`,
  ),
  intOnCell("max", (cur, d) => `(select ${cur} ${d} (i64.ge_s ${cur} ${d}))`, {
    skipIfSame: true,
  }),
  intOnCell("min", (cur, d) => `(select ${cur} ${d} (i64.le_s ${cur} ${d}))`, {
    skipIfSame: true,
  }),
  ...["and", "or", "xor"].map((op) =>
    intOnCell(op, (cur, d) => `(i64.${op} ${cur} ${d})`, { checked: true })
  ),

  // AtomicBigInt: wrapping two's-complement arithmetic.
  load(bigint),
  store(bigint),
  rmw(bigint, "swap", "i64.atomic.rmw.xchg"),
  compareExchange(bigint),
  rmw(bigint, "add", "i64.atomic.rmw.add"),
  rmw(bigint, "sub", "i64.atomic.rmw.sub"),
  rmw(bigint, "and", "i64.atomic.rmw.and"),
  rmw(bigint, "or", "i64.atomic.rmw.or"),
  rmw(bigint, "xor", "i64.atomic.rmw.xor"),
  casLoop(bigint, "mul", (cur, v) => `(i64.mul ${cur} ${v})`),
  // Truncates toward zero; x / −1 is written as 0 − x, which wraps −2^63 to itself (i64.div_s traps).
  casLoop(
    bigint,
    "div",
    (cur, v) =>
      `(if (result i64) (i64.eq ${v} (i64.const -1)) (then (i64.sub (i64.const 0) ${cur})) (else (i64.div_s ${cur} ${v})))`,
  ),
  casLoop(bigint, "max", (cur, v) => `(select ${cur} ${v} (i64.ge_s ${cur} ${v}))`, {
    skipIfSame: true,
  }),
  casLoop(bigint, "min", (cur, v) => `(select ${cur} ${v} (i64.le_s ${cur} ${v}))`, {
    skipIfSame: true,
  }),

  // AtomicBool: a 32-bit word holding 0 or 1.
  `(func (export "bool_load") (param $p i32) (result i32) (i32.atomic.load (local.get $p)))`,
  `(func (export "bool_store") (param $p i32) (param $v i32) (i32.atomic.store (local.get $p) (local.get $v)))`,
  ...["xchg:swap", "and:and", "or:or", "xor:xor"].map((pair) => {
    const [instruction, op] = pair.split(":");
    return `(func (export "bool_${op}") (param $p i32) (param $v i32) (result i32)
    (i32.atomic.rmw.${instruction} (local.get $p) (local.get $v)))`;
  }),
  `(func (export "bool_compare_exchange") (param $p i32) (param $e i32) (param $r i32) (result i32)
    (i32.atomic.rmw.cmpxchg (local.get $p) (local.get $e) (local.get $r)))`,

  // AtomicFloat: IEEE-754 binary64 in an i64 cell.
  load(float),
  store(float),
  rmw(float, "swap", "i64.atomic.rmw.xchg"),
  // Compares bit patterns, except that a NaN `expected` matches whichever NaN is stored (a memory
  // written by other code may hold any NaN); the caller tells success with Object.is(previous, e).
  `(func (export "float_compare_exchange") (param $p i32) (param $e f64) (param $r f64) (result f64)
    (local $cur i64) (local $seen i64)
    (if (f64.eq (local.get $e) (local.get $e))
      (then (return (f64.reinterpret_i64
        (i64.atomic.rmw.cmpxchg (local.get $p) (i64.reinterpret_f64 (local.get $e)) (call $bits (local.get $r)))))))
    (local.set $cur (i64.atomic.load (local.get $p)))
    (loop $retry
      (if (f64.eq (f64.reinterpret_i64 (local.get $cur)) (f64.reinterpret_i64 (local.get $cur)))
        (then (return (f64.reinterpret_i64 (local.get $cur)))))
      (local.set $seen (i64.atomic.rmw.cmpxchg (local.get $p) (local.get $cur) (call $bits (local.get $r))))
      (if (i64.ne (local.get $seen) (local.get $cur))
        (then (local.set $cur (local.get $seen)) (br $retry))))
    (f64.reinterpret_i64 (local.get $cur)))`,
  casLoop(float, "add", (cur, v) => `(f64.add ${cur} ${v})`),
  casLoop(float, "sub", (cur, v) => `(f64.sub ${cur} ${v})`),
  casLoop(float, "mul", (cur, v) => `(f64.mul ${cur} ${v})`),
  casLoop(float, "div", (cur, v) => `(f64.div ${cur} ${v})`),
  // Like Rust's f64::max / f64::min: a NaN operand is ignored; a NaN value gives way to the operand.
  casLoop(
    float,
    "max",
    (cur, v) =>
      `(select ${cur} ${v} (i32.or (f64.ne ${v} ${v}) (i32.and (f64.eq ${cur} ${cur}) (f64.ge ${cur} ${v}))))`,
    { skipIfSame: true },
  ),
  casLoop(
    float,
    "min",
    (cur, v) =>
      `(select ${cur} ${v} (i32.or (f64.ne ${v} ${v}) (i32.and (f64.eq ${cur} ${cur}) (f64.le ${cur} ${v}))))`,
    { skipIfSame: true },
  ),

  // The allocator: a bump pointer in the header word at 0, shared by every thread using the memory.
  // `(size, align) -> offset`, or -1 when the memory cannot grow that far. `align` is a power of 2.
  `(func (export "alloc") (param $size i32) (param $align i32) (result i32)
    (local $cur i32) (local $start i32) (local $end i32) (local $seen i32) (local $have i32)
    (local.set $cur (i32.atomic.load (i32.const 0)))
    (loop $retry
      (local.set $start
        (i32.and
          (i32.add (select (local.get $cur) (i32.const ${HEAP_START}) (i32.ge_u (local.get $cur) (i32.const ${HEAP_START})))
                   (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $start) (local.get $size)))
      (if (i32.or (i32.lt_u (local.get $end) (local.get $start))
                  (i32.gt_u (local.get $end) (i32.const ${MAX_PAGES * 65536 - 1})))
        (then (return (i32.const -1))))
      (block $enough
        (loop $grow
          (local.set $have (i32.shl (memory.size) (i32.const 16)))
          (br_if $enough (i32.le_u (local.get $end) (local.get $have)))
          (if (i32.eq
                (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 16)))
                (i32.const -1))
            (then (return (i32.const -1))))
          (br $grow)))
      (local.set $seen (i32.atomic.rmw.cmpxchg (i32.const 0) (local.get $cur) (local.get $end)))
      (if (i32.ne (local.get $seen) (local.get $cur))
        (then (local.set $cur (local.get $seen)) (br $retry))))
    (local.get $start))`,
];

const wat = `;; Generated by wasm/generate.mjs from its operation tables; do not edit by hand.
;; The engine's atomic operations on a shared memory that the importer provides. Offsets are byte
;; offsets in that memory, aligned to the operation's width (8, or 4 for bool).
(module
  (import "env" "memory" (memory 1 ${MAX_PAGES} shared))

  ;; The bit pattern stored for a float: its own, or the canonical NaN for any NaN.
  (func $bits (param $x f64) (result i64)
    (select (i64.reinterpret_f64 (local.get $x)) (i64.const ${CANONICAL_NAN})
      (f64.eq (local.get $x) (local.get $x))))

${functions.map((f) => `  ${f}`).join("\n\n")}
)
`;

const wabt = await wabtInit();
const parsed = wabt.parseWat("atomics.wat", wat, { threads: true });
const bytes = parsed.toBinary({}).buffer;
parsed.destroy();
// wabt.js's own validator ignores the threads feature, so the engine's validator checks the module.
new WebAssembly.Module(bytes);

const base64 = Buffer.from(bytes).toString("base64");
const lines = base64.match(/.{1,96}/g).map((line) => `  "${line}"`).join(" +\n");
const moduleTs =
  `// Generated by wasm/generate.mjs (npm run build:wasm) from wasm/atomics.wat; do not edit by hand.
/**
 * The WebAssembly engine's module, embedded so that loading atomicx reads no file and needs no
 * permission: ${bytes.length} bytes, base64.
 *
 * @module
 */

/** The module's bytes, base64-encoded. */
export const moduleBase64: string =
${lines};

/** Maximum size of the engine's memory in 64 KiB pages, as the module declares it. */
export const MAX_PAGES = ${MAX_PAGES};
`;

const outputs = [[join(here, "atomics.wat"), wat], [join(here, "_module.ts"), moduleTs]];
if (flags.check) {
  const stale = outputs.filter(([path, text]) => {
    try {
      return readFileSync(path, "utf8") !== text;
    } catch {
      return true;
    }
  });
  for (const [path] of stale) console.error(`stale: ${path} (run npm run build:wasm)`);
  console.log(
    stale.length ? "wasm: generated files are stale" : `wasm: up to date (${bytes.length} bytes)`,
  );
  process.exit(stale.length ? 1 : 0);
}
for (const [path, text] of outputs) writeFileSync(path, text);
console.log(`wasm: wrote atomics.wat and _module.ts (${bytes.length} bytes)`);
