/**
 * The port a `node:cluster` example's workers listen on, on Node and on Bun.
 *
 * @module
 */

import net from "node:net";
import process from "node:process";

/**
 * The port the workers listen on. Node's cluster shares the primary's listening socket, and port 0
 * gives every worker the same port the OS chose first. Bun's workers each bind their own socket
 * (with SO_REUSEPORT), so port 0 would give each its own port: there the primary asks the OS for a
 * free port and hands that one to all of them.
 *
 * @example
 * ```ts
 * import { clusterPort } from "./cluster_port.ts";
 *
 * const port = await clusterPort(); // pass it to cluster.fork({ PORT: port })
 * console.log(Number.isInteger(port)); // true
 * ```
 */
export function clusterPort(): Promise<number> {
  if (!("bun" in process.versions)) return Promise.resolve(0);
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
