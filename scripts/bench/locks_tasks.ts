// Eight async tasks of one thread taking one lock in turn: each awaits the lock, bumps a plain
// counter, releases, and asks again. `Mutex.lockAsync` against the Web Locks API
// (`navigator.locks.request`, where the runtime has it: Node 24+, Deno), async-mutex (where it
// resolves: Node) and the floor — a bare in-thread FIFO of resolvers, the least an async lock
// can do. Paired rounds (all contenders in each round, in turn); prints one JSON line with the
// best rate of each and the median per-round ratios.
//
//   deno run -A scripts/bench/locks_tasks.ts [rounds]     (locks.mjs runs it on Deno and Node)
import { Mutex } from "../../mod.ts";

const TASKS = 8;
const N = 320_000;
const N_WEB = 16_000;
const rounds = Number(
  (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
    (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 7,
);

type Run = (n: number) => Promise<void>;

/** `TASKS` tasks, `n` acquisitions in all, through `acquireRelease` (which bumps `count`). */
async function inTurn(n: number, once: (bump: () => void) => Promise<void>): Promise<void> {
  let count = 0;
  const bump = () => void count++;
  const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => {
    for (let i = 0; i < each; i++) await once(bump);
  }));
  if (count !== n) throw new Error(`counted ${count}, not ${n}`);
}

const mutex = new Mutex();
const ours: Run = async (n) => {
  let count = 0;
  const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => {
    for (let i = 0; i < each; i++) {
      const guard = await mutex.lockAsync();
      count++;
      guard.unlock();
    }
  }));
  if (count !== n) throw new Error(`counted ${count}, not ${n}`);
};

let busy = false;
const waiting: (() => void)[] = [];
const floor: Run = async (n) => {
  let count = 0;
  const each = n / TASKS;
  const lock = () =>
    busy ? new Promise<void>((resolve) => waiting.push(resolve)) : (busy = true, Promise.resolve());
  const unlock = () => {
    const next = waiting.shift();
    if (next === undefined) busy = false;
    else next();
  };
  await Promise.all(Array.from({ length: TASKS }, async () => {
    for (let i = 0; i < each; i++) {
      await lock();
      count++;
      unlock();
    }
  }));
  if (count !== n) throw new Error(`counted ${count}, not ${n}`);
};

type WebLocks = { request(name: string, fn: () => void): Promise<void> };
const webLocks = (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks;
const web: Run | undefined = webLocks &&
  ((n) => inTurn(n, (bump) => webLocks.request("atomicx-bench-tasks", bump)));

let asyncMutex: Run | undefined;
let asyncMutexVersion: string | undefined;
try {
  const { Mutex: AsyncMutex } = await import("async-mutex");
  const am = new AsyncMutex();
  asyncMutex = async (n) => {
    let count = 0;
    const each = n / TASKS;
    await Promise.all(Array.from({ length: TASKS }, async () => {
      for (let i = 0; i < each; i++) {
        const release = await am.acquire();
        count++;
        release();
      }
    }));
    if (count !== n) throw new Error(`counted ${count}, not ${n}`);
  };
  asyncMutexVersion = "found";
} catch {
  // Not resolvable here (Deno without the bench packages): measured on Node only.
}

async function rate(n: number, run: Run): Promise<number> {
  const t0 = performance.now();
  await run(n);
  return (n / (performance.now() - t0)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = { ours: 0, floor: 0, web: 0, asyncMutex: 0 };
const ratios = { web: [] as number[], asyncMutex: [] as number[], floor: [] as number[] };
await ours(N / 4); // warm up
for (let r = 0; r < rounds; r++) {
  const o = await rate(N, ours);
  const f = await rate(N, floor);
  best.ours = Math.max(best.ours, o);
  best.floor = Math.max(best.floor, f);
  ratios.floor.push(o / f);
  if (web !== undefined) {
    const w = await rate(N_WEB, web);
    best.web = Math.max(best.web, w);
    ratios.web.push(o / w);
  }
  if (asyncMutex !== undefined) {
    const a = await rate(N, asyncMutex);
    best.asyncMutex = Math.max(best.asyncMutex, a);
    ratios.asyncMutex.push(o / a);
  }
}
console.log(JSON.stringify({
  rounds,
  best,
  median: {
    web: ratios.web.length ? median(ratios.web) : 0,
    asyncMutex: ratios.asyncMutex.length ? median(ratios.asyncMutex) : 0,
    floor: median(ratios.floor),
  },
  spread: {
    web: ratios.web.length ? [Math.min(...ratios.web), Math.max(...ratios.web)] : [],
  },
  asyncMutex: asyncMutexVersion !== undefined,
}));
