#!/usr/bin/env node
// Builds the npm packages from the same sources Deno and JSR use (`npm run build:npm`):
//
//   <out>/atomicx/                 ESM JavaScript + .d.ts compiled by tsc (npm/tsconfig.json), the
//                                  package.json from npm/atomicx/ with every platform package of
//                                  npm/platforms/ as an optional dependency, and the npm README
//   <out>/platforms/<platform>/    the platform package: package.json and README from
//                                  npm/platforms/<platform>/, index.js + index.d.ts (the library's
//                                  URL), and the shared library itself
//
// Options:
//   --out DIR            where to build (default dist/npm)
//   --platform NAME      which platform package to fill (default: this machine's, e.g.
//                        linux-x64-gnu); a release builds each on its own machine or from a
//                        cross-compiled library
//   --library PATH       the shared library to put in it (default: the local release build)
//   --pack               also `npm pack` each package into <out>/tarballs
//
// Plain JavaScript on purpose, like scripts/test-all.mjs: it runs on any Node before anything else.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Parses `--name value` and `--flag` arguments. */
function parseArgs(argv) {
  const options = { out: join(root, "dist", "npm"), pack: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--pack") options.pack = true;
    else if (["--out", "--platform", "--library"].includes(arg) && i + 1 < argv.length) {
      options[arg.slice(2)] = argv[++i];
    } else fail(`unknown argument ${arg}`);
  }
  options.out = resolve(options.out);
  return options;
}

function fail(message) {
  console.error(`build-npm: ${message}`);
  process.exit(1);
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const writeJson = (path, value) => writeFileSync(path, JSON.stringify(value, null, 2) + "\n");

/** This machine's platform package suffix, named as ffi/find.ts names it. */
function hostPlatform() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const glibc = process.report?.getReport().header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  return platform === "win32" ? `win32-${arch}-msvc` : `${platform}-${arch}`;
}

/** Files under `dir`, relative to it. */
function listFiles(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

/** The one version everything must share: deno.json's, which ffi/find.ts repeats. */
function checkedVersion() {
  const { version } = readJson(join(root, "deno.json"));
  const find = readFileSync(join(root, "ffi", "find.ts"), "utf8");
  const inFind = find.match(/export const version = "([^"]+)"/)?.[1];
  if (inFind !== version) {
    fail(`deno.json has version ${version} but ffi/find.ts has ${inFind}; make them equal`);
  }
  return version;
}

/** Compiles the sources into `<out>/atomicx` and writes its package.json and README. */
function buildMain(out, version, platforms) {
  const dir = join(out, "atomicx");
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [
    tsc,
    "-p",
    join(root, "npm", "tsconfig.json"),
    "--outDir",
    join(dir, "esm"),
  ], { stdio: "inherit" });
  // tsc rewrites `./x.ts` to `./x.js` in JavaScript but leaves declaration files as written; a
  // consumer's compiler expects `.js` there too.
  for (const file of listFiles(join(dir, "esm")).filter((f) => f.endsWith(".d.ts"))) {
    const path = join(dir, "esm", file);
    const text = readFileSync(path, "utf8")
      .replace(/((?:from|import)\s*\(?\s*["']\.\.?\/[^"']*)\.ts(["'])/g, "$1.js$2");
    writeFileSync(path, text);
  }
  const manifest = readJson(join(root, "npm", "atomicx", "package.json"));
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(
    platforms.map((platform) => [`@atomicx/${platform}`, version]),
  );
  writeJson(join(dir, "package.json"), manifest);
  copyFileSync(join(root, "npm", "atomicx", "README.md"), join(dir, "README.md"));
  return dir;
}

/** Fills the platform package `platform` with `library` in `<out>/platforms/<platform>`. */
function buildPlatform(out, version, platform, library) {
  const template = join(root, "npm", "platforms", platform);
  if (!existsSync(join(template, "package.json"))) {
    fail(`no platform package template npm/platforms/${platform}/`);
  }
  const manifest = readJson(join(template, "package.json"));
  const fileName = manifest.atomicx.library;
  if (!existsSync(library)) {
    fail(`no library at ${library}: build it first (npm run build:native) or pass --library`);
  }
  const dir = join(out, "platforms", platform);
  mkdirSync(dir, { recursive: true });
  manifest.version = version;
  writeJson(join(dir, "package.json"), manifest);
  copyFileSync(join(template, "README.md"), join(dir, "README.md"));
  copyFileSync(library, join(dir, fileName));
  writeFileSync(
    join(dir, "index.js"),
    `// The file: URL of this package's atomicx native library. atomicx resolves this package's\n` +
      `// package.json and loads ${fileName} next to it; Deno without node_modules imports this\n` +
      `// module by its npm: specifier instead.\n` +
      `export default new URL("./${fileName}", import.meta.url).href;\n`,
  );
  writeFileSync(
    join(dir, "index.d.ts"),
    `/** The \`file:\` URL of ${fileName}. */\ndeclare const library: string;\nexport default library;\n`,
  );
  return dir;
}

/** `npm pack` of `dir` into `destination`; returns the tarball's path. */
function pack(dir, destination) {
  mkdirSync(destination, { recursive: true });
  const output = execFileSync("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: dir,
    encoding: "utf8",
  });
  return join(destination, JSON.parse(output)[0].filename);
}

const options = parseArgs(process.argv.slice(2));
const version = checkedVersion();
const platforms = readdirSync(join(root, "npm", "platforms")).sort();
const platform = options.platform ?? hostPlatform();
if (!platforms.includes(platform)) {
  fail(
    `${platform} is not one of the platform packages in npm/platforms/: ${platforms.join(", ")}`,
  );
}
const library = resolve(
  options.library ?? join(
    root,
    "native",
    "target",
    "release",
    readJson(join(root, "npm", "platforms", platform, "package.json")).atomicx.library,
  ),
);

rmSync(options.out, { recursive: true, force: true });
const built = [
  buildMain(options.out, version, platforms),
  buildPlatform(options.out, version, platform, library),
];
for (const dir of built) console.log(`built ${dir}`);
if (options.pack) {
  for (const dir of built) console.log(`packed ${pack(dir, join(options.out, "tarballs"))}`);
}
