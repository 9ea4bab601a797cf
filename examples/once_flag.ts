// A spin-free "first one wins" flag: eight Workers race to claim a job, each tries exactly once
// with `compareExchange`, and exactly one of them gets it — no loop, no lock, no waiting.
//
//   deno run --allow-ffi --allow-read examples/once_flag.ts
//   bun examples/once_flag.ts
//   node --experimental-ffi examples/once_flag.ts      (Node 26+: the built-in node:ffi)
//
// Node 20 to 24 cannot start a TypeScript Worker (tsx does not reach Workers there): on those,
// write the program as JavaScript importing "atomicx", as the npm package's users do.
import process from "node:process";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { AtomicBool, type AtomicHandle, AtomicInt } from "../mod.ts";

const WORKERS = 8;

if (isMainThread) {
  const claimed = new AtomicBool(false);
  const winner = new AtomicInt(-1);
  const results = await Promise.all(Array.from({ length: WORKERS }, (_, id) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { id, claimed: claimed.handle, winner: winner.handle },
    });
    return new Promise<boolean>((done) => worker.once("message", done));
  }));
  const winners = results.filter(Boolean).length;
  console.log(`claimed: ${claimed}; Worker ${winner} won; ${winners} winner(s) of ${WORKERS}`);
  if (winners !== 1 || !claimed.load() || !results[winner.load()]) process.exit(1);
} else {
  const { id, ...handles } = workerData as {
    id: number;
    claimed: AtomicHandle<"bool">;
    winner: AtomicHandle<"int">;
  };
  const claimed = AtomicBool.from(handles.claimed);
  const [won] = claimed.compareExchange(false, true);
  if (won) AtomicInt.from(handles.winner).store(id);
  parentPort!.postMessage(won);
}
