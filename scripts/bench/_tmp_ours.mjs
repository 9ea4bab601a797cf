const { Mutex } = await import("../../mod.ts");
const TASKS = 8; const tm = new Mutex();
async function ours(n) { let count = 0; const each = n / TASKS;
  await Promise.all(Array.from({ length: TASKS }, async () => { for (let i = 0; i < each; i++) { const g = await tm.lockAsync(); count++; g.unlock(); } })); }
for (let r = 0; r < 10; r++) await ours(400000);
