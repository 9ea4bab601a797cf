/**
 * Long-lived Workers started the same way on Deno, Bun and Node, talked to by messages. Unlike
 * tests/support/workers.ts (one task, then terminate), the demo keeps one pool for every run, so
 * Worker start-up is paid once and never timed.
 *
 * @module
 */

import process from "node:process";

const isWeb = "Deno" in globalThis || "Bun" in globalThis;

/** One Worker of the pool: send it messages, await its replies in order. */
export interface PoolWorker {
  send(message: unknown): void;
  /** The Worker's next message (rejects if the Worker fails). */
  next(): Promise<unknown>;
  terminate(): Promise<void>;
}

/** A queue of messages and of callers waiting for one. */
function mailbox() {
  const messages: unknown[] = [];
  const waiting: { resolve(value: unknown): void; reject(error: unknown): void }[] = [];
  let failure: unknown;
  return {
    put(message: unknown) {
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(message);
      else messages.push(message);
    },
    fail(error: unknown) {
      failure = error;
      for (const waiter of waiting.splice(0)) waiter.reject(error);
    },
    take(): Promise<unknown> {
      if (messages.length > 0) return Promise.resolve(messages.shift());
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

/** Starts one Worker running `script` and waits for its first message (it is ready). */
async function startWorker(script: URL): Promise<PoolWorker> {
  const box = mailbox();
  let worker: PoolWorker;
  if (isWeb) {
    const web = new Worker(script, { type: "module" });
    web.onmessage = (event: MessageEvent) => box.put(event.data);
    web.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      box.fail(new Error(`Worker ${script.pathname} failed: ${event.message}`));
    };
    worker = {
      send: (message) => web.postMessage(message),
      next: () => box.take(),
      terminate: () => Promise.resolve(web.terminate()),
    };
  } else {
    const { Worker: NodeWorker } = await import("node:worker_threads");
    // The boot file registers tsx where Node cannot run TypeScript itself, then imports `script`.
    const boot = new URL("../../tests/support/node_worker_boot.mjs", import.meta.url);
    const node = new NodeWorker(boot, { workerData: { script: script.href } });
    node.on("message", (message: unknown) => box.put(message));
    node.on("error", (error: Error) => box.fail(error));
    worker = {
      send: (message) => node.postMessage(message),
      next: () => box.take(),
      terminate: async () => void await node.terminate(),
    };
  }
  await worker.next(); // "ready": messages sent from now on reach the handler
  return worker;
}

/** Starts `count` Workers running `script`, all ready to take messages. */
export function startWorkers(script: URL, count: number): Promise<PoolWorker[]> {
  return Promise.all(Array.from({ length: count }, () => startWorker(script)));
}

/**
 * Worker side: calls `handler` for every message, passing a function that posts a reply, and
 * tells the parent it is ready.
 */
export async function serve(
  handler: (message: unknown, reply: (message: unknown) => void) => void,
): Promise<void> {
  if (isWeb) {
    const scope = globalThis as unknown as {
      onmessage: ((event: MessageEvent) => void) | null;
      postMessage(data: unknown): void;
    };
    const reply = (message: unknown) => scope.postMessage(message);
    scope.onmessage = (event) => handler(event.data, reply);
    reply("ready");
    return;
  }
  const { parentPort } = await import("node:worker_threads");
  const reply = (message: unknown) => parentPort!.postMessage(message);
  parentPort!.on("message", (message) => handler(message, reply));
  reply("ready");
}

/** Writes `text` to stdout without a newline (progress), on every runtime. */
export function progress(text: string): void {
  process.stdout.write(text);
}
