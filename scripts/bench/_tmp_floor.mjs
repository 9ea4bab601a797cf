const { Mutex } = await import("../../mod.ts");
const TASKS = 8;
const web = globalThis.navigator?.locks;
const tm = new Mutex();
// the least an in-thread FIFO lock can do: a flag and an array of resolvers
let busy = false; const q = [];
const lock = () => busy ? new Promise((r) => q.push(r)) : (busy = true, Promise.resolve());
const unlock = () => { const n = q.shift(); if (n) n(); else busy = false; };
async function floor(n) { let count = 0; const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) { await lock(); count++; unlock(); } })); }
async function ours(n) { let count = 0; const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) { const g = await tm.lockAsync(); count++; g.unlock(); } })); }
async function wl(n) { let count = 0; const each = n / TASKS; const fn = () => { count++; };
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) await web.request("x", fn); })); }
const rate = async (n, f) => { const t = performance.now(); await f(n); return n / (performance.now() - t) * 1000; };
for (let r = 0; r < 5; r++) {
  const a = await rate(400000, ours), b = await rate(400000, floor), c = await rate(20000, wl);
  console.log(Math.round(a), Math.round(b), Math.round(c), (a/b).toFixed(2), (a/c).toFixed(1), (b/c).toFixed(1));
}
