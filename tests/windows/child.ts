// One Windows process of tests/windows/cross.test.ts: `<mode> <region> [n]`; prints JSON lines.
import process from "node:process";
import { SharedMemory } from "../../mod.ts";

const [mode, name, arg] = process.argv.slice(2);
const region = SharedMemory.open(name, { only: "attach" });
const say = (value: unknown) => console.log(JSON.stringify(value));
/** Blocks this thread until the test kills the process. */
const block = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);

switch (mode) {
  case "count": {
    // Atomic adds, and a plain read-then-write that only the region mutex keeps exact.
    const added = region.int("added");
    const plain = region.int("plain");
    const mutex = region.mutex("m");
    const start = region.latch("start", 2);
    start.countDown();
    start.wait({ timeout: 60_000 });
    for (let i = 0; i < Number(arg); i++) {
      added.add(1);
      const guard = mutex.lock();
      plain.store(plain.load() + 1);
      guard.unlock();
    }
    say({ done: true });
    break;
  }
  case "wait": {
    // Sleeps until another process notifies (the value never changes).
    say({ ready: true });
    say({ result: region.int("flag").wait(0, 60_000) });
    break;
  }
  case "hold-mutex": {
    region.mutex("m").lock();
    say({ held: true });
    block();
    break;
  }
  case "hold-permits": {
    region.semaphore("s", 3).acquire(2);
    say({ held: true });
    block();
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
region.close();
