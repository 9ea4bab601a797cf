#!/usr/bin/env node
// End-to-end test of the packages, the way a new user meets them: build the npm packages, pack
// them, install the tarballs into a new project outside the repository (the platform package comes
// through atomicx's optionalDependencies from a local registry for the @atomicx scope; koffi from
// the npm cache or registry), then from that project run a program that shares atomics with
// Workers on the oldest Node the package claims (engines.node, pinned in scripts/node-versions)
// and the machine's Node (koffi), Node 26 (node:ffi), Bun and Deno — `import` and `require`, with
// nothing printed on stderr — and typecheck a TypeScript consumer and a browser project against
// the installed .d.ts; then run the same program on Deno from the files `deno publish` would
// upload, as a JSR user without node_modules. Ends with `e2e: N passed, M failed`.
//
//   node tests/e2e/run.mjs [--help] [--keep]
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createServer } from "node:http";
import { cli } from "../../scripts/lib/cli.mjs";
import { nodeVersion, systemNode } from "../../scripts/lib/runtimes.mjs";
import { extraNodes } from "../../scripts/lib/paths.mjs";
import { startRegistry } from "./registry.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const { keep } = cli("node tests/e2e/run.mjs [options]: the packages, installed as a user would", {
  keep: { type: "boolean", help: "keep the temporary projects and print where they are" },
});
// The koffi check runs on the machine's own Node (ATOMICX_SYSTEM_NODE overrides it).
const WORKERS = 3;
const ROUNDS = 50_000;

let passed = 0;
let failed = 0;
/** Counts and prints a passed check; returns its value. */
function passes(name, value) {
  passed++;
  console.log(`ok - ${name}`);
  return value;
}
/** Counts and prints a failed check with its error. */
function fails(name, error) {
  failed++;
  console.log(`not ok - ${name}\n  ${String(error?.stack ?? error).replaceAll("\n", "\n  ")}`);
  return undefined;
}
/** Runs one check; a thrown error fails it. Returns the check's value, or undefined. */
function check(name, fn) {
  try {
    return passes(name, fn());
  } catch (error) {
    return fails(name, error);
  }
}
/** {@link check} for an asynchronous check. */
async function checkAsync(name, fn) {
  try {
    return passes(name, await fn());
  } catch (error) {
    return fails(name, error);
  }
}
function finish() {
  console.log(`\ne2e: ${passed} passed, ${failed} failed`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
  process.exit(failed === 0 ? 0 : 1);
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** The environment of a new user: none of atomicx's variables, nothing from `npm test`. */
const cleanEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) =>
      !key.startsWith("ATOMICX_") && !key.toLowerCase().startsWith("npm_") &&
      key !== "FORCE_COLOR"
    ),
  ),
  NO_COLOR: "1", // plain output to compare (Deno colours numbers even when FORCE_COLOR=0)
};
function sh(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: cleanEnv,
    timeout: 240_000,
    ...options,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status ?? result.signal}\n` +
        `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ?? ""}`,
    );
  }
  return result;
}
/** {@link sh} that leaves the event loop running (the local registry answers from this process). */
function shAsync(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: cleanEnv, ...options });
    let output = "";
    child.stdout.on("data", (chunk) => output += chunk);
    child.stderr.on("data", (chunk) => output += chunk);
    const timer = setTimeout(() => child.kill(), 240_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code ?? signal}\n${output}`));
    });
  });
}
const listFiles = (dir, base = dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });

const work = mkdtempSync(join(tmpdir(), "atomicx-e2e-"));
const build = join(work, "build");
const project = join(work, "project");
assert(!realpathSync(work).startsWith(realpathSync(root) + sep), "work dir inside the repo");

