#!/usr/bin/env node
// Builds the npm packages from the same sources Deno and JSR use (`npm run build:npm`):
//
//   <out>/atomicx/                 ESM JavaScript + .d.ts compiled by tsc (npm/tsconfig.json), the
//                                  package.json from npm/atomicx/ with every platform package of
//                                  the platform table as an optional dependency, the npm README
//                                  (README.md's user part) and LICENSE, CHANGELOG.md
//   <out>/platforms/<platform>/    the platform package: package.json and README generated from
//                                  the platform table (ffi/_platforms.ts), index.js + index.d.ts
//                                  (the library's URL), and the shared library itself
//
// The platform table and the version are read from the compiled ffi/_platforms.js,
// so nothing here repeats them. `node scripts/build-npm.mjs --help` lists the options.
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
import { join, relative, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { cli } from "./lib/cli.mjs";
import { root } from "./lib/paths.mjs";

const options = cli("node scripts/build-npm.mjs [options]: build (and pack) the npm packages", {
  out: {
    type: "string",
    placeholder: "DIR",
    help: "where to build",
    default: join("dist", "npm"),
  },
  platform: {
    type: "string",
    placeholder: "KEY",
    help: "which platform package to fill (default: this machine's, e.g. linux-x64-gnu); a " +
      "release builds each on its own machine or from a cross-compiled library",
  },
  library: {
    type: "string",
    placeholder: "PATH",
    help: "the shared library to put in it (default: the local release build)",
  },
  pack: { type: "boolean", help: "also `npm pack` each package into <out>/tarballs" },
});
options.out = resolve(root, options.out);

function fail(message) {
  console.error(`build-npm: ${message}`);
  process.exit(1);
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const writeJson = (path, value) => writeFileSync(path, JSON.stringify(value, null, 2) + "\n");

/** This machine's platform in the table, as ffi/_find.ts picks it. */
function hostPlatform(table) {
  const { platform, arch } = process;
  const libc = platform === "linux"
    ? (process.report?.getReport().header?.glibcVersionRuntime ? "glibc" : "musl")
    : undefined;
  return table.platformFor(platform, arch, libc)?.key ?? `${platform}-${arch}`;
}

/** Files under `dir`, relative to it. */
function listFiles(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

/** The name the JSDoc examples import (the JSR package) and the name npm users import. */
const JSR_NAME = "@atomicx/atomicx";
const NPM_NAME = "atomicx";

/** Compiles the sources into `<out>/atomicx/esm` and fixes what tsc leaves for an npm consumer. */
function compile(out) {
  const esm = join(out, "atomicx", "esm");
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "npm", "tsconfig.json"), "--outDir", esm], {
    stdio: "inherit",
  });
  for (const file of listFiles(esm).filter((f) => /\.(d\.ts|js)$/.test(f))) {
    const path = join(esm, file);
    let text = readFileSync(path, "utf8")
      // The JSDoc examples import the JSR names; an npm user imports "atomicx" (in a page too:
      // the browser condition picks the browser entry) and its subpaths ("atomicx/metrics").
      .replaceAll(`from "${JSR_NAME}/browser"`, `from "${NPM_NAME}"`)
      .replaceAll(`from "${JSR_NAME}"`, `from "${NPM_NAME}"`)
      .replaceAll(`from "${JSR_NAME}/`, `from "${NPM_NAME}/`);
    if (file.endsWith(".d.ts")) {
      // tsc rewrites `./x.ts` to `./x.js` in JavaScript but leaves declaration files as written;
      // a consumer's compiler expects `.js` there too.
      text = text.replace(/((?:from|import)\s*\(?\s*["']\.\.?\/[^"']*)\.ts(["'])/g, "$1.js$2");
      // `Symbol.dispose` is declared by lib "esnext.disposable"; a consumer compiling with
      // `lib: ["ES2022"]` and no @types/node would otherwise fail on it, even without using it.
      if (/Symbol\.(asyncDispose|dispose)/.test(text)) {
        text = `/// <reference lib="esnext.disposable" />\n${text}`;
      }
    }
    writeFileSync(path, text);
  }
  return esm;
}

/** The repository's LICENSE and CHANGELOG.md, which every package ships. */
const LEGAL = ["LICENSE", "CHANGELOG.md"];
function copyLegal(dir) {
  for (const file of LEGAL) copyFileSync(join(root, file), join(dir, file));
}

/** The heading where the README's part for contributors starts; the npm README stops before it. */
const CONTRIBUTORS_HEADING = "## Working on atomicx";

/**
 * The npm package's README: the repository README's user part (everything before
 * {@link CONTRIBUTORS_HEADING}), without the docs test's markers, with links to files of the
 * repository made absolute (npm shows the README away from the repository) and links to the
 * contributor part pointed at the repository's README.
 */
function npmReadme(readme, manifest) {
  const end = readme.indexOf(`\n${CONTRIBUTORS_HEADING}\n`);
  if (end < 0) fail(`README.md has no "${CONTRIBUTORS_HEADING}" heading`);
  const repo = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
  const blob = `${repo}/blob/main/`;
  return readme.slice(0, end)
    .replace(/^<!-- docs: .* -->\n\n/gm, "")
    .replace(/\]\((?!https?:|#|mailto:)([^)]+)\)/g, (_, path) => `](${blob}${path})`)
    .trimEnd() +
    `\n\nWorking on atomicx itself (tests, demo, benchmarks, releases): see the ` +
    `[repository's README](${manifest.homepage}).\n`;
}

/** Links for every package: where the code, the docs and the issues are. */
function links(main) {
  return { homepage: main.homepage, repository: main.repository, bugs: main.bugs };
}

/** Writes `<out>/atomicx`'s package.json (every platform an optional dependency) and README. */
function buildMain(out, version, table) {
  const dir = join(out, "atomicx");
  const manifest = readJson(join(root, "npm", "atomicx", "package.json"));
  manifest.version = version;
  manifest.optionalDependencies = {
    ...manifest.optionalDependencies,
    ...Object.fromEntries(table.PLATFORMS.map((p) => [`@atomicx/${p.key}`, version])),
  };
  writeJson(join(dir, "package.json"), manifest);
  writeFileSync(
    join(dir, "README.md"),
    npmReadme(readFileSync(join(root, "README.md"), "utf8"), manifest),
  );
  copyLegal(dir);
  return dir;
}

/** The platform package's package.json, generated from its row of the platform table. */
function platformManifest(platform, version, main) {
  return {
    name: `@atomicx/${platform.key}`,
    version,
    description:
      `The atomicx native library for ${platform.title}. Installed by atomicx; not for direct use.`,
    license: main.license,
    ...links(main),
    type: "module",
    os: [platform.os],
    cpu: [platform.cpu],
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    exports: {
      ".": { types: "./index.d.ts", default: "./index.js" },
      "./package.json": "./package.json",
    },
    files: ["index.js", "index.d.ts", platform.library, ...LEGAL],
    preferUnplugged: true,
    atomicx: { library: platform.library, rustTarget: platform.rustTarget },
  };
}

/** The platform package's README, generated from its row of the platform table. */
function platformReadme(platform) {
  const libc = platform.os === "linux" ? " (and on Linux `libc`)" : "";
  return `# @atomicx/${platform.key}

The native library of [atomicx](https://www.npmjs.com/package/atomicx) for ${platform.title} (Rust
target \`${platform.rustTarget}\`, file \`${platform.library}\`).

You do not install this package yourself: \`atomicx\` lists it under \`optionalDependencies\`, and
npm, Bun and Deno install only the one whose \`os\`, \`cpu\`${libc} fields match the machine. Its
default export is the \`file:\` URL of \`${platform.library}\`.
`;
}

/** Fills the platform package `platform` with `library` in `<out>/platforms/<key>`. */
function buildPlatform(out, version, platform, library) {
  if (!existsSync(library)) {
    fail(`no library at ${library}: build it first (npm run build:native) or pass --library`);
  }
  const main = readJson(join(root, "npm", "atomicx", "package.json"));
  const dir = join(out, "platforms", platform.key);
  const fileName = platform.library;
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, "package.json"), platformManifest(platform, version, main));
  writeFileSync(join(dir, "README.md"), platformReadme(platform));
  copyLegal(dir);
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

rmSync(options.out, { recursive: true, force: true });
const esm = compile(options.out);
// The platform table and the version, as the compiled package itself reads them.
const table = await import(pathToFileURL(join(esm, "ffi", "_platforms.js")).href);
const key = options.platform ?? hostPlatform(table);
const platform = table.PLATFORMS.find((p) => p.key === key);
if (!platform) {
  fail(
    `${key} is not in the platform table (ffi/_platforms.ts): ${
      table.PLATFORMS.map((p) => p.key).join(", ")
    }`,
  );
}
const library = resolve(
  options.library ?? join(root, "native", "target", "release", platform.library),
);
const built = [
  buildMain(options.out, table.version, table),
  buildPlatform(options.out, table.version, platform, library),
];
// Every platform package's package.json, as a release publishes them (the e2e test's local
// registry serves them so that npm picks the right one by os, cpu and libc).
writeJson(
  join(options.out, "platform-manifests.json"),
  table.PLATFORMS.map((p) =>
    platformManifest(p, table.version, readJson(join(root, "npm", "atomicx", "package.json")))
  ),
);
for (const dir of built) console.log(`built ${dir}`);
if (options.pack) {
  for (const dir of built) console.log(`packed ${pack(dir, join(options.out, "tarballs"))}`);
}
