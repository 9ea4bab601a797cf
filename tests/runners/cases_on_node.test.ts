// Runs the conformance cases under `node --test` (Node 26 with node:ffi, or any Node with koffi).
import { test } from "node:test";
import { CASE_TIMEOUT_MS } from "../harness.ts";
import { cases } from "../all.ts";

for (const { name, fn } of cases) test(name, { timeout: CASE_TIMEOUT_MS }, fn);
