/**
 * The errors the classes throw. Built only on the failure path, so the messages can afford to
 * read the current value and spell out the fix.
 *
 * @module
 */

/**
 * A short description of a value for error messages. It runs no code of the value's own (no
 * getters, no `toString`, no Proxy traps beyond `Array.isArray`'s), so describing a hostile
 * argument cannot throw or change anything.
 *
 * @example
 * ```ts
 * import { describe } from "./_errors.ts";
 *
 * describe(new Proxy({}, { get() { throw new Error("trap"); } })); // "an object"
 * describe(1.5); // "number 1.5"
 * ```
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  switch (typeof value) {
    case "bigint":
      return `bigint ${value}n`;
    case "string":
      return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "object":
      try {
        if (Array.isArray(value)) return "an array";
      } catch {
        // a revoked Proxy
      }
      return "an object";
    default:
      return `${typeof value} ${String(value)}`;
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True if `name` is well-formed UTF-16 (no lone surrogate), so that its UTF-8 form names it alone:
 * every lone surrogate encodes as U+FFFD, which would make `"\uD800"` and `"\uDBFF"` one name.
 * Uses `String.prototype.isWellFormed` where the runtime has it.
 *
 * @example
 * ```ts
 * import { isWellFormedName } from "./_errors.ts";
 *
 * isWellFormedName("caf\u00e9"); // true
 * isWellFormedName("\uD800"); // false
 * ```
 */
export function isWellFormedName(name: string): boolean {
  const builtin = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
  return builtin ? builtin.call(name) : !loneSurrogate.test(name);
}

/** `TypeError` for a non-number, `RangeError` for a number that is not a safe integer. */
export function notSafeInteger(where: string, value: unknown): TypeError | RangeError {
  if (typeof value !== "number") {
    return new TypeError(`${where}: expected a number, got ${describe(value)}`);
  }
  return new RangeError(
    `${where}: ${value} is not a safe integer; AtomicInt holds integers within ±(2^53−1) ` +
      "(use AtomicBigInt for 64-bit values)",
  );
}

/** `RangeError` for a result that would leave ±(2^53−1). */
export function intOverflow(where: string, operand: number, current: number): RangeError {
  return new RangeError(
    `${where}(${operand}) would take ${current} outside the safe-integer range ±(2^53−1); ` +
      "the value is unchanged. Use AtomicBigInt for 64-bit wrapping arithmetic.",
  );
}

/** `RangeError` for division by zero. */
export function divisionByZero(where: string): RangeError {
  return new RangeError(`${where}: division by zero; the value is unchanged`);
}

/** `TypeError` for a non-bigint, `RangeError` for a bigint outside the signed 64-bit range. */
export function notInt64(where: string, value: unknown): TypeError | RangeError {
  if (typeof value !== "bigint") {
    return new TypeError(`${where}: expected a bigint, got ${describe(value)}`);
  }
  return new RangeError(
    `${where}: ${value}n is outside the signed 64-bit range [-(2n**63n), 2n**63n-1n]`,
  );
}

/** `TypeError` for an argument of the wrong primitive type. */
export function wrongType(where: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${where}: expected a ${expected}, got ${describe(value)}`);
}

/** `TypeError` for an `update` callback that is not a function. */
export function notFunction(where: string, value: unknown): TypeError {
  return new TypeError(`${where}: expected a function, got ${describe(value)}`);
}
