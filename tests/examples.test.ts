// Each runtime example starts a token server on a free port, prints a ready-to-paste curl,
// and that curl gets a token.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

const EXAMPLES: Array<[string, string, string[]]> = [
  ["Node (srvx)", bin("tsx"), ["examples/node.ts"]],
  ["Deno.serve", bin("deno"), ["run", "--allow-net", "--allow-env", "--allow-read", "examples/deno.ts"]],
  ["Bun.serve", bin("bun"), ["examples/bun.ts"]],
];

/** Starts an example and resolves with its banner once the curl line is printed. */
function start(command: string, args: string[]): Promise<{ banner: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, PORT: "0", NO_COLOR: "1" } });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no banner after 20 s:\n${out}\n${err}`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (/curl .*\/token\n/.test(out)) {
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

function sh(command: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("sh", ["-c", command], { timeout: 10_000 }, (e, stdout, stderr) => e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))
  );
}

describe("examples", () => {
  for (const [name, command, args] of EXAMPLES) {
    test(`${name}: the printed curl gets a token`, async () => {
      const server = await start(command, args);
      try {
        const curl = server.banner.split("\n").find((l) => l.trim().startsWith("curl "))!.trim();
        const body = JSON.parse(await sh(curl)) as Record<string, unknown>;
        assert.equal(body.token_type, "Bearer");
        assert.equal(body.scope, "read");
        assert.match(body.access_token as string, /^[A-Za-z0-9_-]{43}$/);
        // A wrong secret from the same server is refused with the Basic challenge.
        const wrong = await sh(curl.replace(/-u '([^:]+):[^']+'/, "-u '$1:wrong'") + " -i");
        assert.match(wrong, /^HTTP\/1\.1 401/);
        assert.match(wrong, /www-authenticate: Basic realm=/i);
      } finally {
        server.stop();
      }
    });
  }
});
