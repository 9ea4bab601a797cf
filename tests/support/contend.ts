/**
 * Workers contending on one array or counter (tests/fixtures/adder.ts), all released at once.
 *
 * @module
 */

import { AtomicInt } from "../../mod.ts";
import type { ArrayHandle, CounterHandle } from "../../mod.ts";
import type { AdderReply, AdderTask } from "../fixtures/adder.ts";
import { runWorkers } from "./workers.ts";

const adder = new URL("../fixtures/adder.ts", import.meta.url);

/**
 * Runs each of `ops` in its own Worker on `handle` at once; resolves to their replies. With a
 * `counter.drain` among them, the adders wait halfway for its first `sumThenReset()`.
 */
export async function contend(
  ops: AdderTask["op"][],
  handle: ArrayHandle | CounterHandle,
  iterations: number,
): Promise<AdderReply[]> {
  const ready = new AtomicInt(0);
  const done = new AtomicInt(0);
  const adders = ops.filter((op) => op !== "counter.drain").length;
  const drains = ops.includes("counter.drain") ? new AtomicInt(0).handle : undefined;
  return await runWorkers<AdderReply>(
    adder,
    ops.map((op) => ({
      op,
      handle,
      iterations,
      ready: ready.handle,
      parties: ops.length,
      done: done.handle,
      adders,
      drains,
    } satisfies AdderTask)),
  );
}
