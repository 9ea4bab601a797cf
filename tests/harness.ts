/**
 * The conformance cases are registered here once and handed to each runtime's own test runner by
 * the thin files in `tests/runners/`.
 *
 * @module
 */

/** One conformance case. */
export interface Case {
  readonly name: string;
  readonly fn: () => void | Promise<void>;
}

/** Every registered case, in registration order. */
export const cases: Case[] = [];

/** Registers a case. */
export function test(name: string, fn: () => void | Promise<void>): void {
  cases.push({ name, fn });
}

/** Time a single case may take: Worker cases run millions of operations. */
export const CASE_TIMEOUT_MS = 300_000;
