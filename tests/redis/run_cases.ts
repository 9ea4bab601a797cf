// Runs tests/redis/cases.ts with every client on the runtime it is started with, against the
// redis-server on 127.0.0.1:PORT:
//   deno run --allow-all tests/redis/run_cases.ts PORT   (also bun, node --experimental-ffi)
// Prints `ok - ...` / `not ok - ...` per case and exits with the number of failures.
import process from "node:process";
import { RedisStore } from "../../redis/mod.ts";
import { cases } from "./cases.ts";
import { CLIENT_KINDS, connectClient, type TestClient } from "./clients.ts";

const port = Number(process.argv[2]);
const only = process.argv[3];
const runtime = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : `node ${process.version}`;
let failed = 0;
for (const kind of CLIENT_KINDS) {
  for (const c of cases.filter((c) => !only || c.name.includes(only))) {
    const prefix = `t-${Math.random().toString(36).slice(2, 10)}:`;
    const opened: TestClient[] = [];
    const client = async () => {
      const made = await connectClient(kind, port);
      opened.push(made);
      return made;
    };
    const rawClient = await client();
    const ctx = {
      kind,
      port,
      prefix,
      client,
      store: async (options: { timeoutMs?: number } = {}) =>
        new RedisStore((await client()).client, { prefix, ...options }),
      raw: (...args: (string | number)[]) => rawClient.send(...args),
    };
    const started = performance.now();
    try {
      await c.run(ctx);
      console.log(
        `ok - ${runtime} ${kind}: ${c.name} (${Math.round(performance.now() - started)} ms)`,
      );
    } catch (error) {
      failed++;
      console.log(`not ok - ${runtime} ${kind}: ${c.name}\n${(error as Error)?.stack ?? error}`);
    } finally {
      for (const made of opened) await made.close().catch(() => {});
    }
  }
}
console.log(`redis cases on ${runtime}: ${failed} failed`);
process.exit(failed);
