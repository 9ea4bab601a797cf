// The page: Workers share an AtomicInt and an AtomicFloat and must reach exact totals; waitAsync
// The page: Workers share an AtomicInt and an AtomicFloat and must reach exact totals; waitAsync
// resolves on the page's main thread; a blocking wait there is refused with a clear error; Workers
// contend on a Mutex around a plain (non-atomic) counter, with the page's main thread taking it
// through lockAsync in between; the browser entry exports every in-process lock; info() names the
// browser. The results go to `globalThis.results` for the test driver. The test also bundles this
// file and worker.js with esbuild (importing "atomicx") and runs the bundle.
import * as atomicx from "/node_modules/atomicx/entry.js";

const { AtomicFloat, AtomicInt, Mutex, info } = atomicx;

const WORKERS = 4;
const ROUNDS = 20_000;
const results = [];
const record = (name, ok, detail = "") => results.push({ name, ok, detail: String(detail) });

const worker = () => new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const reply = (w) => new Promise((resolve) => (w.onmessage = (event) => resolve(event.data)));

try {
  record("cross-origin isolated", self.crossOriginIsolated === true, self.crossOriginIsolated);
  const report = info();
  record(
    'info() from the browser entry: runtime "browser", no native library',
    report.runtime === "browser" && report.native.loaded === false,
    JSON.stringify(report),
  );

  const count = new AtomicInt(0);
  const sum = new AtomicFloat(0);
  const workers = Array.from({ length: WORKERS }, worker);
  const replies = workers.map(reply);
  for (const w of workers) {
    w.postMessage({ task: "count", count: count.handle, sum: sum.handle, rounds: ROUNDS });
  }
  await Promise.all(replies);
  record(
    `${WORKERS} Workers × ${ROUNDS} AtomicInt.inc`,
    count.load() === WORKERS * ROUNDS,
    count.load(),
  );
  record(
    `${WORKERS} Workers × ${ROUNDS} AtomicFloat.add(0.25)`,
    sum.load() === WORKERS * ROUNDS * 0.25,
    sum.load(),
  );
  for (const w of workers) w.terminate();

  const flag = new AtomicInt(0);
  const notifier = worker();
  const woke = reply(notifier);
  const waited = flag.waitAsync(0, 30_000);
  notifier.postMessage({ task: "notify", flag: flag.handle });
  const result = await waited;
  record("waitAsync on the main thread resolves when a Worker notifies", result === "ok", result);
  record("the Worker's notify woke it", (await woke) === "woke");
  notifier.terminate();

  try {
    flag.wait(1, 10);
    record("blocking wait on the main thread is refused", false, "it returned");
  } catch (error) {
    record(
      "blocking wait on the main thread is refused with a clear error",
      /main thread|waitAsync/i.test(String(error?.message)),
      error?.message,
    );
  }

  const locks = [
    "Mutex",
    "MutexGuard",
    "RwLock",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "Condition",
    "Semaphore",
    "Permit",
    "Latch",
    "Barrier",
    "Once",
  ];
  const missing = locks.filter((name) => typeof atomicx[name] !== "function");
  record("the browser entry exports every in-process lock", missing.length === 0, missing);

  // Workers contend on a Mutex around a plain Int32Array element; the main thread takes the lock
  // with lockAsync meanwhile (it may not block) and adds its own increments.
  const mutex = new Mutex();
  const data = new SharedArrayBuffer(4);
  const plain = new Int32Array(data);
  const lockers = Array.from({ length: WORKERS }, worker);
  const done = lockers.map(reply);
  for (const w of lockers) {
    w.postMessage({ task: "lock", mutex: mutex.handle, data, rounds: ROUNDS });
  }
  const MAIN_ROUNDS = 200;
  for (let i = 0; i < MAIN_ROUNDS; i++) {
    const guard = await mutex.lockAsync({ timeout: 60_000 });
    plain[0] = plain[0] + 1;
    guard.unlock();
  }
  await Promise.all(done);
  record(
    `${WORKERS} Workers × ${ROUNDS} Mutex.lock + ${MAIN_ROUNDS} lockAsync on the main thread, plain counter exact`,
    plain[0] === WORKERS * ROUNDS + MAIN_ROUNDS && !mutex.locked,
    plain[0],
  );
  for (const w of lockers) w.terminate();
} catch (error) {
  record("the page ran", false, error?.stack ?? error);
}
globalThis.results = results;
