// The testing export as a Bun user writes it: bun:test's test and expect. Runs only under
// `bun test` (npm run test:bun lists this file); no port is opened.
import { expect, test } from "bun:test";
import { type ResourceServerOptions, verifyAccessToken } from "../../src/resource_server/mod.ts";
import { createTestAuthorizationServer } from "../../src/testing/mod.ts";

const API = "https://api.example.test";

/** The service under test: a Bun.serve fetch handler guarded by verifyAccessToken. */
function invoicesFetch(rs: ResourceServerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const result = await verifyAccessToken(request, rs, { scope: "invoices:read" });
    if (!result.ok) return result.response;
    return Response.json({ client: result.claims.client_id });
  };
}

test("a minted token opens the Bun.serve handler; a token without the scope gets 403", async () => {
  const as = await createTestAuthorizationServer({ scope: "invoices:read invoices:write" });
  const fetch = invoicesFetch(as.resourceServerOptions(API));
  const good = await as.mintAccessToken({ scope: "invoices:read" });
  const res = await fetch(new Request(`${API}/invoices`, { headers: { authorization: `Bearer ${good}` } }));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ client: "test-client" });

  const writeOnly = await as.mintAccessToken({ scope: "invoices:write" });
  const refused = await fetch(new Request(`${API}/invoices`, { headers: { authorization: `Bearer ${writeOnly}` } }));
  expect(refused.status).toBe(403);
  expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
});

test("the in-process fetch reaches the service too, through as.route", async () => {
  const as = await createTestAuthorizationServer({ scope: "invoices:read" });
  as.route(API, invoicesFetch(as.resourceServerOptions(API)));
  const token = await as.mintAccessToken();
  const res = await as.fetch(`${API}/invoices`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  await expect(as.fetch("https://not-routed.example.test/")).rejects.toBeInstanceOf(TypeError);
});
