// The whole server and the resource-server helper on each runtime's own HTTP server, over
// real loopback HTTP: Deno.serve under Deno, Bun.serve under Bun, @hono/node-server under
// Node. The same file runs on all three (npm test), so "works on Deno.serve, Bun.serve and
// Node" is shown, not assumed. The API fetches the JWK Set from the token server over HTTP.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type AuthorizationServer, generateSigningKey, KeySet } from "../mod.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../src/resource_server/mod.ts";
import { authServer, SECRET } from "./support/fixtures.ts";

type Handler = (request: Request) => Promise<Response>;
interface Listening {
  readonly origin: string;
  readonly runtime: string;
  close(): Promise<void>;
}

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

/** Serves `handler` on 127.0.0.1 with the runtime's own server, on a free port. */
async function listen(handler: Handler): Promise<Listening> {
  if (runtime.Deno !== undefined) {
    const server = runtime.Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    return { origin: `http://127.0.0.1:${server.addr.port}`, runtime: "Deno.serve", close: () => server.shutdown() };
  }
  if (runtime.Bun !== undefined) {
    const server = runtime.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
    return { origin: `http://127.0.0.1:${server.port}`, runtime: "Bun.serve", close: async () => void server.stop(true) };
  }
  const { serve } = await import("@hono/node-server");
  let server!: ReturnType<typeof serve>;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: handler, hostname: "127.0.0.1", port: 0 }, (info) => resolve(info.port));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    runtime: "@hono/node-server",
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe("on the runtime's own HTTP server", () => {
  let listening: Listening;
  let as: AuthorizationServer;
  let rs: ResourceServerOptions;
  let handler: Handler = () => Promise.resolve(new Response(null, { status: 503 }));

  before(async () => {
    listening = await listen((request) => handler(request));
    const issuer = listening.origin;
    const api = `${issuer}/api`;
    as = authServer({
      issuer,
      accessTokenFormat: "jwt",
      signingKeys: new KeySet({ active: await generateSigningKey("ES256") }),
    }, [{
      client_id: "native",
      client_secret: SECRET,
      grant_types: ["client_credentials"],
      scope: "read",
      allowed_resources: [api],
      default_resource: api,
    }]).server;
    rs = { resource: api, issuer, jwksUri: as.endpoints.jwks };
    handler = async (request) => {
      if (!new URL(request.url).pathname.startsWith("/api")) return as.fetch(request);
      const result = await verifyAccessToken(request, rs, { scope: "read" });
      if (!result.ok) return result.response;
      return Response.json({ client_id: result.claims.client_id });
    };
  });

  after(() => listening.close());

  test("token, then a protected call verified against the JWK Set fetched over HTTP", async () => {
    const res = await fetch(as.endpoints.token, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`native:${SECRET}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    assert.equal(res.status, 200, `${listening.runtime}: ${await res.clone().text()}`);
    const { access_token } = await res.json() as { access_token: string };
    const ok = await fetch(`${listening.origin}/api/invoices`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(ok.status, 200, listening.runtime);
    assert.deepEqual(await ok.json(), { client_id: "native" });
  });

  test("no token -> 401 Bearer challenge; metadata and 404 as JSON", async () => {
    const denied = await fetch(`${listening.origin}/api/invoices`);
    assert.equal(denied.status, 401);
    assert.match(denied.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
    await denied.body?.cancel();
    const metadata = await fetch(as.endpoints.metadata);
    assert.equal(metadata.status, 200);
    assert.equal(((await metadata.json()) as { issuer: string }).issuer, listening.origin);
    const missing = await fetch(`${listening.origin}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, "invalid_request");
  });
});
