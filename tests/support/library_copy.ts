// A second copy of the library in one process: its sources copied into a new directory, so that
// importing (or requiring) the copy's mod.ts builds a second module graph — what an ESM import
// beside a CommonJS require of the npm build, or two versions, give a real program.
import { cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** A copy of the library's sources; `remove()` deletes it (never what its links point at). */
export interface LibraryCopy {
  /** The copy's directory. */
  readonly dir: string;
  /** The copy's entry point (its mod.ts). */
  readonly entry: string;
  remove(): void;
}

/** Copies the library's sources to a new temporary directory. */
export function libraryCopy(): LibraryCopy {
  const dir = mkdtempSync(join(tmpdir(), "atomicx-copy-"));
  for (const part of ["mod.ts", "deno.json", "src", "engine", "wasm", "ffi"]) {
    cpSync(join(repo, part), join(dir, part), { recursive: true });
  }
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  // The copy's FFI packages (koffi on Node 20–24) and its native library are the repository's.
  const links = ["node_modules", "native"].map((part) => {
    symlinkSync(join(repo, part), join(dir, part), "dir");
    return join(dir, part);
  });
  return {
    dir,
    entry: join(dir, "mod.ts"),
    remove() {
      for (const link of links) unlinkSync(link); // the links only, before removing the copy
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
