/**
 * Calls that must not wait forever on a server that is gone: they reject with an error naming the
 * connection when the client is not connected or the server does not answer in time.
 *
 * @module
 */

import type { Connection } from "./_client.ts";
import { quietTimeout } from "./_timers.ts";

/**
 * `run()`'s result, or an `Error` naming `conn.where` if the client is not connected or no answer
 * came within `timeoutMs` (the command may still run later: use only for reads and for
 * idempotent writes).
 */
export function reach<T>(
  where: string,
  conn: Connection,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  if (!conn.ready()) {
    return Promise.reject(
      new Error(`${where}: the ${conn.client} client of ${conn.where} is not connected`),
    );
  }
  return new Promise<T>((resolve, reject) => {
    const timer = quietTimeout(() => {
      reject(new Error(`${where}: ${conn.where} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    run().then(resolve, (cause) => {
      reject(new Error(`${where}: ${conn.where} failed: ${(cause as Error)?.message}`, { cause }));
    }).finally(() => clearTimeout(timer));
  });
}
