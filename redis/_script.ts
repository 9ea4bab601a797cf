/**
 * A Lua script run the way Redis wants it: `EVALSHA` by its SHA-1, and `EVAL` (which also caches
 * it on the server) when the server answers `NOSCRIPT` — after a restart, a failover or
 * `SCRIPT FLUSH`. Either way one round trip in the common case, and atomic on the server.
 *
 * @module
 */

import type { Connection, Reply } from "./_client.ts";

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
