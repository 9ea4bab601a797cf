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

/** A Lua script with its SHA-1 (computed once, on first use). */
export class Script {
  readonly #source: string;
  #sha: string | undefined;

  constructor(source: string) {
    this.#source = source;
  }

  /** Runs the script with `keys` and `args`: one `EVALSHA`, or `EVAL` after `NOSCRIPT`. */
  async run(
    conn: Connection,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<Reply> {
    const sha = this.#sha ??= await sha1(this.#source);
    try {
      return await conn.send(["EVALSHA", sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!String((error as Error)?.message).includes("NOSCRIPT")) throw error;
      return await conn.send(["EVAL", this.#source, keys.length, ...keys, ...args]);
    }
  }
}