// 1. Build the packages.
if (
  !check(
    "build: scripts/build-npm.mjs",
    () => sh(process.execPath, [join(root, "scripts", "build-npm.mjs"), "--out", build]),
  )
) finish();
const mainDir = join(build, "atomicx");
/** This machine's platform package (the build fills only that one) and its generated manifest. */
const PLATFORM = readdirSync(join(build, "platforms"))[0];
const platformDir = join(build, "platforms", PLATFORM);
/** Every platform package's package.json, generated from the platform table. */
const manifests = JSON.parse(readFileSync(join(build, "platform-manifests.json"), "utf8"));
const LIBRARY = manifests.find((m) => m.name === `@atomicx/${PLATFORM}`).atomicx.library;

// 2. Pack them and check what the tarballs hold.
const tarballs = {};
const packed = {};
for (const [name, dir] of [["atomicx", mainDir], [`@atomicx/${PLATFORM}`, platformDir]]) {
  check(`npm pack ${name}`, () => {
    const out = sh("npm", ["pack", "--json", "--pack-destination", work], { cwd: dir }).stdout;
    const [info] = JSON.parse(out);
    tarballs[name] = join(work, info.filename);
    packed[name] = new Set(info.files.map((f) => f.path));
    assert(existsSync(tarballs[name]), `no tarball ${tarballs[name]}`);
  });
}
check("atomicx tarball: every built module with its .d.ts, every import resolvable", () => {
  const files = packed.atomicx;
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "esm/mod.js"]) {
    assert(files.has(f), `missing ${f}`);
  }
  for (const f of listFiles(mainDir)) assert(files.has(f), `built but not packed: ${f}`);
  for (const f of [...files].filter((f) => f.endsWith(".js"))) {
    assert(files.has(f.replace(/\.js$/, ".d.ts")), `no declarations for ${f}`);
  }
  for (const f of [...files].filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const text = readFileSync(join(mainDir, f), "utf8");
    for (const [, spec] of text.matchAll(/^(?:import|export)\b[^"';]*["'](\.\.?\/[^"']+)["']/gm)) {
      const target = join(dirname(f), spec).replaceAll(sep, "/");
      const wanted = f.endsWith(".d.ts") ? target.replace(/\.js$/, ".d.ts") : target;
      assert(files.has(wanted), `${f} imports ${spec}, which is not in the tarball`);
    }
  }
  const manifest = JSON.parse(readFileSync(join(mainDir, "package.json"), "utf8"));
  // A web page's bundler and TypeScript take the first condition that matches: `browser` comes
  // first, with its own declarations first inside it.
  const conditions = manifest.exports["."];
  assertEqual(Object.keys(conditions), ["browser", "types", "default"], 'exports["."]');
  assertEqual(Object.keys(conditions.browser), ["types", "default"], "the browser condition");
  const targets = [conditions.browser.types, conditions.browser.default, conditions.types];
  for (const target of [manifest.main, manifest.types, ...targets, conditions.default]) {
    assert(files.has(target.replace(/^\.\//, "")), `package.json points to missing ${target}`);
  }
  // koffi serves only Node without node:ffi: optional, so that Bun and Deno users may go without.
  assertEqual(manifest.dependencies, undefined, "dependencies");
  assertEqual(manifest.optionalDependencies.koffi, "3.3.4", "koffi, an optional dependency");
  for (const field of ["repository", "homepage", "bugs", "license"]) {
    assert(manifest[field], `package.json without ${field}`);
  }
  // The license file says what package.json declares, and the changelog has this version.
  const license = readFileSync(join(mainDir, "LICENSE"), "utf8");
  assert(manifest.license === "MIT" && license.startsWith("MIT License"), "LICENSE is not MIT");
  assert(license.includes("atomicx contributors"), "LICENSE names no copyright holder");
  const changelog = readFileSync(join(mainDir, "CHANGELOG.md"), "utf8");
  assert(changelog.includes(`## [${manifest.version}]`), `CHANGELOG.md has no ${manifest.version}`);
  // The npm README is the repository README's user part: install, first use in JavaScript
  // (try/finally) and TypeScript (using), the API; nothing for contributors, no docs-test markers,
  // no link that only works inside the repository.
  const readme = readFileSync(join(mainDir, "README.md"), "utf8");
  const repoReadme = readFileSync(join(root, "README.md"), "utf8");
  assert(
    readme.startsWith(repoReadme.slice(0, repoReadme.indexOf("\n\n"))),
    "the npm README does not start as README.md does",
  );
  for (
    const words of [
      "## Install",
      "## First use",
      "} finally {",
      "using guard",
      "### What each call returns",
      "## In the browser",
      "SharedMemory",
      "waitAsync",
      "glibc 2.34",
      "Node 20.19+",
    ]
  ) {
    assert(readme.includes(words), `the npm README never mentions ${words}`);
  }
  for (const words of ["## Working on atomicx", "cargo clippy", "<!-- docs:", "npm run demo"]) {
    assert(!readme.includes(words), `the npm README has contributor text: ${words}`);
  }
  const headings = new Set(
    [...readme.matchAll(/^#+ (.+)$/gm)].map(([, h]) =>
      h.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-")
    ),
  );
  for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) {
    if (target.startsWith("#")) assert(headings.has(target.slice(1)), `dead link ${target}`);
    else assert(/^https?:/.test(target), `a link relative to the repository: ${target}`);
  }
  assert(
    manifest.description && !/one call into a small Rust library/.test(manifest.description),
    `stale description: ${manifest.description}`,
  );
  // The JSDoc examples in the .d.ts import what an npm user imports, and nothing marked
  // `@internal` is declared (stripInternal).
  for (const f of [...files].filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(join(mainDir, f), "utf8");
    assert(!text.includes("@internal"), `${f}: declares a member marked @internal`);
    assert(!text.includes('from "@atomicx/atomicx'), `${f}: an example imports the JSR name`);
  }
  assert(
    manifest.optionalDependencies[`@atomicx/${PLATFORM}`] === manifest.version,
    "optional dep",
  );
});
check(`@atomicx/${PLATFORM} tarball: the library, its URL module and types`, () => {
  const files = packed[`@atomicx/${PLATFORM}`];
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "index.js", LIBRARY]) {
    assert(files.has(f), `missing ${f}`);
  }
  assert(files.has("index.d.ts"), "missing index.d.ts");
  const manifest = JSON.parse(readFileSync(join(platformDir, "package.json"), "utf8"));
  const glibc = process.report?.getReport().header?.glibcVersionRuntime;
  assertEqual(
    [manifest.os, manifest.cpu, manifest.libc],
    [
      [process.platform],
      [process.arch],
      process.platform === "linux" ? [glibc ? "glibc" : "musl"] : undefined,
    ],
    "os, cpu and libc fields match this machine",
  );
  for (const field of ["repository", "homepage", "bugs", "license"]) {
    assert(manifest[field], `platform package without ${field}`);
  }
});
check(`${LIBRARY}: needs no newer glibc than the README states (2.34)`, () => {
  if (!LIBRARY.endsWith(".so") || !PLATFORM.endsWith("-gnu")) return;
  const symbols = sh("objdump", ["-T", join(platformDir, LIBRARY)]).stdout;
  const versions = [...symbols.matchAll(/\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)]
    .map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
  assert(versions.length > 0, "no GLIBC symbol versions found");
  const newest = versions.reduce((a, b) =>
    (a[0] - b[0] || a[1] - b[1] || a[2] - b[2]) >= 0 ? a : b
  );
  assert(
    newest[0] === 2 && newest[1] <= 34,
    `the library needs GLIBC_${newest.join(".")}: lower it or change the floor in the READMEs`,
  );
});
if (failed) finish();

