#!/usr/bin/env node
// atomicx in a web page: builds the npm package, serves tests/browser/page/ and the package from
// 127.0.0.1 with the headers that make a page cross-origin isolated (COOP same-origin, COEP
// require-corp), and drives Debian's chromium headless through puppeteer-core. The page (see
// page/main.js) checks that Workers sharing an AtomicInt and an AtomicFloat reach exact totals, that
// waitAsync works on the page's main thread, and that a blocking wait there is refused with a clear
// error. The page imports `/node_modules/atomicx/entry.js`, which the server redirects to the file
// the package's `exports` "browser" condition names, as a bundler resolving "atomicx" would. The
// same page also runs bundled by esbuild (importing "atomicx"), and page/not-isolated.html, served
// without the two headers, checks that importing atomicx there fails with an error naming them.
//
// Installs chromium with apt-get when it is missing and this runs as root (as CI does). Needs Node
// 22 or newer (puppeteer-core 25): `npm test` runs it on the pinned Node 26. Ends with
// `browser: N passed, M failed`.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { cli } from "../../scripts/lib/cli.mjs";
import { root } from "../../scripts/lib/paths.mjs";

const { chromium: chromiumOption, keep } = cli(
  "node tests/browser/run.mjs [options]: atomicx in chromium, from the npm build",
  {
    chromium: { type: "string", placeholder: "PATH", help: "the browser (default: chromium)" },
    keep: { type: "boolean", help: "keep the build and the browser profile" },
  },
);

let passed = 0;
let failed = 0;
/** Counts one result and prints it. */
function report(ok, line, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(
    ok ? `ok - ${line}` : `not ok - ${line}\n  ${String(detail).replaceAll("\n", "\n  ")}`,
  );
}
const work = mkdtempSync(join(tmpdir(), "atomicx-browser-"));
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function finish() {
  console.log(`\nbrowser: ${passed} passed, ${failed} failed`);
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  process.exit(failed === 0 ? 0 : 1);
}

/** Debian's chromium, installed with apt-get when missing and allowed. */
function findChromium() {
  const known = [chromiumOption, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = known.find((path) => path && existsSync(path));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      "chromium is not installed: `sudo apt-get install chromium`, or pass --chromium",
    );
  }
  const apt = (args) =>
    spawnSync("apt-get", args, {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  console.log("installing chromium: apt-get update && apt-get install chromium");
  apt(["update", "-qq"]);
  const install = apt(["install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", "chromium"]);
  if (install.status !== 0 || !existsSync("/usr/bin/chromium")) {
    throw new Error(`apt-get install chromium failed (exit ${install.status})`);
  }
  return "/usr/bin/chromium";
}

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/**
 * Serves `roots` (URL prefix → directory, the first that matches) from 127.0.0.1, with the headers
 * that make a page cross-origin isolated (COOP same-origin, COEP require-corp) when `isolated`.
 * `/node_modules/atomicx/entry.js` redirects to the file the package's browser condition names.
 */
function serve(roots, browserEntry, isolated) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const headers = {
      ...(isolated
        ? {
          "Cross-Origin-Opener-Policy": "same-origin",
          "Cross-Origin-Embedder-Policy": "require-corp",
        }
        : {}),
      "Cache-Control": "no-store",
    };
    if (path === "/node_modules/atomicx/entry.js") {
      response.writeHead(302, { ...headers, Location: `/node_modules/atomicx/${browserEntry}` });
      response.end();
      return;
    }
    const [prefix, base] = roots.find(([prefix]) => path.startsWith(prefix));
    const rest = path.slice(prefix.length);
    const file = normalize(
      join(base, rest === "" || rest.endsWith("/") ? `${rest}index.html` : rest),
    );
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, headers).end("not found");
      return;
    }
    response.writeHead(200, {
      ...headers,
      "Content-Type": types[extname(file)] ?? "application/octet-stream",
    });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, port: server.address().port }))
  );
}

let chromium;
try {
  chromium = findChromium();
  report(true, `chromium: ${chromium}`);
} catch (error) {
  report(false, "chromium", error.message);
  finish();
}

