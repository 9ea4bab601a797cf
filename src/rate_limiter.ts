/**
 * `RegionRateLimiter`: per-key rate limits shared by every process and Worker that opens the same
 * region, with the semantics of the Redis limiter (GCRA, the generic cell rate algorithm: a bucket
 * of `limit` tokens per key, refilled at `limit` per `windowMs`, a fresh key allowing `limit` at
 * once).
 *
 * How it is kept, and why:
 *
 * - Time is counted in whole *intervals* (`windowMs / limit`) since the Unix epoch, never in
 *   rounded microseconds: one token comes back at each interval boundary, so the rate is exactly
 *   `limit` per `windowMs` whatever the division leaves over (rounding the interval to a whole
 *   microsecond, as a µs clock would need, changes the rate).
 * - A key's bucket is one word of an `AtomicIntArray` in the region: 16 bits of the key's hash
 *   (its fingerprint, never 0) and 37 bits of its "theoretical arrival time" (TAT, the interval at
 *   which the bucket is full again) modulo 2^37. Only TATs in `(now, now + 2·limit]` are live; any
 *   other word (0, or a TAT that has passed) is a full bucket, i.e. a free entry. So a key holds
 *   an entry only while its bucket is not full, and any number of distinct keys pass through a
 *   table sized for the keys active at once. Every change is one `compareExchange` on that word:
 *   a process killed between two operations leaves a consistent word, never a held lock.
 * - A key lives in the first entry of its probe window (8 entries from `hash mod keys`) that holds
 *   its fingerprint or is free. Two processes that place a new key at once in two entries (a
 *   neighbour expired in between) are folded together by the next take that sees both: the later
 *   entry's tokens are added to the earlier one, so no token is given twice. (That fold is the
 *   one two-step change: a process killed between emptying the later entry and recording its
 *   tokens gives those tokens back — only in that race, and never a stuck word.)
 * - When all 8 entries of a window hold other live keys, the take goes to the table's one shared
 *   overflow bucket (with the same limit): under more active keys than the table holds, those
 *   keys share one budget — they are refused more, never allowed more, and `take` never throws. A
 *   key later placed in an entry starts with the overflow bucket's debt, so a key never gets more
 *   than `limit` per window by moving. `overflowed` counts such takes (size `keys` so it stays 0).
 *
 * Everything imprecise errs towards refusing: two live keys of one window with the same 16-bit
 * fingerprint share a bucket, and a word left untouched for 2^37 intervals can look live for at
 * most `2·limit` of them.
 *
 * Another program can write the region: a table word no limiter writes (negative, or beyond the
 * safe integers, which no compare-exchange could name) is reset to a free entry when a take meets
 * it (`wellFormed`), so `take` never throws for it; a tampered count reads as 0.
 *
 * @module
 */

import { describe, isWellFormedName, notSafeInteger } from "./_errors.ts";
import type { AtomicIntArray } from "./arrays/int.ts";
import type { RateDecision } from "./rate_decision.ts";

export type { RateDecision } from "./rate_decision.ts";

/**
 * Options of {@link SharedMemory.rateLimiter}.
 *
 * @example 100 requests a second per client, up to 4096 clients active at once
 * ```ts
 * import type { RegionRateLimiterOptions } from "@atomicx/atomicx";
 *
 * const options: RegionRateLimiterOptions = { limit: 100, windowMs: 1_000, keys: 4096 };
 * ```
 */
export interface RegionRateLimiterOptions {
  /** Tokens in a full bucket: requests allowed at once, and per window (a positive integer). */
  readonly limit: number;
  /**
   * A whole bucket refills in this many milliseconds: at least 1, a whole number of microseconds,
   * and at least one microsecond per token (`limit ≤ windowMs × 1000`).
   */
  readonly windowMs: number;
  /**
   * Entries of the table (default 1024): how many keys can hold tokens at once. A key holds an
   * entry only until its bucket is full again (one interval after a single take). 16 entries take
   * one region slot. Fixed when the limiter is first made in the region.
   */
  readonly keys?: number;
  /** @internal the clock, in microseconds since the epoch (tests). */
  readonly clock?: () => number;
}