// 3. A new project outside the repository; install the atomicx tarball. Its platform package
// comes through optionalDependencies from the local @atomicx registry.
const { version } = JSON.parse(readFileSync(join(mainDir, "package.json"), "utf8"));
const registry = await startRegistry(manifests, {
  [`@atomicx/${PLATFORM}`]: tarballs[`@atomicx/${PLATFORM}`],
});
mkdirSync(project);
writeFileSync(join(project, "package.json"), '{ "name": "atomicx-e2e-user", "private": true }\n');
writeFileSync(join(project, ".npmrc"), `@atomicx:registry=${registry.url}\n`);
for (const file of ["main.mjs", "worker.mjs", "consumer.ts", "browser.ts", "browser_refused.ts"]) {
  copyFileSync(join(here, "consumer", file), join(project, file));
}
const installed = await checkAsync(
  "npm install the atomicx tarball in a new project",
  () =>
    shAsync("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      tarballs.atomicx,
    ], { cwd: project }),
);
// The same install with Bun's package manager, into a second project, run on Bun.
const bunProject = join(work, "bun-project");
mkdirSync(bunProject);
writeFileSync(
  join(bunProject, "package.json"),
  '{ "name": "atomicx-e2e-bun-user", "private": true }\n',
);
writeFileSync(join(bunProject, ".npmrc"), `@atomicx:registry=${registry.url}\n`);
for (const file of ["main.mjs", "worker.mjs"]) {
  copyFileSync(join(here, "consumer", file), join(bunProject, file));
}
await checkAsync(
  "bun add the atomicx tarball in a new project; run the program on Bun",
  async () => {
    // A cache of its own: Bun's global cache is keyed by name and version, and would hand back the
    // platform package of an earlier run with an older library.
    await shAsync(bin("bun"), ["add", tarballs.atomicx], {
      cwd: bunProject,
      env: { ...cleanEnv, BUN_INSTALL_CACHE_DIR: join(work, "bun-cache") },
    });
    assertEqual(
      readdirSync(join(bunProject, "node_modules", "@atomicx")),
      [PLATFORM],
      "@atomicx/*",
    );
    const out = await shAsync(bin("bun"), ["main.mjs"], { cwd: bunProject });
    const result = JSON.parse(out.split("\n").find((l) => l.startsWith("RESULT ")).slice(7));
    assertEqual([result.counter, result.backend], [WORKERS * ROUNDS, "bun"], "count, backend");
    assertEqual(
      result.path,
      join(realpathSync(bunProject), "node_modules", "@atomicx", PLATFORM, LIBRARY),
      "library the loader chose",
    );
  },
);
// Installed without optional dependencies: no platform package (and no koffi). The loader's error
// must name the platform package and --omit=optional, and no path or command that exists only in
// a clone of the repository. Node 26 with node:ffi, which needs no koffi, reaches it.
await checkAsync(
  "npm install --omit=optional: the error names the platform package and the fix",
  async () => {
    const bare = join(work, "omit-project");
    mkdirSync(bare);
    writeFileSync(join(bare, "package.json"), '{ "name": "atomicx-e2e-omit", "private": true }\n');
    writeFileSync(join(bare, ".npmrc"), `@atomicx:registry=${registry.url}\n`);
    await shAsync("npm", [
      "install",
      "--omit=optional",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      tarballs.atomicx,
    ], { cwd: bare });
    assert(!existsSync(join(bare, "node_modules", "@atomicx")), "a platform package came along");
    writeFileSync(
      join(bare, "omit.mjs"),
      `try {\n  const { SharedMemory } = await import("atomicx");\n` +
        `  SharedMemory.unlink("atomicx-e2e-omit-never-created");\n  console.log("LOADED");\n` +
        `} catch (error) {\n  console.log("ERROR " + JSON.stringify(error.message));\n}\n`,
    );
    const out = await shAsync(bin("node"), ["--experimental-ffi", "--no-warnings", "omit.mjs"], {
      cwd: bare,
    });
    const line = out.split("\n").find((l) => l.startsWith("ERROR "));
    assert(line, `no error without the platform package:\n${out}`);
    const message = JSON.parse(line.slice("ERROR ".length));
    assert(message.includes("Tried:"), message);
    assert(message.includes(`@atomicx/${PLATFORM}`), `no platform package named:\n${message}`);
    assert(message.includes("--omit=optional"), `no --omit=optional:\n${message}`);
    assert(!message.includes("npm run build:native"), `a repository command:\n${message}`);
    assert(!message.includes(join("native", "target")), `a repository path:\n${message}`);
  },
);
await registry.close();
if (!installed) finish();
const library = join(realpathSync(project), "node_modules", "@atomicx", PLATFORM, LIBRARY);
check("install: only this platform's package was chosen and fetched, koffi came along", () => {
  assertEqual(readdirSync(join(project, "node_modules", "@atomicx")), [PLATFORM], "@atomicx/*");
  // Every platform's packument was offered; npm may take this platform's tarball from its cache
  // (same integrity), but must never ask for another platform's.
  assert(registry.requested.includes(`/@atomicx/${PLATFORM}`), "platform package not resolved");
  for (const path of registry.fetched) {
    assertEqual(path, `/@atomicx/${PLATFORM}/-/${PLATFORM}-${version}.tgz`, "tarball fetched");
  }
  assert(existsSync(library), `no ${library}`);
  assert(existsSync(join(project, "node_modules", "koffi", "package.json")), "no koffi");
});