const build = join(work, "npm");
const built = spawnSync(
  process.execPath,
  [join(root, "scripts", "build-npm.mjs"), "--out", build],
  { encoding: "utf8" },
);
report(built.status === 0, "build: scripts/build-npm.mjs", `${built.stdout}${built.stderr}`);
if (built.status !== 0) finish();
const pkg = join(build, "atomicx");
const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
const browserEntry = manifest.exports?.["."]?.browser?.default?.replace(/^\.\//, "");
report(
  browserEntry !== undefined && existsSync(join(pkg, browserEntry)),
  `package.json exports a "browser" entry (${browserEntry})`,
);
// The browser entry must not reach the native library: no module it imports may be in ffi/.
const reached = new Set();
const visit = (file) => {
  if (reached.has(file) || !existsSync(file)) return;
  reached.add(file);
  const text = readFileSync(file, "utf8");
  for (const [, spec] of text.matchAll(/^(?:import|export)\b[^"';]*["'](\.\.?\/[^"']+)["']/gm)) {
    visit(join(file, "..", spec));
  }
};
if (browserEntry) visit(join(pkg, browserEntry));
const native = [...reached].filter((file) => file.includes(`${sep}ffi${sep}`));
report(
  browserEntry !== undefined && native.length === 0,
  `the browser entry imports no native code (${reached.size} modules)`,
  `reaches ${native.map((f) => f.slice(pkg.length + 1)).join(", ")}`,
);

// The same page bundled with esbuild, as an application would ship it: main.js and worker.js import
// "atomicx", which esbuild resolves through the package's browser condition.
const pageDir = fileURLToPath(new URL("./page", import.meta.url));
const bundleDir = join(work, "bundle");
const bundled = join(bundleDir, "out");
try {
  mkdirSync(join(bundleDir, "node_modules"), { recursive: true });
  symlinkSync(pkg, join(bundleDir, "node_modules", "atomicx"), "dir");
  for (const file of ["main.js", "worker.js"]) {
    const text = readFileSync(join(pageDir, file), "utf8");
    assert(text.includes('"/node_modules/atomicx/entry.js"'), `${file} imports no atomicx`);
    writeFileSync(
      join(bundleDir, file),
      text.replaceAll('"/node_modules/atomicx/entry.js"', '"atomicx"'),
    );
  }
  const esbuild = await import("esbuild");
  await esbuild.build({
    absWorkingDir: bundleDir,
    entryPoints: ["main.js", "worker.js"],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: bundled,
    logLevel: "silent",
  });
  copyFileSync(join(pageDir, "index.html"), join(bundled, "index.html"));
  const code = readFileSync(join(bundled, "main.js"), "utf8");
  report(
    !/\bdlopen\b|koffi|bun:ffi|\bDeno\.dlopen/.test(code) &&
      code.includes("Cross-Origin-Embedder-Policy"),
    `esbuild bundled the page through the browser condition (${code.length} bytes, no FFI code)`,
  );
} catch (error) {
  report(false, "esbuild bundles the page", error?.stack ?? error);
}

const roots = [
  ["/node_modules/atomicx/", pkg],
  ["/bundled/", bundled],
  ["/", pageDir],
];
const entry = browserEntry ?? "esm/browser.js";
const isolatedServer = await serve(roots, entry, true);
const plainServer = await serve(roots, entry, false);
const { default: puppeteer } = await import("puppeteer-core");
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  userDataDir: join(work, "profile"),
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
/** Opens `url`, waits for its `globalThis.results` and reports each; at least `minimum` of them. */
async function runPage(label, url, minimum) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error?.message ?? error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  try {
    await page.goto(url);
    let results;
    try {
      await page.waitForFunction(() => Array.isArray(globalThis.results), { timeout: 120_000 });
      results = await page.evaluate(() => globalThis.results);
    } catch (error) {
      report(
        false,
        `${label}: the page reported its results`,
        `${error.message}\n${errors.join("\n")}`,
      );
    }
    for (const r of results ?? []) {
      report(r.ok, `${label}: ${r.name}`, `${r.detail}\n${errors.join("\n")}`);
    }
    if (results) {
      report(results.length >= minimum, `${label}: the page ran every check (${results.length})`);
    }
  } finally {
    await page.close();
  }
}
try {
  const isolated = `http://127.0.0.1:${isolatedServer.port}`;
  await runPage("page", `${isolated}/`, 9);
  await runPage("esbuild bundle", `${isolated}/bundled/`, 9);
  await runPage("no COOP/COEP", `http://127.0.0.1:${plainServer.port}/not-isolated.html`, 3);
} finally {
  await browser.close();
  isolatedServer.server.close();
  plainServer.server.close();
}
finish();
