// A module Worker of the page: it imports the package's browser entry by relative URL (module
// Workers do not see the page's import map), rebuilds the atomics from their handles and updates
// them; for the wait check it stores and notifies; for the lock check it increments a plain
// counter under a Mutex.
import { AtomicFloat, AtomicInt, Mutex } from "/node_modules/atomicx/entry.js";

self.onmessage = (event) => {
  const { task } = event.data;
  if (task === "count") {
    const count = AtomicInt.from(event.data.count);
    const sum = AtomicFloat.from(event.data.sum);
    for (let i = 0; i < event.data.rounds; i++) {
      count.inc();
      sum.add(0.25);
    }
    self.postMessage("done");
  } else if (task === "lock") {
    const mutex = Mutex.from(event.data.mutex);
    const plain = new Int32Array(event.data.data);
    for (let i = 0; i < event.data.rounds; i++) {
      const guard = mutex.lock();
      plain[0] = plain[0] + 1;
      guard.unlock();
    }
    self.postMessage("done");
  } else if (task === "notify") {
    const flag = AtomicInt.from(event.data.flag);
    // Until the page is waiting, a notify would find no waiter: keep storing and notifying until
    // one was woken.
    flag.store(1);
    const poke = () => (flag.notify() > 0 ? self.postMessage("woke") : setTimeout(poke, 5));
    poke();
  }
};
