/**
 * The promise of an async acquisition, marked so that using it as the guard it resolves to —
 * `const g = mutex.lockAsync()` without `await`, then `g.unlock()` or `using g = …` — is a
 * `TypeError` that names the missing `await`, and the lock is not left held by it: the guard is
 * released as soon as it arrives (nobody else could release it).
 *
 * @module
 */

/** What a marked promise resolves to: something released by `unlock()` or `release()`. */
type Releasable = { unlock(): void } | { release(): void };

function letGo(held: Releasable): void {
  if ("unlock" in held) held.unlock();
  else held.release();
}

/** The misuse methods for one acquisition (`where`, e.g. "Mutex.lockAsync"), made once each. */
const methods = new Map<string, (this: Promise<Releasable>) => never>();

function misuse(where: string): (this: Promise<Releasable>) => never {
  let f = methods.get(where);
  if (f === undefined) {
    const method = where.slice(where.indexOf(".") + 1);
    f = function (this: Promise<Releasable>): never {
      this.then(letGo, () => {});
      throw new TypeError(
        `${where}() returned a Promise, not a guard: await it first ` +
          `(\`const guard = await ${method}()\`, or \`await using guard = await ${method}()\`); ` +
          "this acquisition is released as soon as it arrives",
      );
    };
    methods.set(where, f);
  }
  return f;
}

/**
 * Marks `p` (the promise of an acquisition named `where`) with the guard's methods — `unlock`
 * (or `release` for a permit), `[Symbol.dispose]`, `[Symbol.asyncDispose]` — each a `TypeError`
 * that says to await first, and each releasing what `p` brings once it arrives.
 */
export function markPending<G extends Releasable>(
  p: Promise<G>,
  where: string,
  release: "unlock" | "release",
): Promise<G> {
  const f = misuse(where);
  const marked = p as unknown as Record<string | symbol, unknown>;
  marked[release] = f;
  if (Symbol.dispose !== undefined) marked[Symbol.dispose] = f;
  if (Symbol.asyncDispose !== undefined) marked[Symbol.asyncDispose] = f;
  return p;
}
