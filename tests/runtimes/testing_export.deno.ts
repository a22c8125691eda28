// The testing export as a Deno user writes it: Deno.test and plain assertions (JSR's
// @std/assert is a one-line swap for the helper below). Runs only under `deno test`,
// which lists this file explicitly (npm run test:deno); no port is opened.
import { verifyAccessToken } from "../../src/resource_server/mod.ts";
import { createTestAuthorizationServer } from "../../src/testing/mod.ts";

function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

const API = "https://api.example.test";

/** The service under test: a Deno.serve handler guarded by verifyAccessToken. */
function invoicesHandler(rs: Parameters<typeof verifyAccessToken>[1]): Deno.ServeHandler {
  return async (request) => {
    const result = await verifyAccessToken(request, rs, { scope: "invoices:read" });
    if (!result.ok) return result.response;
    return Response.json({ client: result.claims.client_id });
  };
}

Deno.test("a minted token opens the Deno.serve handler; no token gets 401 with a challenge", async () => {
  const as = await createTestAuthorizationServer({ scope: "invoices:read" });
  const handler = invoicesHandler(as.resourceServerOptions(API));
  const info = {} as Deno.ServeHandlerInfo<Deno.NetAddr>;
  const token = await as.mintAccessToken({ scope: "invoices:read" });
  const ok = await handler(new Request(`${API}/invoices`, { headers: { authorization: `Bearer ${token}` } }), info);
  assert(ok.status === 200, `status ${ok.status}`);
  assert((await ok.json()).client === "test-client");
  const anonymous = await handler(new Request(`${API}/invoices`), info);
  assert(anonymous.status === 401);
  assert(anonymous.headers.get("www-authenticate")?.startsWith("Bearer realm="));
});

Deno.test("an expired token is refused after the fake clock moves past its lifetime", async () => {
  const as = await createTestAuthorizationServer({ scope: "invoices:read" });
  const handler = invoicesHandler(as.resourceServerOptions(API));
  const token = await as.mintAccessToken();
  as.clock.advance(600 + 6); // lifetime + the 5 s tolerance
  const res = await handler(new Request(`${API}/invoices`, { headers: { authorization: `Bearer ${token}` } }), {} as Deno.ServeHandlerInfo<Deno.NetAddr>);
  assert(res.status === 401);
  assert(res.headers.get("www-authenticate")?.includes('error="invalid_token"'));
});
