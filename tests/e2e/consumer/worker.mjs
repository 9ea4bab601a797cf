// Worker side of main.mjs: rebuild the atomics from their handles and hammer them.
import { AtomicBigInt, AtomicBool, AtomicFloat, AtomicInt } from "atomicx";

const isWeb = "Deno" in globalThis || "Bun" in globalThis;

function work({ rounds, handles }) {
  const counter = AtomicInt.from(handles.counter);
  const total = AtomicBigInt.from(handles.total);
  const sum = AtomicFloat.from(handles.sum);
  const flag = AtomicBool.from(handles.flag);
  for (let i = 0; i < rounds; i++) {
    counter.inc();
    total.add(3n);
    sum.add(0.25);
  }
  flag.flip();
  return "done";
}

if (isWeb) {
  self.onmessage = (event) => self.postMessage(work(event.data));
} else {
  const { parentPort } = await import("node:worker_threads");
  parentPort.once("message", (task) => parentPort.postMessage(work(task)));
}
