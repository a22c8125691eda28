// examples/agent/: an identity provider that issues ID-JAGs, the token server trusting it for
// the JWT bearer grant, and an MCP server guarded by verifyAccessToken, started on each
// runtime; then the agent, on the same runtime, gets an ID-JAG for Alice, trades it for an
// access token (oauth4webapi's genericTokenEndpointRequest: the MCP SDK has no client for
// this grant) and calls the MCP tool with the MCP SDK, as the banner says to. Mallory, whom
// the policy does not let use the tools, is refused. Each runtime's processes are started
// and stopped by the test; the matrix runs once, in the Node run of the suite.
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

/** The environment a banner line sets for the agent: its `NAME=value` words. */
function agentEnv(line: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of line.matchAll(/([A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
  return env;
}

function runAgent(command: string, args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    execFile(command, [...args, "examples/agent/agent.ts"], { cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" }, timeout: 30_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>))
  );
}

describe("example: an agent trades an ID-JAG for an access token and calls an MCP server (examples/agent/)", () => {
  for (const [name, command, args] of RUNTIMES) {
    test(`${name}: Alice's agent calls the MCP tool; Mallory's is refused with invalid_grant`, { skip }, async () => {
      const servers = await startExample(command, [...args, "examples/agent/main.ts"], /it is refused:\n.*agent\.ts\n/, {
        IDP_PORT: "0",
        PORT: "0",
        MCP_PORT: "0",
      });
      try {
        const agents = servers.banner.split("\n").filter((l) => l.includes("examples/agent/agent.ts"));
        assert.equal(agents.length, 2);
        const alice = await runAgent(command, args, agentEnv(agents[0]!));
        assert.deepEqual(alice, { step: "mcp", scope: "mcp:tools", result: "5 (for agent)" });
        const mallory = await runAgent(command, args, agentEnv(agents[1]!));
        assert.deepEqual(mallory, { step: "token", status: 400, error: "invalid_grant" });
      } finally {
        servers.stop();
      }
    });
  }
});
