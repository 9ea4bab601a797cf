// Runs the conformance cases under `bun test`.
import { CASE_TIMEOUT_MS } from "../harness.ts";
import { cases } from "../all.ts";

// A computed specifier keeps the other runtimes' type checkers from resolving `bun:test`.
const specifier = "bun:test";
const { test } = (await import(specifier)) as {
  test(name: string, fn: () => void | Promise<void>, timeout: number): void;
};

for (const { name, fn } of cases) test(name, fn, CASE_TIMEOUT_MS);