// 4. The program, on every runtime, from the project.
// The oldest Node the package claims (`engines.node` of the built package.json), pinned in
// scripts/node-versions/ (installed by `npm test`'s setup on Linux x64).
const floor = JSON.parse(readFileSync(join(mainDir, "package.json"), "utf8")).engines.node
  .replace(/^>=\s*/, "");
const oldestNode = join(extraNodes, "node_modules", `node${floor.split(".")[0]}`, "bin", "node");
check(`Node ${floor}, the oldest the package claims (engines), is the pinned one`, () => {
  assertEqual(nodeVersion(oldestNode), `v${floor}`, `${oldestNode} --version`);
});
/** Node 22 and 24 from scripts/node-versions (koffi), as npm test installs them on Linux x64. */
const pinnedMajors = [22, 24].map((major) => ({
  major,
  command: join(extraNodes, "node_modules", `node${major}`, "bin", "node"),
}));
check("Node 22 and 24 are installed (scripts/node-versions)", () => {
  for (const { major, command } of pinnedMajors) {
    assert(nodeVersion(command)?.startsWith(`v${major}.`), `no Node ${major} at ${command}`);
  }
});
const runtimes = [
  {
    name: `Node ${floor} (koffi, the oldest claimed)`,
    command: oldestNode,
    args: ["main.mjs"],
    backend: "koffi",
  },
  ...pinnedMajors.map(({ major, command }) => ({
    name: `Node ${major} (koffi)`,
    command,
    args: ["main.mjs"],
    backend: "koffi",
  })),
  {
    name: `Node ${
      spawnSync(systemNode, ["--version"], { encoding: "utf8" }).stdout.trim()
    } (koffi)`,
    command: systemNode,
    args: ["main.mjs"],
    backend: "koffi",
  },
  {
    name: "Node 26 (node:ffi)",
    command: bin("node"),
    args: ["--experimental-ffi", "--no-warnings", "main.mjs"],
    backend: "node:ffi",
  },
  { name: "Bun", command: bin("bun"), args: ["main.mjs"], backend: "bun" },
  {
    name: "Deno",
    command: bin("deno"),
    args: [
      "run",
      "--allow-ffi",
      "--allow-read=.,/proc/self/maps",
      "--allow-write=/dev/shm",
      "main.mjs",
    ],
    backend: "deno",
  },
];
for (const runtime of runtimes) {
  check(
    `${runtime.name}: atomics shared with ${WORKERS} Workers, from the installed package`,
    () => {
      const run = sh(runtime.command, runtime.args, { cwd: project, timeout: 120_000 });
      const out = run.stdout;
      // A user's plain run prints no warning (no ExperimentalWarning, no deprecation).
      assertEqual(run.stderr, "", "stderr");
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      assert(line, `no RESULT line in:\n${out}`);
      const result = JSON.parse(line.slice("RESULT ".length));
      const n = WORKERS * ROUNDS;
      assertEqual(result.counter, n, "AtomicInt");
      assertEqual(result.total, String(3 * n), "AtomicBigInt");
      assertEqual(result.sum, n / 4, "AtomicFloat");
      assertEqual(result.flag, WORKERS % 2 === 1, "AtomicBool");
      assertEqual(result.text, `${n} ${3 * n} ${n / 4} ${WORKERS % 2 === 1}`, "toString");
      assertEqual(
        result.json,
        JSON.stringify({ counter: n, total: String(3 * n), sum: n / 4, flag: WORKERS % 2 === 1 }),
        "toJSON",
      );
      assertEqual(result.replies, Array(WORKERS).fill("done"), "Worker replies");
      // In-process atomics load no native library, except on Bun (wasm+ffi); a region does.
      assertEqual(result.nativeBeforeRegion, runtime.backend === "bun", "native before a region");
      assertEqual(result.regionValue, 7, "a region atomic");
      assertEqual(result.backend, runtime.backend, "FFI backend");
      assertEqual(result.path, library, "library the loader chose");
      // Deno, run with the least permissions (--allow-ffi, and --allow-read for the Worker's file),
      // may not read /proc; there the loader's own report above has to do.
      if (runtime.backend !== "deno" || result.mapped !== null) {
        assertEqual(result.mapped, [library], "atomicx libraries mapped in the process");
      }
    },
  );
}

