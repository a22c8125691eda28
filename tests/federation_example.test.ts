// examples/federation/: a CI platform (a GitHub Actions stand-in), the token server trusting
// it and an API guarded by verifyAccessToken, started on each runtime; then the CI job,
// on the same runtime, presents its platform token, gets an access token with the client
// credentials grant and calls the API, as the banner says to. A job of the same
// repository on another branch is refused. Each runtime's processes are started and
// stopped by the test; the matrix runs once, in the Node run of the suite.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { bin, root, startExample } from "./support/examples.ts";

const DENO_FLAGS = ["run", "--allow-net", "--allow-env", "--allow-read"];
const RUNTIMES: Array<[string, string, string[]]> = [
  ["Node (tsx)", bin("tsx"), []],
  ["Deno", bin("deno"), DENO_FLAGS],
  ["Bun", bin("bun"), []],
];

const host = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const skip = host === "node" ? false : "the example matrix (node, deno, bun) runs once, in the Node run of the suite";

/** The environment a banner line sets for the job: `NAME=value` and `NAME='value'` words. */
function jobEnv(line: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of line.matchAll(/([A-Z_]+)=('[^']*'|\S+)/g)) env[m[1]!] = m[2]!.replace(/^'|'$/g, "");
  return env;
}

function runJob(command: string, args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    execFile(command, [...args, "examples/federation/ci_job.ts"], { cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" }, timeout: 20_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>))
  );
}

describe("example: a CI job authenticates with its platform token (examples/federation/)", () => {
  for (const [name, command, args] of RUNTIMES) {
    test(`${name}: the deploy job gets a token and calls the API; a job on another branch is refused`, { skip }, async () => {
      const servers = await startExample(command, [...args, "examples/federation/main.ts"], /another branch is refused:\n.*ci_job\.ts\n/, {
        PLATFORM_PORT: "0",
        PORT: "0",
        API_PORT: "0",
      });
      try {
        const jobs = servers.banner.split("\n").filter((l) => l.includes("examples/federation/ci_job.ts"));
        assert.equal(jobs.length, 2);
        const deployed = await runJob(command, args, jobEnv(jobs[0]!));
        assert.deepEqual(deployed, { step: "api", status: 200, body: { deployed: true, by: "deploy", scope: "deploy:write" } });
        const refused = await runJob(command, args, jobEnv(jobs[1]!));
        assert.deepEqual(refused, { step: "token", status: 400, error: "invalid_client" });
      } finally {
        servers.stop();
      }
    });
  }
});
