/**
 * Waiting on an atomic without blocking the JavaScript thread, on every FFI.
 *
 * - Deno and koffi run the blocking native wait on another thread themselves (Deno's `nonblocking`
 *   symbols use its blocking thread pool; koffi's `.async` its worker threads) and settle a Promise.
 * - `bun:ffi` and `node:ffi` cannot call off-thread, so `atomicx_wait_spawn` runs the wait on a
 *   native thread that writes `[token, result]` to a pipe when it ends; one pending asynchronous
 *   `read` of that pipe (node:fs, which Bun implements too) resolves the Promises. Nothing polls:
 *   while waits are pending exactly one read sleeps in the runtime's I/O thread pool.
 *
 * @module
 */

import { native } from "./mod.ts";
import { nonblockingFunction } from "./symbols.ts";

/** What can wait: `AtomicInt` (64-bit), `AtomicBool` (32-bit) and a lock word (32-bit, exact). */
export type WaitKind = "int" | "bool" | "word";

/** Result code for "the region was closed" (as `atomicx_i64_wait` returns it). */
export const WAIT_CLOSED = 3;

const out = new Float64Array(new SharedArrayBuffer(32));
const outAddress = native.addressOf(out);

interface Pipe {
  readonly readFd: number;
  readonly writeFd: number;
  readonly pending: Map<number, (result: number) => void>;
  reading: boolean;
  nextToken: number;
}
let pipe: Pipe | undefined;

/** The pipe the native waiter threads report to, created on first use (per thread). */
function ensurePipe(): Pipe {
  if (pipe) return pipe;
  const status = native.atomicx_pipe(outAddress);
  if (status !== 0) {
    throw new Error(`atomicx: could not create the pipe for waitAsync (status ${status})`);
  }
  pipe = { readFd: out[0], writeFd: out[1], pending: new Map(), reading: false, nextToken: 1 };
  return pipe;
}

/** Keeps one read of the pipe pending while any wait is. */
async function pump(p: Pipe): Promise<void> {
  if (p.reading) return;
  p.reading = true;
  const { read } = await import("node:fs");
  const buffer = new Uint8Array(16 * 64);
  let carry = new Uint8Array(0);
  const step = () => {
    if (p.pending.size === 0) {
      p.reading = false;
      return;
    }
    read(p.readFd, buffer, 0, buffer.length, null, (error, n) => {
      if (error) {
        p.reading = false;
        for (const resolve of p.pending.values()) resolve(-1);
        p.pending.clear();
        return;
      }
      const bytes = new Uint8Array(carry.length + n);
      bytes.set(carry);
      bytes.set(buffer.subarray(0, n), carry.length);
      const whole = bytes.length - (bytes.length % 16);
      const view = new DataView(bytes.buffer, 0, whole);
      for (let i = 0; i < whole; i += 16) {
        const token = view.getFloat64(i, true);
        const result = view.getFloat64(i + 8, true);
        const resolve = p.pending.get(token);
        p.pending.delete(token);
        resolve?.(result);
      }
      carry = bytes.slice(whole);
      step();
    });
  };
  step();
}

/**
 * Starts an asynchronous wait on the atomic at `address` while it holds `expected` (the native
 * encoding: a safe integer, or 0/1), at most `timeoutMs` (Infinity: forever). `region` is 0, or the
 * open region holding the atomic: it gets one more native reference for the wait's duration, so
 * closing the region never unmaps memory a waiter reads. Resolves to the native result code.
 */
export function startWait(
  kind: WaitKind,
  address: number,
  expected: number,
  timeoutMs: number,
  region: number,
): Promise<number> {
  if (region !== 0 && native.atomicx_shm_retain(region) !== 0) {
    return Promise.resolve(WAIT_CLOSED);
  }
  const nonblocking = nonblockingFunction(
    native,
    kind === "int"
      ? "atomicx_i64_wait"
      : kind === "word"
      ? "atomicx_word_wait"
      : "atomicx_bool_wait",
  );
  if (nonblocking) return nonblocking(address, expected, timeoutMs, region, 1);
  let p: Pipe;
  try {
    p = ensurePipe();
  } catch (error) {
    if (region !== 0) native.atomicx_shm_release(region);
    return Promise.reject(error);
  }
  const token = p.nextToken++;
  const status = native.atomicx_wait_spawn(
    kind === "int" ? 1 : kind === "word" ? 5 : 3,
    address,
    expected,
    timeoutMs,
    region,
    p.writeFd,
    token,
  );
  if (status !== 0) {
    return Promise.reject(
      new Error(`atomicx: could not start a native waiter thread (status ${status})`),
    );
  }
  const done = new Promise<number>((resolve) => p.pending.set(token, resolve));
  void pump(p);
  return done;
}