// CommonJS: `require("atomicx")` through Node's require(esm) (Node 20.19+ and 26), which works
// when nothing in the package's entry awaits at the top level.
for (const runtime of runtimes.filter((r) => r.backend === "koffi" || r.backend === "node:ffi")) {
  check(`${runtime.name}: require("atomicx") from a CommonJS file`, () => {
    writeFileSync(
      join(project, "require.cjs"),
      'const { AtomicInt } = require("atomicx");\nconst a = new AtomicInt(41);\na.inc();\n' +
        "console.log(a.load());\n",
    );
    const args = runtime.args.slice(0, -1).concat("require.cjs");
    const run = sh(runtime.command, args, { cwd: project, timeout: 120_000 });
    assertEqual(run.stderr, "", "stderr");
    assertEqual(run.stdout.trim(), "42", "output");
  });
}

// The README's first program, as printed there, from the same project.
const readme = readFileSync(join(root, "README.md"), "utf8");
const firstProgram = readme.match(
  /```ts\n(import \{ isMainThread, Worker, workerData \} from "node:worker_threads";\n[^]*?)```/,
)?.[1];
for (const runtime of runtimes) {
  check(`${runtime.name}: the README's first program prints 400000`, () => {
    assert(firstProgram, "no first program in README.md");
    writeFileSync(join(project, "readme.mjs"), firstProgram);
    const args = runtime.args.slice(0, -1).concat("readme.mjs");
    const out = sh(runtime.command, args, { cwd: project, timeout: 120_000 }).stdout;
    assertEqual(out.trim(), "400000", "output");
  });
}

