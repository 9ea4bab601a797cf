// Typechecked by tsc against the installed package's .d.ts: it fails if a declaration is missing
// (every `@ts-expect-error` below needs real types to be an error, and the imports must resolve).
import {
  AtomicBigInt,
  AtomicBool,
  AtomicFloat,
  type AtomicHandle,
  AtomicInt,
  type AtomicKind,
  type BufferHandle,
} from "atomicx";

const counter: AtomicInt = new AtomicInt(1);
const previous: number = counter.add(2);
const [exchanged, actual]: [boolean, number] = counter.compareExchange(3, 4);
const big: bigint = new AtomicBigInt(5n).mul(2n);
const flipped: boolean = new AtomicBool().flip();
const max: number = new AtomicFloat(1.5).fetchMax(2.5);
const handle: AtomicHandle<"int"> = counter.handle;
const kind: AtomicKind = handle.kind;
const buffer: SharedArrayBuffer = (handle as unknown as BufferHandle<"int">).buffer;
const same: AtomicInt = AtomicInt.from(handle);
// @ts-expect-error a handle is typed by kind: an int handle is not a float's
AtomicFloat.from(handle);
const next: number = same.update((v) => v + 1);

// @ts-expect-error AtomicInt takes numbers
new AtomicInt("1");
// @ts-expect-error AtomicBigInt takes bigints
new AtomicBigInt(1).add(1);
// @ts-expect-error AtomicBool takes booleans
new AtomicBool(1);
// @ts-expect-error AtomicFloat has no bitwise operations
new AtomicFloat().fetchAnd(1);
// @ts-expect-error a handle's kind is one of four
const wrong: AtomicKind = "double";

export { actual, big, buffer, exchanged, flipped, kind, max, next, previous, wrong };
