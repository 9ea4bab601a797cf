// Command-line options for every repository script: `parseArgs` from `node:util` plus `--help`,
// which prints the script's usage and exits. Plain JavaScript: it runs on any Node.
import process from "node:process";
import { parseArgs } from "node:util";

/**
 * Parses `process.argv` against `options` (as `parseArgs` takes them, each with a `help` text and
 * an optional `placeholder`). `--help` prints `usage` and the options and exits 0; an unknown or
 * malformed option prints the error and the help and exits 2. Returns the parsed values.
 */
export function cli(usage, options) {
  const spec = Object.fromEntries(
    Object.entries({ ...options, help: { type: "boolean", help: "show this help and exit" } })
      .map(([name, { help: _help, placeholder: _placeholder, ...rest }]) => [name, rest]),
  );
  const text = () => {
    const lines = Object.entries({ ...options, help: { type: "boolean", help: "show this help" } })
      .map(([name, o]) => {
        const flag = o.type === "string" ? `--${name} ${o.placeholder ?? "VALUE"}` : `--${name}`;
        const fallback = o.default !== undefined ? ` (default: ${o.default})` : "";
        return `  ${flag.padEnd(28)} ${o.help ?? ""}${fallback}`;
      });
    return `${usage}\n\nOptions:\n${lines.join("\n")}`;
  };
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: spec, strict: true }));
  } catch (error) {
    console.error(`${error.message}\n\n${text()}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(text());
    process.exit(0);
  }
  return values;
}
