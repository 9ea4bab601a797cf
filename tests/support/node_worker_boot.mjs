// Entry of every Node Worker the tests start: Node 20 cannot load TypeScript and does not pass
// the parent's `--import tsx` hook to Workers, so register tsx here before importing the script.
import { workerData } from "node:worker_threads";

if (!process.features.typescript) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.script);
