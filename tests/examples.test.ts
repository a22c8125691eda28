// Each runtime example starts the authorization server on a free port and prints
// ready-to-paste curls: the token curl gets a token, which the introspection curl shows
// active and the revocation curl revokes; the metadata curl gets the RFC 8414 document.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { bin, startExample } from "./support/examples.ts";

const EXAMPLES: Array<[string, string, string[]]> = [
  ["Node (@hono/node-server)", bin("tsx"), ["examples/node.ts"]],
  ["Deno.serve", bin("deno"), ["run", "--allow-net", "--allow-env", "--allow-read", "examples/deno.ts"]],
  ["Bun.serve", bin("bun"), ["examples/bun.ts"]],
];

/** Starts an example and resolves with its banner once the last curl line is printed. */
const start = (command: string, args: string[]) => startExample(command, args, /curl .*\/\.well-known\/oauth-authorization-server\n/);

function sh(command: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("sh", ["-c", command], { timeout: 10_000 }, (e, stdout, stderr) => e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))
  );
}

describe("examples", () => {
  test("README.md gives each runtime example's run command, the one run here", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const [, command, args] of EXAMPLES) {
      const shown = command.endsWith("/tsx") ? "npm start" : `npx ${command.split("/").pop()} ${args.join(" ")}`;
      assert.ok(readme.includes(`\`${shown}\``), `README.md shows \`${shown}\``);
    }
  });

  for (const [name, command, args] of EXAMPLES) {
    test(`${name}: the printed curls get a token, introspect it, revoke it, and fetch the metadata`, async () => {
      const server = await start(command, args);
      try {
        const curls = server.banner.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("curl "));
        const curl = curls.find((l) => l.endsWith("/token"))!;
        const body = JSON.parse(await sh(curl)) as Record<string, unknown>;
        assert.equal(body.token_type, "Bearer");
        assert.equal(body.scope, "read");
        assert.match(body.access_token as string, /^[A-Za-z0-9_-]{43}$/);
        // A wrong secret from the same server is refused with the Basic challenge.
        const wrong = await sh(curl.replace(/-u '([^:]+):[^']+'/, "-u '$1:wrong'") + " -i");
        assert.match(wrong, /^HTTP\/1\.1 401/);
        assert.match(wrong, /www-authenticate: Basic realm=/i);
        // Introspection shows the token active; after revocation it is inactive.
        const withToken = (suffix: string) => curls.find((l) => l.endsWith(suffix))!.replace("ACCESS_TOKEN", body.access_token as string);
        const active = JSON.parse(await sh(withToken("/introspect"))) as Record<string, unknown>;
        assert.equal(active.active, true);
        assert.equal(active.client_id, "demo-client");
        assert.equal(await sh(withToken("/revoke")), "{}");
        assert.equal(await sh(withToken("/introspect")), '{"active":false}');
        // The metadata document names this server and its endpoints.
        const origin = new URL(curl.split(" ").at(-1)!).origin;
        const doc = JSON.parse(await sh(curls.find((l) => l.includes("/.well-known/"))!)) as Record<string, unknown>;
        assert.equal(doc.issuer, origin);
        assert.equal(doc.token_endpoint, `${origin}/token`);
        assert.equal(doc.introspection_endpoint, `${origin}/introspect`);
        assert.equal(doc.revocation_endpoint, `${origin}/revoke`);
        assert.deepEqual(doc.grant_types_supported, ["client_credentials"]);
      } finally {
        server.stop();
      }
    });
  }
});
