// Child processes for the runner: servers under each runtime, the load generator, and
// scripts whose last stdout line is a JSON result.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const benchDir = fileURLToPath(new URL("..", import.meta.url));
export const rootDir = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name: string) => `${rootDir}node_modules/.bin/${name}`;

export type Runtime = "node" | "deno" | "bun";

/** The command that runs a TypeScript file of bench/ under a runtime. */
export function command(runtime: Runtime, file: string, args: string[] = [], flags: string[] = []): [string, string[]] {
  if (runtime === "node") return [process.execPath, [...flags, "--import", "tsx", `${benchDir}${file}`, ...args]];
  if (runtime === "deno") return [bin("deno"), ["run", "-A", ...flags, `${benchDir}${file}`, ...args]];
  return [bin("bun"), [...flags, `${benchDir}${file}`, ...args]];
}

export function version(runtime: Runtime): string {
  if (runtime === "node") return process.version;
  const out = execFileSync(bin(runtime), ["--version"], { encoding: "utf8" });
  return out.split("\n")[0]!.trim();
}

/** Runs a script to completion and parses the last JSON line it printed. */
export function runJson<T>(runtime: Runtime, file: string, args: string[] = [], flags: string[] = [], timeoutMs = 600_000): Promise<T> {
  const [cmd, argv] = command(runtime, file, args, flags);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: benchDir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").reverse().find((l) => l.startsWith("{"));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${runtime} ${file} ${args.join(" ")} exited ${code}\n${out.slice(-2000)}\n${err.slice(-2000)}`));
      } else resolve(JSON.parse(line) as T);
    });
  });
}

export interface Server {
  port: number;
  child: ChildProcess;
  /** What the server printed on stderr until it listened. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a server script and waits for its "LISTENING <port>" line. */
export function startServer(runtime: Runtime, file: string, args: string[], flags: string[] = []): Promise<Server> {
  const [cmd, argv] = command(runtime, file, args, flags);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: benchDir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no LISTENING line in 30 s: ${out}\n${err}`));
    }, 30_000);
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          child,
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGINT");
              setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
            }),
        });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${out}\n${err.slice(-3000)}`));
    });
  });
}

export const hasWrk = (() => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its banner; ENOENT means it is missing.
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
})();

export function hasAutocannon(): boolean {
  return existsSync(`${benchDir}node_modules/autocannon/autocannon.js`);
}
