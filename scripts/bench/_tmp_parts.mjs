const { Mutex } = await import("../../mod.ts");
const TASKS = 8; const tm = new Mutex();
const run = async (name, lock) => { let best = 0; for (let r = 0; r < 5; r++) { const n = 400000; let count = 0; const each = n / TASKS; const t = performance.now();
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) { const g = await lock(); count++; g.unlock(); } }));
  best = Math.max(best, n / (performance.now() - t) * 1000); } console.log(name, Math.round(best)); };
{ let busy = false; const q = []; const g = { unlock() { const n = q.shift(); if (n) n(); else busy = false; } };
  await run("floor+guard-obj", () => busy ? new Promise((r) => q.push(() => r(g))) : (busy = true, Promise.resolve(g))); }
{ let busy = false; const q = []; class G { constructor(){ this.m = 1; } unlock() { if (!this.m) return; this.m = 0; const n = q.shift(); if (n) n(); else busy = false; } }
  await run("floor+new-guard", () => busy ? new Promise((r) => q.push(() => r(new G()))) : (busy = true, Promise.resolve(new G()))); }
await run("ours", () => tm.lockAsync());