// 5. A TypeScript consumer, typechecked against the installed declarations only.
check("tsc: a TypeScript consumer typechecks against the installed .d.ts", () => {
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        // No ESNext.Disposable and no @types/node: the .d.ts must bring what it needs.
        lib: ["ES2022"],
        types: [],
        skipLibCheck: false,
      },
      files: ["consumer.ts"],
    }),
  );
  sh(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project]);
});

// A TypeScript project for a web page sees only what the browser entry exports.
/** Runs tsc on `file` as a browser project; returns its status and output. */
function tscBrowser(file) {
  const config = join(project, `tsconfig.${file}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "bundler",
        customConditions: ["browser"],
        lib: ["ES2022", "DOM"],
        types: [],
        skipLibCheck: false,
      },
      files: [file],
    }),
  );
  return spawnSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", config],
    { cwd: project, encoding: "utf8", env: cleanEnv, timeout: 240_000 },
  );
}
check("tsc: a browser project (DOM, bundler, browser condition) typechecks against it", () => {
  const result = tscBrowser("browser.ts");
  assert(result.status === 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});
check("tsc: a browser project importing SharedMemory fails to typecheck", () => {
  const result = tscBrowser("browser_refused.ts");
  const output = `${result.stdout}${result.stderr}`;
  assert(result.status !== 0, "tsc accepted SharedMemory in a browser project");
  assert(
    /browser_refused\.ts\(3,10\): error TS2305: .*has no exported member 'SharedMemory'/.test(
      output,
    ),
    `not the missing export:\n${output}`,
  );
});

// 6. Deno as a JSR user: no package.json, no node_modules, an empty Deno cache. The files that
// `deno publish` would upload are served over HTTP the way JSR serves them, and the platform
// package comes by its `npm:` specifier from the local registry into Deno's npm cache.
await checkAsync(
  "Deno from the published files (as from JSR): npm: platform package, Workers",
  async () => {
    const listing = sh(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], {
      cwd: root,
      env: { ...cleanEnv, NO_COLOR: "1" },
    });
    const published = [...`${listing.stdout}${listing.stderr}`.matchAll(/^\s+file:\/\/(\S+) \(/gm)]
      .map(([, path]) => relative(root, path).replaceAll(sep, "/"));
    for (const f of ["mod.ts", "deno.json", "ffi/_find.ts"]) {
      assert(published.includes(f), `deno publish would not upload ${f}`);
    }
    const files = createServer((request, response) => {
      const path = decodeURIComponent(new URL(request.url, "http://x").pathname).slice(1);
      if (!published.includes(path)) {
        response.writeHead(404).end();
        return;
      }
      const type = path.endsWith(".json") ? "application/json" : "application/typescript";
      response.writeHead(200, { "content-type": type });
      response.end(readFileSync(join(root, path)));
    });
    await new Promise((done) => files.listen(0, "127.0.0.1", done));
    const host = `127.0.0.1:${files.address().port}`;
    const npm = await startRegistry(manifests, {
      [`@atomicx/${PLATFORM}`]: tarballs[`@atomicx/${PLATFORM}`],
    });
    const user = join(work, "jsr-user");
    const denoDir = join(work, "deno-dir");
    mkdirSync(user);
    for (const file of ["main.mjs", "worker.mjs"]) {
      const text = readFileSync(join(here, "consumer", file), "utf8")
        .replace('from "atomicx"', `from "http://${host}/mod.ts"`)
        .replace(
          'from "./node_modules/atomicx/esm/ffi/mod.js"',
          `from "http://${host}/ffi/mod.ts"`,
        );
      writeFileSync(join(user, file), text);
    }
    try {
      const out = await shAsync(bin("deno"), [
        "run",
        `--allow-import=${host}`,
        "--allow-ffi",
        "--allow-read=.",
        "--allow-write=/dev/shm",
        "main.mjs",
      ], {
        cwd: user,
        env: { ...cleanEnv, DENO_DIR: denoDir, NPM_CONFIG_REGISTRY: npm.url, NO_COLOR: "1" },
      });
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      assert(line, `no RESULT line in:\n${out}`);
      const result = JSON.parse(line.slice("RESULT ".length));
      const n = WORKERS * ROUNDS;
      assertEqual([result.counter, result.total, result.sum, result.flag], [
        n,
        String(3 * n),
        n / 4,
        true,
      ], "values");
      assertEqual(result.backend, "deno", "FFI backend");
      assert(
        result.path.startsWith(realpathSync(denoDir) + sep) &&
          result.path.endsWith(join("@atomicx", PLATFORM, version, LIBRARY)),
        `library not from Deno's npm cache: ${result.path}`,
      );
      assert(npm.requested.includes(`/@atomicx/${PLATFORM}`), "platform package not resolved");
    } finally {
      await npm.close();
      await new Promise((done) => files.close(done));
    }
  },
);

finish();
