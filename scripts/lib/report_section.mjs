// BENCHMARKS.md is written by several scripts: `npm run bench` owns the page, and each other bench
// owns one section between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers, which the page's
// generator carries over untouched. This module reads and replaces those sections.
// Plain JavaScript on purpose: bench scripts run on a fresh machine's Node.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./cli.mjs";
import { bin, root } from "./paths.mjs";
import { buildNative, installBenchDependencies, installDependencies } from "./setup.mjs";

const REPORT = join(root, "BENCHMARKS.md");
const pattern = (name) => new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`);

/** The marked sections of the current BENCHMARKS.md, in page order, each with its markers. */
export function markedSections() {
  const text = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : "";
  return [...text.matchAll(/<!-- (\w+):start -->[\s\S]*?<!-- \1:end -->/g)].map((m) => m[0]);
}

/**
 * Replaces the section `name` of BENCHMARKS.md with `body` (markdown, without markers), appending
 * it when absent. Formats it the way `deno fmt --check` (part of npm test) expects.
 */
export function writeSection(name, body) {
  const scratch = mkdtempSync(join(tmpdir(), "atomicx-section-"));
  const draft = join(scratch, "section.md");
  writeFileSync(draft, `<!-- ${name}:start -->\n\n${body.trim()}\n\n<!-- ${name}:end -->\n`);
  spawnSync(bin("deno"), ["fmt", "--quiet", "--line-width=100", draft], { cwd: scratch });
  const formatted = readFileSync(draft, "utf8").trimEnd();
  rmSync(scratch, { recursive: true, force: true });
  const current = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : "";
  const next = pattern(name).test(current)
    ? current.replace(pattern(name), () => formatted)
    : `${current}${current.endsWith("\n") || current === "" ? "" : "\n"}\n${formatted}\n`;
  writeFileSync(REPORT, next);
  console.log(`\nwrote the ${name} section of BENCHMARKS.md`);
}

/**
 * The start of a bench script that owns the section `name`: parses its options (`--skip-setup`,
 * `--no-write`, `--help`) and, unless skipped, installs the tools and the benchmarks' baselines and
 * builds the library.
 * @returns {{ "skip-setup"?: boolean, "no-write"?: boolean }}
 */
export function sectionBench(name) {
  const options = cli(`npm run bench:${name} [-- options]: the ${name} section of BENCHMARKS.md`, {
    "skip-setup": { type: "boolean", help: "do not install tools or build the library first" },
    "no-write": { type: "boolean", help: "print the section; leave BENCHMARKS.md alone" },
  });
  if (!options["skip-setup"]) {
    installDependencies();
    installBenchDependencies();
    buildNative();
  }
  return options;
}

/** Writes `body` as the section `name` of BENCHMARKS.md, or prints it with `--no-write`. */
export function publishSection(options, name, body) {
  if (options["no-write"]) console.log(body);
  else writeSection(name, body);
}
