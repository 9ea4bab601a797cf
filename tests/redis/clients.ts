/**
 * The clients atomicx/redis supports, connected to a test server: node-redis (npm `redis`),
 * ioredis, iovalkey, and on Bun its built-in `RedisClient` — made the same way by every test and
 * fixture.
 *
 * @module
 */

import { createClient } from "redis";
import { Redis } from "ioredis";
import { Redis as IoValkey } from "iovalkey";
import { connect } from "../../redis/_client.ts";

/** Which client. */
export type ClientKind = "node-redis" | "ioredis" | "iovalkey" | "bun";

/** The clients of this runtime, in the order the tests run them (Bun's own only on Bun). */
export const CLIENT_KINDS: readonly ClientKind[] = "Bun" in globalThis
  ? ["node-redis", "ioredis", "iovalkey", "bun"]
  : ["node-redis", "ioredis", "iovalkey"];

/** A connected client and how to close it. */
export interface TestClient {
  // deno-lint-ignore no-explicit-any -- any of the clients
  readonly client: any;
  /** Sends a raw command through the client (its adapter). */
  send(...args: (string | number)[]): Promise<unknown>;
  close(): Promise<void>;
}

const backoff = (retries: number) => Math.min(50 * 2 ** retries, 500);

async function open(kind: ClientKind, port: number) {
  const url = `redis://127.0.0.1:${port}`;
  if (kind === "node-redis") {
    const client = createClient({ url, socket: { reconnectStrategy: backoff } });
    client.on("error", () => {}); // reconnects by itself; a failing command reports its error
    await client.connect();
    return { client, close: () => Promise.resolve(client.isOpen && client.destroy()) };
  }
  if (kind === "bun") {
    // Imported only on Bun: "bun" is its built-in module.
    const { RedisClient } = await import("bun" as string);
    const client = new RedisClient(url, { autoReconnect: true, maxRetries: 1_000_000 });
    await client.connect();
    return { client, close: () => Promise.resolve(client.close()) };
  }
  // iovalkey is ioredis's fork: the same constructor and options.
  const Client = (kind === "ioredis" ? Redis : IoValkey) as typeof Redis;
  const client = new Client({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    retryStrategy: backoff,
    maxRetriesPerRequest: null,
  });
  client.on("error", () => {});
  await client.connect();
  return { client, close: () => Promise.resolve(client.disconnect()) };
}

/** A client of `kind` connected to 127.0.0.1:`port`. */
export async function connectClient(kind: ClientKind, port: number): Promise<TestClient> {
  const { client, close } = await open(kind, port);
  const conn = connect("test", client);
  return {
    client,
    send: (...args) => conn.send(args),
    close: () => close().then(() => {}),
  };
}
