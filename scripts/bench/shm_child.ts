// One process of the shared-memory benchmark (scripts/bench/shm.mjs), runnable on every runtime.
// It sleeps until wall-clock <atMs> (so that all processes of a configuration start together),
// does <n> increments of one kind and prints {"ops", "startMs", "endMs"} (or two figures for
// "local"). Modes:
//   local <n>                   in-process: AtomicInt.inc on a SharedArrayBuffer, then Atomics.add
//   region <atMs> <name> <n>    AtomicInt.inc on the region's "counter"
//   sab <atMs> - <n>            the same loop on an AtomicInt in a SharedArrayBuffer
//   redis <atMs> <port> <n>     INCR over loopback, awaiting each reply (a minimal RESP client)
//   filelock <atMs> <dir> <n>   a counter file behind a mkdir lock (proper-lockfile's technique)
//   take <name> / unlink <name> the region counter's value (zeroing it) / remove the region
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { AtomicInt, SharedMemory } from "../../mod.ts";

const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const args = g.Deno ? g.Deno.args : g.process!.argv.slice(2);
const mode = args[0];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Wall-clock milliseconds with sub-millisecond resolution. */
const now = () => performance.timeOrigin + performance.now();

async function startAt(at: number) {
  while (now() < at - 5) await sleep(1);
  while (now() < at) { /* the last few ms precisely */ }
}

/** The measured loop, one function for every atomic so that warm-up and run share their JIT code. */
function count(c: AtomicInt, n: number) {
  for (let i = 0; i < n; i++) c.inc();
}

function report(ops: number, startMs: number, endMs: number) {
  console.log(JSON.stringify({ ops, startMs, endMs }));
}

if (mode === "local") {
  const n = Number(args[1]);
  const a = new AtomicInt(0);
  const view = new Int32Array(new SharedArrayBuffer(8));
  for (let i = 0; i < 100_000; i++) a.inc(), Atomics.add(view, 0, 1); // warm up the JIT
  // Best of three rounds each, interleaved, so that a burst of load elsewhere hits both.
  let atomicx = Infinity;
  let builtin = Infinity;
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) a.inc();
    atomicx = Math.min(atomicx, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < n; i++) Atomics.add(view, 0, 1);
    builtin = Math.min(builtin, performance.now() - t);
  }
  console.log(JSON.stringify({ ops: n, atomicxMs: atomicx, atomicsMs: builtin }));
} else if (mode === "region") {
  const [at, name, n] = [Number(args[1]), args[2], Number(args[3])];
  using region = SharedMemory.open(name);
  const c = region.int("counter");
  count(region.int("warmup"), 500_000);
  await startAt(at);
  const t0 = now();
  count(c, n);
  report(n, t0, now());
} else if (mode === "sab") {
  // The same loop as "region", on an AtomicInt in a SharedArrayBuffer of this process.
  const [at, n] = [Number(args[1]), Number(args[3])];
  const c = new AtomicInt(0);
  count(new AtomicInt(0), 500_000);
  await startAt(at);
  const t0 = now();
  count(c, n);
  report(n, t0, now());
  if (c.load() !== n) throw new Error(`counted ${c.load()}, not ${n}`);
} else if (mode === "take") {
  // The counter's value (then zeroed), for the benchmark's exactness check.
  using region = SharedMemory.open(args[1], { only: "attach" });
  console.log(JSON.stringify({ value: region.int("counter").swap(0) }));
} else if (mode === "unlink") {
  console.log(JSON.stringify({ removed: SharedMemory.unlink(args[1]) }));
} else if (mode === "redis") {
  const [at, port, n] = [Number(args[1]), Number(args[2]), Number(args[3])];
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let waiting: ((line: string) => void) | undefined;
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk;
    const end = buffered.indexOf("\r\n");
    if (end >= 0 && waiting) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const resolve = waiting;
      waiting = undefined;
      resolve(line);
    }
  });
  const incr = () =>
    new Promise<string>((resolve) => {
      waiting = resolve;
      socket.write("*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n");
    });
  await startAt(at);
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const reply = await incr();
    if (reply[0] !== ":") throw new Error(`redis replied ${reply}`);
  }
  report(n, t0, now());
  socket.end();
} else if (mode === "filelock") {
  const [at, dir, n] = [Number(args[1]), args[2], Number(args[3])];
  const lock = join(dir, "counter.lock");
  const file = join(dir, "counter");
  await startAt(at);
  const t0 = now();
  for (let i = 0; i < n; i++) {
    for (;;) {
      try {
        mkdirSync(lock); // atomic: exactly one process succeeds
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "EEXIST") throw error;
      }
    }
    try {
      writeFileSync(file, String(Number(readFileSync(file, "utf8")) + 1));
    } finally {
      rmdirSync(lock);
    }
  }
  report(n, t0, now());
} else {
  throw new Error(`unknown mode ${mode}`);
}