/** Words before the table: limit, window (µs), the overflow bucket, overflowed takes. */
const HEADER = 4;
const LIMIT = 0;
const WINDOW = 1;
const OVERFLOW = 2;
const OVERFLOWED = 3;
/** The fingerprint part of the overflow bucket's word (any nonzero one: its word is never 0). */
const OVERFLOW_OWNER = 1;
/** Entries a key may live in, from its home entry on. */
const PROBES = 8;
/** The TAT part of a word: 37 bits; the fingerprint takes the 16 above it (53 in all). */
const MOD = 2 ** 37;
const DEFAULT_KEYS = 1024;
const MAX_KEYS = 1 << 20;
const MAX_KEY_LENGTH = 1024;
/** Longest limiter name in UTF-8 bytes: a slot name has 48, the prefix takes 5. */
const MAX_NAME_BYTES = 43;
const PREFIX = "rate:";
const encoder = new TextEncoder();

/** Microseconds since the epoch, on the clock every process of the machine shares. */
const nowMicros = (): number => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/**
 * A rate limiter whose buckets live in a `SharedMemory` region, exact across every process and
 * Worker of the machine that opens it. Made by {@link SharedMemory.rateLimiter}.
 *
 * @example 100 requests a second per client IP
 * ```ts
 * import { SharedMemory } from "@atomicx/atomicx";
 *
 * using region = SharedMemory.open("rate-limiter-class-demo");
 * const limiter = region.rateLimiter("api", { limit: 100, windowMs: 1_000 });
 * const { allowed, remaining, retryAfterMs } = limiter.take("203.0.113.7");
 * console.log(allowed, remaining, retryAfterMs); // true 99 0 (on a fresh key)
 * SharedMemory.unlink("rate-limiter-class-demo");
 * ```
 */
export class RegionRateLimiter {
  /** The limiter's name in its region. */
  readonly name: string;
  /** Tokens in a full bucket. */
  readonly limit: number;
  /** Milliseconds in which a whole bucket refills. */
  readonly windowMs: number;
  /** Entries of the table: keys that can hold tokens at once. */
  readonly keys: number;
  readonly #table: AtomicIntArray;
  readonly #window: number; // µs
  readonly #clock: () => number;

  /** @internal made by {@link SharedMemory.rateLimiter}. */
  constructor(
    name: string,
    options: Required<Omit<RegionRateLimiterOptions, "clock">> & { clock: () => number },
    table: AtomicIntArray,
  ) {
    this.name = name;
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.keys = options.keys;
    this.#window = Math.round(options.windowMs * 1000);
    this.#clock = options.clock;
    this.#table = table;
  }

  /**
   * Takes `n` tokens (default 1) from `key`'s bucket if it has them. Never throws for a full
   * table (see the module notes: keys beyond it share one overflow bucket).
   *
   * @example One decision
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("rate-limiter-take-demo");
   * const limiter = region.rateLimiter("login", { limit: 3, windowMs: 60_000 });
   * for (let i = 0; i < 4; i++) console.log(limiter.take("alice").allowed); // true ×3, then false
   * SharedMemory.unlink("rate-limiter-take-demo");
   * ```
   * @throws {TypeError} if `key` is not a string or `n` not a number
   * @throws {RangeError} if `key` is empty or over 1024 characters, or `n` is not an integer from
   *   1 to `limit` (nothing is taken)
   * @throws {Error} if the region is closed
   */
  take(key: string, n: number = 1): RateDecision {
    const where = "RegionRateLimiter.take";
    if (typeof key !== "string") {
      throw new TypeError(`${where}: the key must be a string, got ${describe(key)}`);
    }
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new RangeError(
        `${where}: the key must have 1 to ${MAX_KEY_LENGTH} characters, got ${key.length}`,
      );
    }
    if (!Number.isSafeInteger(n)) throw notSafeInteger(`${where}: n`, n);
    const limit = this.limit;
    if (n < 1 || n > limit) {
      throw new RangeError(`${where}: n must be 1 to ${limit} (the limit), got ${n}`);
    }
    // One pass over the key: the home entry from one hash, the fingerprint from another.
    let h1 = 0x811c9dc5, h2 = 0x9e3779b9;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    const fingerprint = ((h2 ^ (h2 >>> 16)) & 0xffff) || 1;
    const home = (h1 >>> 0) % this.keys;

