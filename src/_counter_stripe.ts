/**
 * Which stripe of a region counter this thread adds to: its process's pid plus the thread's place
 * in the process, so that processes with consecutive pids, and a process's Workers, take different
 * stripes. (In-process counters number their threads through the engine memory instead.)
 *
 * @module
 */

import { threadPlace } from "../engine/_runtime.ts";
import { STRIPES } from "./counter.ts";
import { processIdentity } from "./locks/_owner.ts";

let stripe: number | undefined;

/**
 * The stripe this thread adds to in every region counter: (pid + 0 on the main thread, the Node
 * thread id in a Node or Bun Worker, a random 1..STRIPES−1 in a Web Worker) modulo `STRIPES`.
 */
export function regionCounterStripe(): number {
  if (stripe !== undefined) return stripe;
  const thread = threadPlace() ?? 1 + Math.floor(Math.random() * (STRIPES - 1));
  return stripe = (processIdentity().pid + thread) % STRIPES;
}
