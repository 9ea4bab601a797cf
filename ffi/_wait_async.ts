/**
 * Waiting on an atomic without blocking the JavaScript thread, on every FFI.
 *
 * - Deno runs the blocking native wait on its blocking thread pool (`nonblocking` symbols) and
 *   settles a Promise: its `node:fs` cannot read a raw descriptor. Each pending wait holds one
 *   thread of that pool, so a few dozen pending waits delay Deno's own file I/O.
 * - `bun:ffi`, `node:ffi` and koffi use `atomicx_wait_spawn`: the wait runs on a native thread of
 *   its own that writes `[token, result]` to a pipe when it ends. koffi's `.async` is not used:
 *   each pending wait would hold one of libuv's four pool threads, starving file I/O.
 * - On Node the pipe's read end is a `net.Socket`, polled by the event loop itself: no thread-pool
 *   thread is taken, it keeps the process alive only while a wait is pending, and neither
 *   `process.exit()` nor an uncaught exception waits for it. Bun has no `net.Socket` over a file
 *   descriptor; there a `Bun.file(fd)` stream, also polled by the event loop, serves every wait.
 * - The pipe is created on first use and closed as soon as no wait is pending (the native threads
 *   have all written by then), so Workers that used `waitAsync` leave no descriptors behind.
 *
 * A region wait sleeps in slices (see `native/src/wait.rs`), so after `close()` its native thread
 * notices within one slice, reports `WaitCode.CLOSED` and drops its reference to the mapping.
 *
 * @module
 */

import { Kind, Status, WaitCode } from "./_codes.ts";
import { loadNative } from "./mod.ts";
import { builtinModule, os, runtime } from "../engine/_runtime.ts";
import { nonblockingFunction } from "./_symbols.ts";
import { pollWait } from "./_poll_wait.ts";

/** What can wait: `AtomicInt` (64-bit), `AtomicBool` (32-bit) and a lock word (32-bit, exact). */
export type WaitKind = "int" | "bool" | "word";

const out = new Float64Array(new SharedArrayBuffer(32));

/** The part of `node:fs` the pipe needs. */
interface Fs {
  closeSync(fd: number): void;
}
/** The part of `node:net` the pipe needs. */
interface Net {
  Socket: new (options: { fd: number; readable: boolean; writable: boolean }) => PipeSocket;
}
interface PipeSocket {
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "error", listener: (error: unknown) => void): void;
  destroy(): void;
}

// Loaded synchronously (no top-level await) and only where `atomicx_wait_spawn` is used.
const fs: Fs | undefined = runtime === "deno" ? undefined : builtinModule<Fs>("node:fs");
const net: Net | undefined = runtime === "node" ? builtinModule<Net>("node:net") : undefined;

interface Pipe {
  readonly readFd: number;
  readonly writeFd: number;
  readonly pending: Map<number, (result: number) => void>;
  /** The Node reader; `undefined` on Bun. */
  socket?: PipeSocket;
  reading: boolean;
  /** The Bun reader; `undefined` on Node. */
  reader?: PipeReader;
  carry: Uint8Array;
  nextToken: number;
}
let pipe: Pipe | undefined;

/** The pipe the native waiter threads report to, created on first use (per thread). */
function ensurePipe(): Pipe {
  if (pipe) return pipe;
  const native = loadNative();
  const status = native.atomicx_pipe(native.addressOf(out));
  if (status !== Status.OK) {
    throw new Error(`atomicx: could not create the pipe for waitAsync (status ${status})`);
  }
  const p: Pipe = {
    readFd: out[0],
    writeFd: out[1],
    pending: new Map(),
    reading: false,
    carry: new Uint8Array(0),
    nextToken: 1,
  };
  if (net) {
    p.socket = new net.Socket({ fd: p.readFd, readable: true, writable: false });
    p.socket.on("data", (chunk) => deliver(p, chunk));
    p.socket.on("error", (error) => failAll(p, error));
  }
  pipe = p;
  return p;
}

