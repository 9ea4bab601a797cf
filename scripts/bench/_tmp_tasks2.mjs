const { Mutex } = await import("../../mod.ts");
const { Mutex: AsyncMutex } = await import("async-mutex");
const TASKS = 8;
const web = globalThis.navigator?.locks;
const tm = new Mutex(), tam = new AsyncMutex();
async function ours(n) { let count = 0; const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) { const g = await tm.lockAsync(); count++; g.unlock(); } }));
  if (count !== n) throw 1; }
async function am(n) { let count = 0; const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) { const r = await tam.acquire(); count++; r(); } }));
  if (count !== n) throw 1; }
async function wl(n) { let count = 0; const each = n / TASKS; const fn = () => { count++; };
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) await web.request("x", fn); }));
  if (count !== n) throw 1; }
const rate = async (n, f) => { const t = performance.now(); await f(n); return n / (performance.now() - t) * 1000; };
for (let r = 0; r < 5; r++) {
  const a = await rate(400000, ours), b = await rate(400000, am), c = web ? await rate(20000, wl) : 0;
  console.log(Math.round(a), Math.round(b), Math.round(c), (a/b).toFixed(2), c ? (a/c).toFixed(1) : "-");
}
