/**
 * Starting real Workers the same way on Deno, Bun and Node, and giving each one task.
 *
 * @module
 */

const isWeb = "Deno" in globalThis || "Bun" in globalThis;

/** Starts one Worker per task running `script`, sends each its task and resolves to their replies. */
export function runWorkers<T>(script: URL, tasks: unknown[]): Promise<T[]> {
  return Promise.all(tasks.map((task) => runWorker<T>(script, task)));
}

/** Starts a Worker running `script`, sends it `task` and resolves to its one reply. */
export async function runWorker<T>(script: URL, task: unknown): Promise<T> {
  if (isWeb) {
    const worker = new Worker(script, { type: "module" });
    try {
      return await new Promise<T>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent) => resolve(event.data as T);
        worker.onerror = (event: ErrorEvent) => {
          event.preventDefault();
          reject(new Error(`Worker ${script.pathname} failed: ${event.message}`));
        };
        worker.postMessage(task);
      });
    } finally {
      worker.terminate();
    }
  }
  const { Worker: NodeWorker } = await import("node:worker_threads");
  // The boot file registers tsx where Node cannot run TypeScript itself, then imports `script`.
  const worker = new NodeWorker(new URL("./node_worker_boot.mjs", import.meta.url), {
    workerData: { script: script.href },
  });
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.once("message", (data: T) => resolve(data));
      worker.once("error", reject);
      worker.postMessage(task);
    });
  } finally {
    await worker.terminate();
  }
}

/** Worker side: answers the one task this Worker gets with `handler`'s result. */
export async function onTask<T>(handler: (task: T) => unknown): Promise<void> {
  if (isWeb) {
    const scope = globalThis as unknown as {
      onmessage: ((event: MessageEvent) => void) | null;
      postMessage(data: unknown): void;
    };
    scope.onmessage = async (event) => scope.postMessage(await handler(event.data as T));
    return;
  }
  const { parentPort } = await import("node:worker_threads");
  parentPort!.once("message", async (task) => parentPort!.postMessage(await handler(task as T)));
}