/** Closes the pipe once nothing waits on it. */
function closeIfIdle(p: Pipe): void {
  if (p.pending.size !== 0 || pipe !== p) return;
  pipe = undefined;
  if (p.socket) {
    // Node: both ends are closed by libuv (a pipe handle each). `fs.closeSync` on a descriptor
    // that `node:fs` did not open prints "closed but not opened in unmanaged mode" in a Worker.
    // Every native writer has written by now, so the write end's new non-blocking mode is moot.
    p.socket.destroy();
    new net!.Socket({ fd: p.writeFd, readable: false, writable: false }).destroy();
  } else {
    // Bun: stop reading, then close both ends (a stream of `Bun.file(fd)` leaves `fd` open).
    p.reader?.cancel().catch(() => {});
    fs?.closeSync(p.readFd);
    fs?.closeSync(p.writeFd);
  }
}

/** Resolves every pending wait with a failure and drops the pipe. */
function failAll(p: Pipe, _error: unknown): void {
  for (const resolve of p.pending.values()) resolve(WaitCode.FAILED + Status.UNSUPPORTED);
  p.pending.clear();
  closeIfIdle(p);
}

/** Settles the waits whose `[token, result]` records are in `chunk`. */
function deliver(p: Pipe, chunk: Uint8Array): void {
  const bytes = new Uint8Array(p.carry.length + chunk.length);
  bytes.set(p.carry);
  bytes.set(chunk, p.carry.length);
  const whole = bytes.length - (bytes.length % 16);
  const view = new DataView(bytes.buffer, 0, whole);
  for (let i = 0; i < whole; i += 16) {
    const token = view.getFloat64(i, true);
    const result = view.getFloat64(i + 8, true);
    const resolve = p.pending.get(token);
    p.pending.delete(token);
    resolve?.(result);
  }
  p.carry = bytes.slice(whole);
  closeIfIdle(p);
}

/** The part of a `ReadableStream` reader the Bun pipe needs. */
interface PipeReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/**
 * Bun: reads the pipe while any wait is pending, through a `Bun.file(fd)` stream, which Bun polls
 * on its event loop. (An `fs.read` of a pipe holds a thread of Bun's small I/O pool until data
 * comes: with as many threads waiting as the pool has, every other thread's `fs` call stalls.)
 */
function pump(p: Pipe): void {
  if (p.reading) return;
  const bun = (globalThis as { Bun?: { file(fd: number): { stream(): ReadableStream } } }).Bun!;
  const reader = bun.file(p.readFd).stream().getReader() as unknown as PipeReader;
  p.reading = true;
  p.reader = reader;
  const step = () => {
    reader.read().then(({ done, value }) => {
      if (done || pipe !== p) return;
      deliver(p, value!);
      if (pipe === p) step();
    }, (error) => {
      if (pipe === p) failAll(p, error);
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
  const native = loadNative();
  if (region !== 0 && native.atomicx_shm_retain(region) !== Status.OK) {
    return Promise.resolve(WaitCode.CLOSED);
  }
  const release = () => {
    if (region !== 0) native.atomicx_shm_release(region);
  };
  const nonblocking = nonblockingFunction(
    native,
    kind === "int"
      ? "atomicx_int_wait"
      : kind === "word"
      ? "atomicx_word_wait"
      : "atomicx_bool_wait",
  );
  if (nonblocking) {
    // The native call gives the reference up when it runs; if it never ran, give it up here.
    try {
      return nonblocking(address, expected, timeoutMs, region, 1);
    } catch (error) {
      release();
      return Promise.reject(error);
    }
  }
  // Windows: no pipe the event loop can read from a native thread; poll (see _poll_wait.ts).
  if (os === "win32") {
    const wait = kind === "int"
      ? native.atomicx_int_wait
      : kind === "word"
      ? native.atomicx_word_wait
      : native.atomicx_bool_wait;
    return pollWait(wait, address, expected, timeoutMs, region, release);
  }
  let p: Pipe;
  try {
    p = ensurePipe();
  } catch (error) {
    release();
    return Promise.reject(error);
  }
  const token = p.nextToken++;
  // On failure atomicx_wait_spawn has released the reference itself.
  const status = native.atomicx_wait_spawn(
    Kind[kind],
    address,
    expected,
    timeoutMs,
    region,
    p.writeFd,
    token,
  );
  if (status !== Status.OK) {
    closeIfIdle(p);
    return Promise.reject(
      new Error(`atomicx: could not start a native waiter thread (status ${status})`),
    );
  }
  const done = new Promise<number>((resolve) => p.pending.set(token, resolve));
  if (!p.socket) pump(p);
  return done;
}
