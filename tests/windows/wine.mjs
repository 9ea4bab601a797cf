// Runs Windows programs under wine 10 from the Debian 13 chroot that install-wine.sh builds. Each
// run gets a private mount namespace (`unshare -m`) that binds /proc, /dev and the repository (at
// the same path, so Z:\<repo path> is the repository) into the chroot; the mounts vanish with it.
// A wine process's output must go to a file, not a pipe (EBADF): it is written to one and read back.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The cache that holds the chroot (install-wine.sh's ATOMICX_WINE_CACHE). */
export const cache = process.env.ATOMICX_WINE_CACHE ??
  "/var/cache/atomicx-wine";
/** The chroot with wine 10. */
export const rootfs = join(cache, "trixie");

/** A Linux path inside the repository as wine sees it: `Z:\…`. */
export const winPath = (path) => `Z:${path.replaceAll("/", "\\")}`;

const quote = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`;

/**
 * Runs `exe args` under wine with `env` added, the working directory `cwd` (a Linux path in the
 * repository), at most `timeoutMs`. Resolves to `{ code, output }`.
 */
export function wine(
  root,
  exe,
  args,
  { env = {}, cwd = root, timeoutMs = 600_000, log } = {},
) {
  const out = log ??
    join(root, ".tmp", "windows", `wine-${process.pid}-${Date.now()}.log`);
  const vars = {
    WINEPREFIX: "/root/.wine-atomicx",
    WINEDEBUG: "-all",
    HOME: "/root",
    PATH: "/usr/bin:/bin",
    LANG: "C.UTF-8",
    ...env,
  };
  const script = [
    `mount --bind /proc ${quote(rootfs + "/proc")}`,
    `mount --rbind /dev ${quote(rootfs + "/dev")}`,
    `mkdir -p ${quote(rootfs + root)}`,
    `mount --bind ${quote(root)} ${quote(rootfs + root)}`,
    `exec chroot ${quote(rootfs)} /usr/bin/env -i ${
      Object.entries(vars).map(([k, v]) => quote(`${k}=${v}`)).join(" ")
    } sh -c ${
      quote(
        `cd ${quote(cwd)} && exec wine ${[exe, ...args].map(quote).join(" ")}`,
      )
    } >${quote(out)} 2>&1 </dev/null`,
  ].join(" && ");
  return new Promise((resolve) => {
    const child = spawn("unshare", ["-m", "sh", "-c", script], {
      stdio: "inherit",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let output = "";
      try {
        output = readFileSync(out, "utf8");
        if (!log) rmSync(out);
      } catch { /* no output */ }
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}
