// The platform table (ffi/_platforms.ts): one row per platform package, and what the loader derives
// from it for this machine.
import { readFileSync } from "node:fs";
import { libraryFileName, platformPackage, version } from "../../ffi/_find.ts";
import { libraryFileFor, platformFor, PLATFORMS } from "../../ffi/_platforms.ts";
import { assert } from "../support/assert.ts";
import { test } from "../harness.ts";

test("platforms: one row per package, named <os>-<cpu>[-gnu|-musl|-msvc] from its fields", () => {
  const keys = PLATFORMS.map((p) => p.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(keys.length, 8);
  for (const p of PLATFORMS) {
    const abi = p.os === "linux"
      ? (p.libc === "musl" ? "-musl" : "-gnu")
      : p.os === "win32"
      ? `-${p.rustTarget.split("-").at(-1)}` // the Windows toolchain: x64 MinGW, arm64 MSVC
      : "";
    assert.equal(p.key, `${p.os}-${p.cpu}${abi}`);
    assert.equal(platformFor(p.os, p.cpu, p.libc), p);
    assert.equal(libraryFileFor(p.os), p.library);
    assert.ok(p.rustTarget.startsWith(p.cpu === "x64" ? "x86_64-" : "aarch64-"), p.rustTarget);
  }
  assert.equal(platformFor("freebsd", "x64"), undefined);
});

test("platforms: this machine's package and file name come from the table; the version constant equals deno.json's", () => {
  const name = platformPackage();
  assert.ok(PLATFORMS.some((p) => `@atomicx/${p.key}` === name), name);
  const row = PLATFORMS.find((p) => `@atomicx/${p.key}` === name)!;
  assert.equal(libraryFileName, row.library);
  const config = JSON.parse(readFileSync(new URL("../../deno.json", import.meta.url), "utf8"));
  assert.equal(version, config.version);
});
