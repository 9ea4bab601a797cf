/**
 * Assertions shared by the cases, on top of `node:assert/strict`: Deno, Bun and Node all ship it
 * built in, so the same case files run unchanged on every runtime and the tests need no assertion
 * package to be fetched or installed.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Anything with a `load()`. */
interface Loadable {
  load(): unknown;
}

/**
 * Asserts that `action` throws an instance of `errorType` (and not a subclass standing in for
 * another type) and that `atomic`'s value is the same afterwards.
 */
export function assertRefused(
  atomic: Loadable,
  action: () => unknown,
  errorType: typeof TypeError | typeof RangeError | typeof Error,
  message?: RegExp,
): void {
  const before = atomic.load();
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof errorType, `expected ${errorType.name}, got ${error}`);
    assert.equal((error as Error).constructor, errorType);
    if (message) assert.match((error as Error).message, message);
    return true;
  });
  assert.ok(Object.is(atomic.load(), before), `value changed from ${before} to ${atomic.load()}`);
}

export { assert };
