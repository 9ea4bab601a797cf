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

/** The misuse method for one acquisition (`where`, e.g. "Mutex.lockAsync"): made once per kind. */
export function misuse(where: string): (this: Promise<Releasable>) => never {
  const method = where.slice(where.indexOf(".") + 1);
  return function (this: Promise<Releasable>): never {
    this.then(letGo, () => {});
    throw new TypeError(
      `${where}() returned a Promise, not a guard: await it first ` +
        `(\`const guard = await ${method}()\`, or \`await using guard = await ${method}()\`); ` +
        "this acquisition is released as soon as it arrives",
    );
  };
}

/** `Symbol.dispose`, where the runtime has it. */
const DISPOSE: symbol | undefined = Symbol.dispose;

/**
 * Marks `p` (the promise of an acquisition) with the guard's methods — `unlock` (or `release` for
 * a permit) and `[Symbol.dispose]` (which `await using` also falls back to) — as `f`, a
 * {@link misuse} method: a `TypeError` that says to await first, releasing what `p` brings once
 * it arrives. Two stores: it runs on every async acquisition.
 */
export function markPending<G extends Releasable>(
  p: Promise<G>,
  f: (this: Promise<Releasable>) => never,
  release: "unlock" | "release",
): Promise<G> {
  const marked = p as unknown as Record<string | symbol, unknown>;
  marked[release] = f;
  if (DISPOSE !== undefined) marked[DISPOSE] = f;
  return p;
}
