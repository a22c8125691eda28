// The testing export with a Hono app, tested the Hono way: app.request() calls the app in
// process, and the test authorization server mints the tokens. No port anywhere.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  handleProtectedResourceMetadataRequest,
  protectedResourceMetadataUrl,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";
import { createTestAuthorizationServer } from "../src/testing/mod.ts";

const API = "https://invoices.example.test";

/** The user's app: a Hono API whose routes need a token with the right scope. */
function invoicesApp(rs: ResourceServerOptions): Hono<{ Variables: { client: string } }> {
  const app = new Hono<{ Variables: { client: string } }>();
  app.get(new URL(protectedResourceMetadataUrl(API)).pathname, (c) => handleProtectedResourceMetadataRequest(c.req.raw, rs));
  const guard = (scope: string) =>
    async (c: { req: { raw: Request }; set(key: "client", value: string): void }, next: () => Promise<void>) => {
      const result = await verifyAccessToken(c.req.raw, rs, { scope });
      if (!result.ok) return result.response;
      c.set("client", result.claims.client_id);
      await next();
    };
  app.get("/invoices", guard("invoices:read"), (c) => c.json({ client: c.get("client"), invoices: [] }));
  app.post("/invoices", guard("invoices:write"), (c) => c.json({ created: true }, 201));
  return app;
}

describe("a Hono app tested with app.request() and the testing export", () => {
  test("a token with the scope is served; without it 403; without a token 401 naming the metadata", async () => {
    const as = await createTestAuthorizationServer({ resources: [API], scope: "invoices:read invoices:write" });
    const app = invoicesApp(as.resourceServerOptions(API, { metadata: { scopes_supported: ["invoices:read", "invoices:write"] } }));
    const reader = await as.mintAccessToken({ scope: "invoices:read" });

    const list = await app.request(`${API}/invoices`, { headers: { authorization: `Bearer ${reader}` } });
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { client: "test-client", invoices: [] });

    const create = await app.request(`${API}/invoices`, { method: "POST", headers: { authorization: `Bearer ${reader}` } });
    assert.equal(create.status, 403);

    const anonymous = await app.request(`${API}/invoices`);
    assert.equal(anonymous.status, 401);
    const challenge = anonymous.headers.get("www-authenticate")!;
    assert.match(challenge, /resource_metadata="https:\/\/invoices\.example\.test\/\.well-known\/oauth-protected-resource"/);
    const doc = await (await app.request(protectedResourceMetadataUrl(API))).json() as Record<string, unknown>;
    assert.deepEqual(doc.authorization_servers, [as.issuer]);
  });

  test("an expired token is refused once the fake clock has moved", async () => {
    const as = await createTestAuthorizationServer({ resources: [API], scope: "invoices:read" });
    const app = invoicesApp(as.resourceServerOptions(API));
    const token = await as.mintAccessToken();
    as.clock.advance(3600);
    const res = await app.request(`${API}/invoices`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate")!, /invalid_token/);
  });

  test("the app can be routed into as.fetch, so a client library reaches both in process", async () => {
    const as = await createTestAuthorizationServer({ resources: [API], scope: "invoices:read" });
    const app = invoicesApp(as.resourceServerOptions(API));
    as.route(API, (request) => app.fetch(request));
    const token = await as.mintAccessToken();
    const res = await as.fetch(`${API}/invoices`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
  });
});
