// Real database servers for the store tests: redis-server and PostgreSQL from Debian's
// packages, started on loopback on a free port in a temporary directory, and stopped after.
// Runs the same under Node, Deno and Bun (node:child_process, node:net, node:fs).
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** A server started for a test file. */
export interface TestDatabase {
  /** A connection URL: `redis://127.0.0.1:port` or `postgres://postgres@127.0.0.1:port/postgres`. */
  url: string;
  host: string;
  port: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** The first executable `name` on PATH or in `extraDirs`, or undefined. */
export function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs].filter(Boolean);
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** Debian installs PostgreSQL's server programs off PATH, in /usr/lib/postgresql/<major>/bin. */
function postgresBinDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    .map((v) => `${root}/${v}/bin`);
}

export const redisBinary: string | undefined = findBinary("redis-server");
export const postgresBinaries: { initdb: string; pg_ctl: string } | undefined = (() => {
  const initdb = findBinary("initdb", postgresBinDirs());
  const pg_ctl = findBinary("pg_ctl", postgresBinDirs());
  return initdb && pg_ctl ? { initdb, pg_ctl } : undefined;
})();

/**
 * Why the tests of `engine` must be skipped (its server programs are not installed), or
 * false. The reason is also printed: Deno and Bun do not show the reason of a skipped test.
 */
export function serverSkip(engine: "redis" | "postgres"): string | false {
  if (engine === "redis" ? redisBinary : postgresBinaries) return false;
  const reason = engine === "redis"
    ? "redis-server not found on PATH: install it with 'apt-get install -y redis-server' to run these tests (.ci/run does)"
    : "initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin: install them with " +
      "'apt-get install -y postgresql' to run these tests (.ci/run does)";
  console.warn(`SKIPPED: ${reason}`);
  return reason;
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")));
    });
  });
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      command,
      args,
      { timeout: 60_000 },
      (e, stdout, stderr) =>
        e ? reject(new Error(`${command} ${args.join(" ")}: ${e.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    )
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `host:port` answers a Redis PING. */
async function redisReady(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.on("data", (d) => (socket.destroy(), resolve(String(d).startsWith("+PONG"))));
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await sleep(25);
  }
}

/** Starts redis-server on loopback with no persistence; one per test file. */
export async function startRedis(): Promise<TestDatabase> {
  if (!redisBinary) throw new Error("redis-server is not installed");
  const dir = mkdtempSync(join(tmpdir(), "m2m-redis-"));
  const port = await freePort();
  const child = spawn(redisBinary, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--maxmemory-policy",
    "noeviction",
    "--logfile",
    join(dir, "redis.log"),
  ], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = () => void child.kill("SIGKILL");
  process.once("exit", kill);
  try {
    await redisReady(port, Date.now() + 10_000);
  } catch (e) {
    process.removeListener("exit", kill);
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    async stop() {
      process.removeListener("exit", kill);
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** initdb refuses to run as root: run PostgreSQL's programs as its own (or another) user then. */
async function asUser(): Promise<string | undefined> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  for (const user of ["postgres", "nobody"]) {
    try {
      await run("id", ["-u", user]);
      return user;
    } catch { /* try the next */ }
  }
  throw new Error("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as");
}

/**
 * Creates a cluster with initdb in a temporary directory and starts it with pg_ctl on
 * loopback (fsync off: the data is thrown away). Trust authentication, user `postgres`.
 */
export async function startPostgres(): Promise<TestDatabase> {
  if (!postgresBinaries) throw new Error("PostgreSQL (initdb, pg_ctl) is not installed");
  const { initdb, pg_ctl } = postgresBinaries;
  const dir = mkdtempSync(join(tmpdir(), "m2m-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  let user: string | undefined;
  const exec = (command: string, args: string[]) =>
    user ? run("runuser", ["-u", user, "--", command, ...args]) : run(command, args);
  const stopNow = () => {
    // Also the last resort when the test process ends without `stop`: synchronous, as at exit.
    const args = ["-D", data, "-m", "immediate", "stop"];
    try {
      execFileSync(user ? "runuser" : pg_ctl, user ? ["-u", user, "--", pg_ctl, ...args] : args, {
        stdio: "ignore",
        timeout: 10_000,
      });
    } catch { /* not running */ }
  };
  let port = 0;
  try {
    user = await asUser();
    if (user) await run("chown", [user, dir]);
    await exec(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    port = await freePort();
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off ` +
      `-c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    await exec(pg_ctl, ["-D", data, "-l", log, "-w", "-t", "60", "-o", serverOptions, "start"]);
  } catch (e) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
    stopNow();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${tail}`);
  }
  process.once("exit", stopNow);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    async stop() {
      process.removeListener("exit", stopNow);
      await exec(pg_ctl, ["-D", data, "-m", "fast", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
