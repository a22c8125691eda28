// CORS (RFC_CHECKLIST T-10), off by default: preflights and Access-Control-* headers for allowed web
// origins on every endpoint, DPoP-Nonce and WWW-Authenticate exposed, never credentials.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, generateSigningKey, KeySet } from "../mod.ts";
import { formPost } from "./helpers.ts";
import { authServer, BASIC_CLIENT, ISSUER, METADATA_URL, SECRET, TOKEN_URL } from "./support/fixtures.ts";

const PAGE = "https://console.example.com";

function server(cors?: { origins: "*" | string[] }) {
  return authServer(cors === undefined ? {} : { cors }, [BASIC_CLIENT]).server;
}

const preflightRequest = (url: string, origin = PAGE) =>
  new Request(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, dpop" } });

describe("CORS", () => {
  test("off by default: OPTIONS is 405, and no Access-Control header on any answer", async () => {
    const s = server();
    const pre = await s.fetch(preflightRequest(TOKEN_URL));
    assert.equal(pre.status, 405);
    const meta = await s.fetch(new Request(METADATA_URL, { headers: { origin: PAGE } }));
    assert.equal(meta.headers.get("access-control-allow-origin"), null);
  });

  test("an allowed origin: the token endpoint's preflight, then the token answer readable with its challenges", async () => {
    const s = server({ origins: [PAGE] });
    const pre = await s.fetch(preflightRequest(TOKEN_URL));
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), PAGE);
    assert.equal(pre.headers.get("access-control-allow-methods"), "POST");
    assert.match(pre.headers.get("access-control-allow-headers") ?? "", /Authorization.*Content-Type.*DPoP/);
    assert.equal(pre.headers.get("access-control-allow-credentials"), null);
    assert.match(pre.headers.get("vary") ?? "", /Origin/);

    const request = formPost(TOKEN_URL, { grant_type: "client_credentials" }, [BASIC_CLIENT.client_id, SECRET]);
    request.headers.set("origin", PAGE);
    const ok = await s.fetch(request);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), PAGE);
    assert.equal(ok.headers.get("cache-control"), "no-store", "the answer's own headers are kept");
    const bad = formPost(TOKEN_URL, { grant_type: "client_credentials" }, [BASIC_CLIENT.client_id, "wrong"]);
    bad.headers.set("origin", PAGE);
    const refused = await s.fetch(bad);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get("access-control-expose-headers") ?? "", /WWW-Authenticate/);
    assert.match(refused.headers.get("access-control-expose-headers") ?? "", /DPoP-Nonce/);
  });

  test("another origin gets no Access-Control header (the browser refuses); the answer itself is unchanged", async () => {
    const s = server({ origins: [PAGE] });
    const pre = await s.fetch(preflightRequest(TOKEN_URL, "https://evil.example"));
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
    const meta = await s.fetch(new Request(METADATA_URL, { headers: { origin: "https://evil.example" } }));
    assert.equal(meta.status, 200);
    assert.equal(meta.headers.get("access-control-allow-origin"), null);
  });

  test('origins "*": any origin reads the metadata; a request without Origin gets no CORS headers', async () => {
    const s = server({ origins: "*" });
    const meta = await s.fetch(new Request(METADATA_URL, { headers: { origin: "https://any.example" } }));
    assert.equal(meta.headers.get("access-control-allow-origin"), "*");
    const plain = await s.fetch(new Request(METADATA_URL));
    assert.equal(plain.headers.get("access-control-allow-origin"), null);
    const missing = await s.fetch(new Request(`${ISSUER}/nowhere`, { method: "OPTIONS", headers: { origin: "https://any.example" } }));
    assert.equal(missing.status, 404, "no preflight for a path that is not an endpoint");
  });

  test("Vary: Origin on every answer once CORS is on: allowed origin, other origin, no Origin, preflights, the cacheable JWK Set", async () => {
    const signingKeys = new KeySet({ active: await generateSigningKey("ES256") });
    for (const origins of [[PAGE], "*"] as const) {
      const { server: s } = authServer({ signingKeys, cors: { origins: origins as "*" | string[] } }, [BASIC_CLIENT]);
      for (const origin of [PAGE, "https://evil.example", undefined]) {
        const headers: Record<string, string> = origin === undefined ? {} : { origin };
        for (const url of [METADATA_URL, `${ISSUER}/jwks`]) {
          const res = await s.fetch(new Request(url, { headers }));
          await res.body?.cancel();
          assert.equal(res.status, 200);
          assert.equal(res.headers.get("vary"), "Origin", `${url} from ${origin ?? "no Origin"} (${origins})`);
        }
        const token = formPost(TOKEN_URL, { grant_type: "client_credentials" }, [BASIC_CLIENT.client_id, SECRET]);
        for (const [k, v] of Object.entries(headers)) token.headers.set(k, v);
        const issued = await s.fetch(token);
        await issued.body?.cancel();
        assert.equal(issued.headers.get("vary"), "Origin");
        if (origin !== undefined) {
          const pre = await s.fetch(preflightRequest(TOKEN_URL, origin));
          assert.equal(pre.headers.get("vary"), "Origin", `preflight from ${origin}`);
        }
      }
    }
    const jwks = await server().fetch(new Request(METADATA_URL, { headers: { origin: PAGE } }));
    await jwks.body?.cancel();
    assert.equal(jwks.headers.get("vary"), null, "CORS off: the answer does not depend on Origin");
  });

  test("configuration: origins must be exact origins", () => {
    assert.throws(() => server({ origins: ["https://a.example/path"] }), ConfigurationError);
    assert.throws(() => server({ origins: [] }), ConfigurationError);
    assert.throws(() => server({ origins: ["a.example"] }), ConfigurationError);
  });
});
