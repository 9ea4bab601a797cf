/**
 * Lua scripts run the way Redis wants them: `EVALSHA` by its SHA-1, and `EVAL` (which also caches
 * it on the server) when the server answers `NOSCRIPT` — after a restart, a failover or
 * `SCRIPT FLUSH`. Either way one round trip in the common case, and atomic on the server.
 *
 * {@link OnceScript} makes a read-modify-write script apply at most once per operation id, and
 * resolves a call whose connection failed (the script may or may not have run) by sending the
 * same id again until a definite answer comes.
 *
 * @module
 */

import type { Connection, Reply } from "./_client.ts";
import { quietTimeout } from "./_timers.ts";

const encoder = new TextEncoder();

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** True if the server did not know the script (`NOSCRIPT`). */
const isNoScript = (error: unknown) => String((error as Error)?.message).includes("NOSCRIPT");

/** A Lua script with its SHA-1 (computed once, when the script is made). */
export class Script {
  readonly #source: string;
  #sha: string | undefined;
  readonly #hashed: Promise<string>;

  constructor(source: string) {
    this.#source = source;
    this.#hashed = sha1(source).then((sha) => (this.#sha = sha));
  }

  /**
   * Runs the script with `keys` and `args`: one `EVALSHA`, or `EVAL` after `NOSCRIPT`. Returns the
   * client's own promise on the common path (no extra async layer: every operation is one round
   * trip, and the benchmarks count what the library adds to it).
   */
  run(
    conn: Connection,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<Reply> {
    const sha = this.#sha;
    if (sha === undefined) return this.#hashed.then(() => this.run(conn, keys, args));
    return conn.send(["EVALSHA", sha, keys.length, ...keys, ...args]).catch((error) =>
      isNoScript(error)
        ? conn.send(["EVAL", this.#source, keys.length, ...keys, ...args])
        : Promise.reject(error)
    );
  }
}

/** How long (server ms) an object remembers its operation ids after its last operation. */
export const OPS_KEEP_MS = 120_000;
/** How many operation ids one generation of an object's table holds (two generations are kept). */
export const OPS_MAX = 10_000;

// The operation table of one object, in two generations: `ops` (the current one) and `ops:prev`
// (the previous; not `opq`, a sorted set in earlier versions), hashes id → the packed result
// (cmsgpack keeps integers up to 2^53 exact; cjson would not). A run looks in both and records in
// the current one; when that holds OPS_MAX ids it becomes the previous one (RENAME, which drops the
// older generation and keeps its expiry). So an id is recognized for at least the next OPS_MAX
// operations on the object, at most 2·OPS_MAX ids are kept, and both keys expire OPS_KEEP_MS after
// the object's last operation: no key per operation, nothing left behind, and four server calls
// besides the body's (no clock, no sorted set).
const ONCE_BEFORE = `
local PREV = table.remove(KEYS)
local OPS = table.remove(KEYS)
local OP = table.remove(ARGV, 1)
local done = redis.call('HGET', OPS, OP) or redis.call('HGET', PREV, OP)
if done then return cmsgpack.unpack(done) end
local function body()
`;
const ONCE_AFTER = `
end
local result = body()
redis.call('HSET', OPS, OP, cmsgpack.pack(result))
if redis.call('HLEN', OPS) >= ${OPS_MAX} then
  redis.call('RENAME', OPS, PREV)
else
  redis.call('PEXPIRE', OPS, ${OPS_KEEP_MS})
end
return result
`;

/**
 * Server errors after which the command did not run and may be sent again. The last one is not
 * the command's own answer: node-redis's reconnect handshake (`CLIENT SETINFO`, unknown before
 * Redis 7.2) can pass its error to a command queued behind it (seen on Bun).
 */
const TRANSIENT =
  /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|READONLY|MASTERDOWN|MOVED|ASK)\b|unknown subcommand 'SETINFO'/;

let base = "";
let sequence = 0;

/** A new operation id: this process's random base and a counter (short: it is stored). */
export function newOpId(): string {
  if (base === "" || sequence >= 2 ** 40) {
    base = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    sequence = 0;
  }
  return base + (sequence++).toString(36);
}

/**
 * A read-modify-write script applied once per operation id. Its body is ordinary script text
 * that ends with `return`; it sees its own KEYS and ARGV (the operation table's keys and the id
 * are taken off before it runs). A call that fails on the connection is sent again with the same
 * id (a resend of a script that ran returns its recorded result) until the server answers or
 * `timeoutMs` has passed; only then does it reject, saying that the effect is unknown.
 */
export class OnceScript {
  readonly #script: Script;

  constructor(body: string) {
    this.#script = new Script(ONCE_BEFORE + body + ONCE_AFTER);
  }

  /** Runs the body once for `id` (default: a new id); `table` is the object's two table keys. */
  run(
    conn: Connection,
    where: string,
    timeoutMs: number,
    table: readonly [string, string],
    keys: readonly string[],
    args: readonly (string | number)[],
    id: string = newOpId(),
  ): Promise<Reply> {
    const all = [...keys, ...table];
    const sent = [id, ...args];
    return untilAnswered(conn, where, timeoutMs, () => this.#script.run(conn, all, sent));
  }
}

/**
 * `run()`'s answer, sent again after a failure of the connection (or a transient server error)
 * until the server answers or `timeoutMs` has passed; then an error saying that the effect is
 * unknown. Only for commands that may run twice (idempotent ones, or a {@link OnceScript}).
 */
export async function untilAnswered<T>(
  conn: Connection,
  where: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (let pause = 5;; pause = Math.min(pause * 2, 200)) {
    try {
      return await run();
    } catch (error) {
      const message = String((error as Error)?.message);
      if (conn.isReply(error) && !TRANSIENT.test(message)) throw error;
      if (performance.now() + pause > until) {
        throw new Error(
          `${where}: ${conn.where} gave no answer within ${timeoutMs} ms (${message}); ` +
            `the operation may or may not have been applied`,
          { cause: error },
        );
      }
      await new Promise((resolve) => quietTimeout(() => resolve(undefined), pause));
    }
  }
}
