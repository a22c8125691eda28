// examples/resource_server.ts: a token server and a protected API side by side. The test
// starts it, takes the credentials and URLs from its banner, and exercises both servers
// over real HTTP: the API fetches the JWK Set from the token server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bin, groupAlive, startExample } from "./support/examples.ts";

const start = () => startExample(bin("tsx"), ["examples/resource_server.ts"], /\/invoices\n/, { PORT: "0", API_PORT: "0" });

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
    await server.stop();
  }
});

test("example: after stop() no process of examples/resource_server.ts is left running (issue 18)", async () => {
  const server = await start();
  await server.stop();
  assert.equal(groupAlive(server.pid), false, `process group ${server.pid} still has a live process`);
  // And the API port no longer answers.
  const api = /-d resource=(\S+)/.exec(server.banner)![1]!;
  await assert.rejects(fetch(`${api}/invoices`));
});
