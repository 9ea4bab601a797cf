// One "host" of the multi-process counter test: a process that counts into a RedisCounter whose
// buffer is in the region REGION (every process of a host opens the same region).
//   <runtime> tests/redis/host.ts PORT CLIENT REGION PREFIX MODE [N]
// MODE count N: adds N (in bursts, yielding to the flush timer), closes the counter (flushing
//   what is left), prints {"added":N} and exits.
// MODE forever: prints {"started":true} after its first adds, then adds 50 every millisecond until
//   it is killed.
// MODE finish: opens the counter (which finishes a flush a killed process left pending), closes
//   it, prints {"done":true}.
import process from "node:process";
import { SharedMemory } from "../../mod.ts";
import { RedisStore } from "../../redis/mod.ts";
import { type ClientKind, connectClient } from "./clients.ts";

const [port, kind, regionName, prefix, mode, n] = process.argv.slice(2);
const region = SharedMemory.open(regionName, { capacity: 32 });
const { client, close } = await connectClient(kind as ClientKind, Number(port));
const store = new RedisStore(client, { prefix });
const hits = store.counter("hits", { flushMs: 20, region });
if (mode === "count") {
  for (let i = 0; i < Number(n); i++) {
    hits.add(1);
    if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 1));
  }
  await hits.close();
  console.log(JSON.stringify({ added: Number(n) }));
} else if (mode === "forever") {
  hits.add(50);
  console.log(JSON.stringify({ started: true }));
  setInterval(() => hits.add(50), 1);
  await new Promise(() => {});
} else if (mode === "finish") {
  await hits.close();
  console.log(JSON.stringify({ done: true }));
}
await store.close();
await close();
region.close();
