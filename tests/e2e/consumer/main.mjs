// A new user's first program, run from a project that installed the atomicx tarballs: create
// atomics, hand them to Workers right after starting them, and check the exact totals; then open a
// shared-memory region, which loads the native library. The same file runs on Node (koffi or
// node:ffi), Bun and Deno. Prints one `RESULT {json}` line.
import { AtomicBigInt, AtomicBool, AtomicFloat, AtomicInt, info, SharedMemory } from "atomicx";
import { readFileSync } from "node:fs";
import process from "node:process";

const WORKERS = 3;
const ROUNDS = 50_000;
const isWeb = "Deno" in globalThis || "Bun" in globalThis;

const counter = new AtomicInt(0);
const total = new AtomicBigInt(0n);
const sum = new AtomicFloat(0);
const flag = new AtomicBool(false);
const task = {
  rounds: ROUNDS,
  handles: { counter: counter.handle, total: total.handle, sum: sum.handle, flag: flag.handle },
};

/** Starts a Worker and posts the task at once, as a user would; resolves to its reply. */
async function startWorker() {
  const script = new URL("./worker.mjs", import.meta.url);
  if (isWeb) {
    const worker = new Worker(script, { type: "module" });
    worker.postMessage(task);
    const reply = await new Promise((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault?.();
        reject(new Error(`worker failed: ${event.message}`));
      };
    });
    worker.terminate();
    return reply;
  }
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const worker = new NodeWorker(script);
  worker.postMessage(task);
  const reply = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  return reply;
}

const timeout = setTimeout(() => {
  console.error("timed out waiting for the Workers (was a message dropped?)");
  process.exit(3);
}, 60_000);
const replies = await Promise.all(Array.from({ length: WORKERS }, startWorker));
clearTimeout(timeout);

/** The atomicx libraries mapped into this process (Deno allows reading /proc only with -A). */
function mappedLibraries() {
  try {
    const maps = readFileSync("/proc/self/maps", "utf8").split("\n");
    const paths = maps.filter((line) => /\/libatomicx\.so$/.test(line))
      .map((line) => line.slice(line.indexOf("/")));
    return [...new Set(paths)];
  } catch {
    return null;
  }
}
// In-process atomics need no native code (except Bun's default engine, which calls it by bun:ffi);
// a region loads the library: which file and which FFI the loader picked.
const beforeRegion = info();
// Needed only on Deno from JSR (no node_modules): it has Deno fetch the platform package.
await SharedMemory.load();
const regionName = `atomicx-e2e-${process.pid}`;
const region = SharedMemory.open(regionName);
region.int("hits").add(7);
const regionValue = region.int("hits").load();
region.close();
SharedMemory.unlink(regionName);
const { native } = info();
const mapped = mappedLibraries();
console.log(
  "RESULT " + JSON.stringify({
    counter: counter.load(),
    total: String(total.load()),
    sum: sum.load(),
    flag: flag.load(),
    text: `${counter} ${total} ${sum} ${flag}`,
    json: JSON.stringify({ counter, total, sum, flag }),
    replies,
    engine: beforeRegion.engine,
    nativeBeforeRegion: beforeRegion.native.loaded,
    regionValue,
    backend: native.ffi,
    path: native.path,
    mapped,
  }),
);
