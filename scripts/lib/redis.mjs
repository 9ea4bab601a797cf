// A throwaway local redis-server for benchmark baselines and the atomicx/redis tests: Debian's
// package, installed when missing and allowed (root with apt-get, as on a fresh CI machine),
// started on a free (or given) 127.0.0.1 port, without persistence unless asked, stopped by the
// caller.
// Plain JavaScript on purpose: bench scripts run on a fresh machine's Node.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import process from "node:process";

const SERVER = "/usr/bin/redis-server";

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Installs Debian's redis-server if it is missing and this process may (root with apt-get). */
function install() {
  if (existsSync(SERVER) || process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return;
  console.log("installing Debian's redis-server (apt-get)…");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  spawnSync("apt-get", ["install", "-y", "-qq", "redis-server"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

/**
 * Starts redis-server on a free 127.0.0.1 port (or `port`) and waits until it answers PING.
 * `appendonly: true` with a `dir` keeps every write in an append-only file fsynced on each write
 * (a restart on the same `dir` gets them back).
 * @param {{ port?: number, appendonly?: boolean, dir?: string }} [options]
 * @returns {Promise<{ port: number, version: string, child: import("node:child_process").ChildProcess,
 *   stop(): void, exited: Promise<void> } | undefined>} undefined (with a printed reason) when
 *   redis-server is not installed and cannot be.
 */
export async function startRedis(options = {}) {
  install();
  if (!existsSync(SERVER)) {
    console.log(
      "redis-server is not installed and could not be (run `apt-get install -y redis-server` as " +
        "root): the Redis rows are missing from this report",
    );
    return undefined;
  }
  const port = options.port ?? await freePort();
  const persistence = options.appendonly
    ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", options.dir ?? process.cwd()]
    : ["--appendonly", "no"];
  const banner = spawnSync(SERVER, ["--version"]).stdout?.toString() ?? "";
  const version = `Redis ${banner.match(/v=(\S+)/)?.[1] ?? "?"}`;
  const server = spawn(SERVER, [
    ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence],
  ], { stdio: "ignore" });
  const exited = new Promise((resolve) => server.on("exit", () => resolve()));
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync("redis-cli", ["-p", String(port), "ping"]);
    if (ping.stdout?.toString().trim() === "PONG") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, version, child: server, stop: () => server.kill("SIGTERM"), exited };
}

/**
 * Starts a Redis Cluster of 3 masters and 3 replicas on free 127.0.0.1 ports (no persistence,
 * `cluster-node-timeout` 2 s so a replica takes over quickly), and waits until the cluster is ok
 * and every replica reports `master_link_status:up` (a replica that never synced will not fail
 * over).
 * @returns {Promise<{ ports: number[], kill(port: number): Promise<void>, stop(): Promise<void>,
 *   cli(port: number, ...args: string[]): string } | undefined>}
 */
export async function startCluster() {
  install();
  if (!existsSync(SERVER)) return undefined;
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "atomicx-redis-cluster-"));
  const ports = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const nodes = new Map(ports.map((port) => {
    const child = spawn(SERVER, [
      ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
      ...["--cluster-node-timeout", "2000", "--dir", dir],
    ], { stdio: "ignore" });
    return [port, { child, exited: new Promise((resolve) => child.on("exit", () => resolve())) }];
  }));
  const cli = (port, ...args) =>
    spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" }).stdout ?? "";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  for (const port of ports) {
    for (let i = 0; i < 100 && cli(port, "ping").trim() !== "PONG"; i++) await sleep(50);
  }
  const created = spawnSync("redis-cli", [
    "--cluster",
    "create",
    ...ports.map((p) => `127.0.0.1:${p}`),
    ...["--cluster-replicas", "1", "--cluster-yes"],
  ], { encoding: "utf8" });
  const stop = async () => {
    for (const { child } of nodes.values()) child.kill("SIGKILL");
    await Promise.all([...nodes.values()].map((n) => n.exited));
    rmSync(dir, { recursive: true, force: true });
  };
  if (created.status !== 0) {
    await stop();
    throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
  }
  const ready = () =>
    ports.every((port) => {
      if (!cli(port, "cluster", "info").includes("cluster_state:ok")) return false;
      const replication = cli(port, "info", "replication");
      return !replication.includes("role:slave") ||
        replication.includes("master_link_status:up");
    });
  for (let i = 0; i < 300 && !ready(); i++) await sleep(100);
  if (!ready()) {
    await stop();
    throw new Error("the cluster did not become ready within 30 s");
  }
  return {
    ports,
    cli,
    async kill(port) {
      const node = nodes.get(port);
      node.child.kill("SIGKILL");
      await node.exited;
    },
    stop,
  };
}