    const micros = this.#clock();
    const now = this.#intervalAt(micros);
    const nowMod = now % MOD;
    const band = 2 * limit; // live TATs: (now, now + band]
    const table = this.#table;
    const keys = this.keys;
    let folded = 0; // tokens of duplicate entries of this key already emptied into this take
    let counted = false; // this take was counted in `overflowed`
    for (;;) {
      let match = -1, matchWord = 0, matchAhead = 0, free = -1, freeWord = 0;
      for (let p = 0; p < PROBES && p < keys; p++) {
        const at = HEADER + (home + p) % keys;
        const word = wellFormed(table, at);
        const owner = Math.floor(word / MOD);
        const ahead = (word - owner * MOD - nowMod + MOD) % MOD; // TAT − now, modulo 2^37
        if (word === 0 || ahead === 0 || ahead > band) {
          if (free < 0) free = at, freeWord = word;
        } else if (owner === fingerprint) {
          if (match < 0) {
            match = at, matchWord = word, matchAhead = ahead;
          } else if (table.compareExchange(at, word, 0)[0]) {
            folded += ahead; // a second entry of this key (placed at once by two processes)
          }
        }
      }
      let at: number, expected: number, ahead: number, owner: number;
      if (match >= 0) {
        at = match, expected = matchWord, ahead = matchAhead, owner = fingerprint;
      } else if (free >= 0) {
        // A new entry starts with the overflow bucket's debt (see the module notes).
        at = free, expected = freeWord, owner = fingerprint;
        ahead = this.#ahead(wellFormed(table, OVERFLOW), nowMod, band);
      } else {
        if (!counted) countOverflow(table), counted = true;
        at = OVERFLOW, expected = wellFormed(table, OVERFLOW), owner = OVERFLOW_OWNER;
        ahead = this.#ahead(expected, nowMod, band);
      }
      const start = Math.min(ahead + folded, band); // TAT − now before this take
      const allowed = start + n <= limit;
      const next = allowed ? start + n : start;
      if (!allowed && next === ahead) return this.#refused(start, n, now, micros); // nothing to record
      if (table.compareExchange(at, expected, owner * MOD + (now + next) % MOD)[0]) {
        if (!allowed) return this.#refused(start, n, now, micros);
        return { allowed: true, remaining: limit - next, retryAfterMs: 0 };
      }
      // Another process changed the word first: decide again on what it left.
    }
  }

  /**
   * How many takes went to the shared overflow bucket because every entry of their window held
   * another live key, by every process since the limiter was made (0 while `keys` is enough).
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@atomicx/atomicx";
   *
   * using region = SharedMemory.open("rate-limiter-overflowed-demo");
   * const limiter = region.rateLimiter("api", { limit: 10, windowMs: 1_000 });
   * limiter.take("a");
   * console.log(limiter.overflowed); // 0
   * SharedMemory.unlink("rate-limiter-overflowed-demo");
   * ```
   */
  get overflowed(): number {
    const count = this.#table.load(OVERFLOWED);
    return isWord(count) ? count : 0;
  }

  /** The decision for a take of `n` refused with the bucket at TAT = now + `start`. */
  #refused(start: number, n: number, now: number, micros: number): RateDecision {
    // The tokens are back at interval `now + start + n − limit`: its first microsecond, exactly.
    const ready = now + start + n - this.limit;
    const whole = Math.floor(ready / this.limit);
    const readyMicros = whole * this.#window +
      Math.ceil(((ready - whole * this.limit) * this.#window) / this.limit);
    return {
      allowed: false,
      remaining: Math.max(0, this.limit - start),
      retryAfterMs: Math.max(1, Math.ceil((readyMicros - micros) / 1000)),
    };
  }

  /** TAT − now of a word (0 for a full bucket). */
  #ahead(word: number, nowMod: number, band: number): number {
    const owner = Math.floor(word / MOD);
    const ahead = (word - owner * MOD - nowMod + MOD) % MOD;
    return word === 0 || ahead > band ? 0 : ahead;
  }

  /** The interval `micros` falls in, counted from the epoch: ⌊micros · limit / window⌋, exactly. */
  #intervalAt(micros: number): number {
    const window = this.#window;
    const whole = Math.floor(micros / window);
    return whole * this.limit + Math.floor(((micros - whole * window) * this.limit) / window);
  }

  /** `RegionRateLimiter("api", 100 per 1000 ms)`. */
  toString(): string {
    return `RegionRateLimiter(${JSON.stringify(this.name)}, ${this.limit} per ${this.windowMs} ms)`;
  }
}

/** True for a value a limiter may have written: a safe integer from 0 (53 bits at most). */
const isWord = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/**
 * The word at `at`, made well-formed first if another program left one no limiter writes: it is
 * swapped for 0 (a free entry, or a count of 0); a word a take stored between the look and the
 * swap is put back. Loops only while something keeps writing malformed words.
 */
