/**
 * The two clients atomicx/redis supports, connected to a test server: node-redis (npm `redis`)
 * and ioredis, made the same way by every test and fixture.
 *
 * @module
 */

import { createClient } from "redis";
import { Redis } from "ioredis";

/** Which client. */
export type ClientKind = "node-redis" | "ioredis";

/** Both, in the order the tests run them. */
export const CLIENT_KINDS: readonly ClientKind[] = ["node-redis", "ioredis"];

/** A connected client and how to close it. */
export interface TestClient {
  // deno-lint-ignore no-explicit-any -- either client
  readonly client: any;
  close(): Promise<void>;
}

/** A client of `kind` connected to 127.0.0.1:`port`. */
export async function connectClient(kind: ClientKind, port: number): Promise<TestClient> {
  if (kind === "node-redis") {
    const client = createClient({
      url: `redis://127.0.0.1:${port}`,
      socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) },
    });
    client.on("error", () => {}); // reconnects by itself; a failing command reports its error
    await client.connect();
    return {
      client,
      close: () => Promise.resolve(client.isOpen && client.destroy()).then(() => {}),
    };
  }
  const client = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 500),
    maxRetriesPerRequest: null,
  });
  client.on("error", () => {});
  await client.connect();
  return { client, close: () => Promise.resolve(client.disconnect()) };
}
