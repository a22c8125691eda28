// examples/resource_server.ts: a token server and a protected API side by side. The test
// starts it, takes the credentials and URLs from its banner, and exercises both servers
// over real HTTP: the API fetches the JWK Set from the token server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function start(): Promise<{ banner: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${root}node_modules/.bin/tsx`, ["examples/resource_server.ts"], {
      cwd: root,
      env: { ...process.env, PORT: "0", API_PORT: "0", NO_COLOR: "1" },
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no banner after 20 s:\n${out}\n${err}`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (/\/invoices\n/.test(out)) {
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

test("example: a JWT from the token server opens the API; no token, too little scope and the metadata behave per RFC 6750/9728", async () => {
  const server = await start();
  try {
    const [, id, secret, api, tokenUrl] = /-u '([^:]+):([^']+)' -d grant_type=client_credentials -d resource=(\S+) (\S+\/token)/.exec(server.banner)!;
    const tokenResponse = await fetch(tokenUrl!, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${id}:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", resource: api! }),
    });
    const token = await tokenResponse.json() as Record<string, unknown>;
    assert.equal(tokenResponse.status, 200, JSON.stringify(token));
    assert.equal((token.access_token as string).split(".").length, 3);
    const bearer = { authorization: `Bearer ${token.access_token}` };

    const ok = await fetch(`${api}/invoices`, { headers: bearer });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json() as Record<string, unknown>).client, id);

    const none = await fetch(`${api}/invoices`);
    assert.equal(none.status, 401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(none.headers.get("www-authenticate")!)![1]!;
    assert.ok(!none.headers.get("www-authenticate")!.includes("error="));

    const write = await fetch(`${api}/invoices`, { method: "POST", headers: bearer });
    assert.equal(write.status, 403);
    assert.match(write.headers.get("www-authenticate")!, /error="insufficient_scope", .*scope="invoices:write"/);

    const metadata = await fetch(metadataUrl);
    assert.equal(metadata.status, 200);
    const doc = await metadata.json() as Record<string, unknown>;
    assert.equal(doc.resource, api);
    assert.deepEqual(doc.authorization_servers, [new URL(tokenUrl!).origin]);
  } finally {
    server.stop();
  }
});