function wellFormed(table: AtomicIntArray, at: number): number {
  for (;;) {
    const word = table.load(at);
    if (isWord(word)) return word;
    const old = table.swap(at, 0);
    if (isWord(old) && old !== 0) table.compareExchange(at, 0, old);
  }
}

/** Counts one take that went to the overflow bucket (stays at 2^53 − 1 rather than throw). */
function countOverflow(table: AtomicIntArray): void {
  for (;;) {
    const count = wellFormed(table, OVERFLOWED);
    if (count === Number.MAX_SAFE_INTEGER) return;
    if (table.compareExchange(OVERFLOWED, count, count + 1)[0]) return;
  }
}

/**
 * Checks a limiter's name and options (before the region is touched): its slot name, and the
 * options with defaults.
 */
export function rateLimiterOptions(
  where: string,
  name: unknown,
  options: unknown,
): {
  slot: string;
  length: number;
  options: Required<Omit<RegionRateLimiterOptions, "clock">> & { clock: () => number };
} {
  if (typeof name !== "string") {
    throw new TypeError(`${where}: the name must be a string, got ${describe(name)}`);
  }
  const bytes = encoder.encode(name).length;
  if (bytes === 0 || bytes > MAX_NAME_BYTES || !isWellFormedName(name)) {
    throw new RangeError(
      `${where}: the name must have 1 to ${MAX_NAME_BYTES} UTF-8 bytes (well-formed), got ${bytes}`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${where}: options { limit, windowMs } are required, got ${describe(options)}`,
    );
  }
  const { limit, windowMs, keys = DEFAULT_KEYS, clock = nowMicros } =
    options as RegionRateLimiterOptions;
  if (!Number.isSafeInteger(limit)) throw notSafeInteger(`${where}: limit`, limit);
  if (limit < 1) throw new RangeError(`${where}: limit must be at least 1, got ${limit}`);
  if (typeof windowMs !== "number") {
    throw new TypeError(`${where}: windowMs must be a number, got ${describe(windowMs)}`);
  }
  const window = windowMs * 1000;
  if (
    !(windowMs >= 1) || !Number.isSafeInteger(window) || window * limit > Number.MAX_SAFE_INTEGER
  ) {
    throw new RangeError(
      `${where}: windowMs must be at least 1 and a whole number of microseconds, with ` +
        `windowMs × 1000 × limit at most 2^53 − 1; got ${windowMs}`,
    );
  }
  if (limit > window) {
    throw new RangeError(
      `${where}: limit ${limit} is more than one token per microsecond of the ${windowMs} ms window`,
    );
  }
  if (!Number.isSafeInteger(keys)) throw notSafeInteger(`${where}: keys`, keys);
  if (keys < 1 || keys > MAX_KEYS) {
    throw new RangeError(`${where}: keys must be 1 to ${MAX_KEYS}, got ${keys}`);
  }
  if (typeof clock !== "function") {
    throw new TypeError(`${where}: clock must be a function, got ${describe(clock)}`);
  }
  return {
    slot: PREFIX + name,
    length: HEADER + keys,
    options: { limit, windowMs, keys, clock },
  };
}

/**
 * Records the limiter's limit and window in its table the first time, or checks that they are the
 * ones recorded: two generations of a program that disagree about a limit use two names.
 */
export function claimRateLimiter(
  where: string,
  name: string,
  table: AtomicIntArray,
  limit: number,
  windowMs: number,
): void {
  const window = Math.round(windowMs * 1000);
  // A process that died between the two exchanges leaves a window of 0: the next one sets it.
  const [, oldLimit] = table.compareExchange(LIMIT, 0, limit);
  const [, oldWindow] = table.compareExchange(WINDOW, 0, window);
  const hasLimit = oldLimit === 0 ? limit : oldLimit;
  const hasWindow = oldWindow === 0 ? window : oldWindow;
  if (hasLimit !== limit || hasWindow !== window) {
    throw new RangeError(
      `${where}: the rate limiter ${JSON.stringify(name)} exists in this region with limit ` +
        `${hasLimit} per ${hasWindow / 1000} ms, not ${limit} per ${windowMs} ms; a limiter's ` +
        "rate is fixed when it is first made (use another name, e.g. with a version, for another rate)",
    );
  }
}
