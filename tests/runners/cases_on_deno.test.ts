// Runs the conformance cases under `deno test`.
import { cases } from "../all.ts";

for (const { name, fn } of cases) Deno.test(name, fn);
