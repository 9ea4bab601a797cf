// A web page's TypeScript, typechecked by tsc against the installed package as a browser project
// (lib DOM, moduleResolution "bundler", customConditions ["browser"]): the imports resolve to the
// browser entry's declarations, which have the in-process classes and `info` — and no
// `SharedMemory` (browser_refused.ts checks that importing it fails).
import { AtomicFloat, AtomicInt, type AtomicxInfo, Counter, info } from "atomicx";

const hits = new AtomicInt(0);
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.postMessage(hits.handle);
const previous: number = hits.inc();
const sum = new AtomicFloat(0);
sum.add(0.5);
const counter = new Counter();
counter.add(previous);
const report: AtomicxInfo = info();
const runtime: "deno" | "bun" | "node" | "browser" = report.runtime;
document.title = `${runtime} ${hits.load()} ${sum.load()} ${counter.sum()}`;
const waited: Promise<"ok" | "not-equal" | "timed-out"> = hits.waitAsync(1, 1_000);
void waited;
