// Starting an example as a subprocess on free ports, for the tests that run what the README
// tells users to run.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../..", import.meta.url));
export const bin = (name: string): string => `${root}node_modules/.bin/${name}`;

/**
 * Runs `command args` in the repository with `env` (ports 0), and resolves with what it
 * printed once `ready` matches; rejects if it exits first or prints nothing ready in 20 s.
 */
export function startExample(
  command: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = { PORT: "0" },
): Promise<{ banner: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no banner after 20 s:\n${out}\n${err}`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ banner: out, stop: () => child.kill() });
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}\n${err}`));
    });
  });
}
