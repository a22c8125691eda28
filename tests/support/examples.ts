// Starting an example as a subprocess on free ports, for the tests that run what the README
// tells users to run.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../..", import.meta.url));
export const bin = (name: string): string => `${root}node_modules/.bin/${name}`;

/** A started example: its banner, the PID of its process group, and stop(). */
export interface RunningExample {
  banner: string;
  /** The PID of the spawned command, also its process group id. */
  pid: number;
  /** Signals the example's whole process group, resolves once every process of it has exited. */
  stop(): Promise<void>;
}

/** Whether any process of the process group `pgid` is alive (signal 0 only checks). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `command args` in the repository with `env` (ports 0), and resolves with what it
 * printed once `ready` matches; rejects if it exits first or prints nothing ready in 20 s.
 */
export function startExample(
  command: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = { PORT: "0" },
): Promise<RunningExample> {
  return new Promise((resolve, reject) => {
    // Its own process group: `tsx` runs the example in a child node process, and a kill of tsx
    // alone (Deno's child_process does not wait for tsx to relay it) left that child serving
    // (issue 18). stop() signals the whole group and resolves once the group is gone.
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" }, detached: true });
    const exited = new Promise<void>((done) => child.on("exit", () => done()));
    const pid = child.pid!;
    const stop = async (): Promise<void> => {
      try {
        process.kill(-pid, "SIGTERM");
      } catch { /* already gone */ }
      await exited;
      while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 20));
    };
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`no banner after 20 s:\n${out}\n${err}`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ banner: out, pid, stop });
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}\n${err}`));
    });
  });
}
