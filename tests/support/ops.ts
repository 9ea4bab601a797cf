// The names of operations the cases share between files.

/** The operations with one operand of `AtomicInt` and `AtomicBigInt` (and their arrays). */
export const INT_BINARY: readonly string[] = [
  "store",
  "swap",
  "add",
  "sub",
  "mul",
  "div",
  "fetchMax",
  "fetchMin",
  "fetchAnd",
  "fetchOr",
  "fetchXor",
];

/** The operations with one operand of `AtomicFloat` (and `AtomicFloatArray`). */
export const FLOAT_BINARY: readonly string[] = INT_BINARY.slice(0, 8);

// deno-lint-ignore no-explicit-any
type Any = any;

/**
 * Each operation of `ops` on `atomic` as a call taking the operand, plus `compareExchange` with
 * the operand as either argument (`current` the other): for checking that bad operands are refused.
 */
export function operandCalls(
  atomic: object,
  ops: readonly string[],
  current: unknown,
): ((v: unknown) => unknown)[] {
  const a = atomic as Any;
  return [
    ...ops.map((op) => (v: unknown) => a[op](v)),
    (v) => a.compareExchange(v, current),
    (v) => a.compareExchange(current, v),
  ];
}

/** What a call did: its result, or the class of the error it threw. */
export function outcome(call: () => unknown): unknown {
  try {
    return { value: call() };
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
}
