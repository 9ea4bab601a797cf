// A Worker of tests/windows/cross.test.ts: takes the region mutex "w", reports, then blocks inside
// a message handler until it is terminated.
import { parentPort, workerData } from "node:worker_threads";
import { SharedMemory } from "../../mod.ts";

parentPort!.on("message", () => {
  const region = SharedMemory.open(workerData as string, { only: "attach" });
  region.mutex("w").lock();
  parentPort!.postMessage("held");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
});
