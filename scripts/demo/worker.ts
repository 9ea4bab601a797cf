// A demo Worker: takes runs of the N-Queens count, claims first-row columns until none are left,
// keeps the total the way the run's variant says, and reports what it did.
import { AtomicInt, Mutex } from "../../mod.ts";
import type { AtomicHandle, LockHandle } from "../../mod.ts";
import { serve } from "./pool.ts";
import {
  CLAIM,
  countAtomics,
  countAtomicx,
  countLocal,
  countLocked,
  countMutex,
  LOCKED_TOTAL,
  START,
  type Variant,
} from "./queens.ts";

/** One run, as the main thread sends it. */
export interface RunTask {
  variant: Variant;
  n: number;
  /** The run's control words (see queens.ts). */
  control: SharedArrayBuffer;
  /** The run's `AtomicInt` total. */
  total: AtomicHandle<"int">;
  /** The run's `Mutex` (variants (a') and (b)). */
  mutex: LockHandle;
}

/** What a Worker reports after a run. */
export interface RunReply {
  /** First-row columns this Worker claimed. */
  columns: number;
  /** Solutions this Worker found (counted locally for the local variants, else -1). */
  found: number;
}

await serve((message, reply) => {
  const { variant, n, control, total: handle, mutex: mutexHandle } = message as RunTask;
  const words = new Int32Array(control);
  const total = AtomicInt.from(handle);
  const mutex = Mutex.from(mutexHandle);
  const all = (1 << n) - 1;
  reply("armed");
  Atomics.wait(words, START, 0); // every Worker of the run starts on the same signal
  let columns = 0, found = 0;
  for (let col = Atomics.add(words, CLAIM, 1); col < n; col = Atomics.add(words, CLAIM, 1)) {
    columns++;
    const bit = 1 << col;
    const ld = (bit << 1) & all, rd = bit >> 1;
    switch (variant) {
      case "local-atomic":
      case "local-lock":
        found += countLocal(all, bit, ld, rd);
        break;
      case "lock":
        countMutex(all, bit, ld, rd, mutex, words);
        break;
      case "lock-hand":
        countLocked(all, bit, ld, rd, words);
        break;
      case "atomicx":
        countAtomicx(all, bit, ld, rd, total);
        break;
      case "atomics":
        countAtomics(all, bit, ld, rd, words);
        break;
    }
  }
  if (variant === "local-atomic") total.add(found);
  if (variant === "local-lock") {
    using _ = mutex.lock();
    words[LOCKED_TOTAL] += found;
  }
  const local = variant === "local-atomic" || variant === "local-lock";
  reply({ columns, found: local ? found : -1 } satisfies RunReply);
});
