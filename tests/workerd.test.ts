// The server inside workerd, Cloudflare's runtime (through miniflare): the edge claim is
// tested, not assumed. The library is bundled from source with esbuild into one module,
// and the worker is `export default server`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

// workerd is the runtime under test; which runtime drives it does not matter, so it runs once.
const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

const ISSUER = "https://as.example.com/tenants/t1";
const BASIC = `Basic ${btoa("worker-client:worker-secret-for-tests-only-0123456789abcdef")}`;
const FORM = { "content-type": "application/x-www-form-urlencoded", authorization: BASIC };

describe("inside workerd (miniflare)", { skip: !isNode && "workerd is the runtime under test; driven once, from Node" }, () => {
  let mf: Miniflare;

  before(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL("./fixtures/worker.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    mf = new Miniflare({ modules: true, script: bundle.outputFiles[0]!.text, compatibilityDate: "2025-09-01" });
    await mf.ready;
  });

  after(async () => {
    await mf?.dispose();
  });

  const post = (path: string, body: string) => mf.dispatchFetch(`${ISSUER}${path}`, { method: "POST", headers: FORM, body });

  test("token -> introspect (active) -> revoke -> introspect (inactive)", async () => {
    const issued = await post("/token", "grant_type=client_credentials&scope=read");
    assert.equal(issued.status, 200);
    assert.equal(issued.headers.get("cache-control"), "no-store");
    const { access_token, scope, token_type } = (await issued.json()) as Record<string, string>;
    assert.equal(token_type, "Bearer");
    assert.equal(scope, "read");
    assert.match(access_token!, /^[A-Za-z0-9_-]{43}$/);

    const active = (await (await post("/introspect", `token=${access_token}`)).json()) as Record<string, unknown>;
    assert.equal(active.active, true);
    assert.equal(active.client_id, "worker-client");
    assert.equal(active.iss, ISSUER);

    const revoked = await post("/revoke", `token=${access_token}`);
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();
    assert.equal(await (await post("/introspect", `token=${access_token}`)).text(), '{"active":false}');
  });

  test("metadata at the inserted well-known URL; 404 and 405 as JSON", async () => {
    const res = await mf.dispatchFetch("https://as.example.com/.well-known/oauth-authorization-server/tenants/t1");
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, ISSUER);
    assert.equal(doc.introspection_endpoint, `${ISSUER}/introspect`);

    const missing = await mf.dispatchFetch(`${ISSUER}/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as Record<string, unknown>).error, "invalid_request");
    const wrong = await mf.dispatchFetch(`${ISSUER}/token`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
    await wrong.arrayBuffer();
  });

  test("a wrong secret -> 401 with the Basic challenge", async () => {
    const res = await mf.dispatchFetch(`${ISSUER}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa("worker-client:wrong")}` },
      body: "grant_type=client_credentials",
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="/);
    await res.arrayBuffer();
  });
});
