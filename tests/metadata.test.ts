// Authorization server metadata (RFC 8414; RFC_CHECKLIST section 14, App. A.2 and App. B-1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClientStore, metadataUrl } from "../mod.ts";
import { assertNoStore, assertOAuthError, authServer, BASIC_CLIENT, ISSUER, METADATA_URL, POST_CLIENT, RS_CLIENT } from "./helpers.ts";
import { HS_CLIENT, PK_CLIENT } from "./assertion_helpers.ts";

async function getDocument(fetch: (r: Request) => Promise<Response>, url: string, headers?: Record<string, string>) {
  const res = await fetch(new Request(url, { headers }));
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal(res.headers.get("content-type"), "application/json");
  assertNoStore(res);
  return JSON.parse(text) as Record<string, unknown>;
}

// RFC_CHECKLIST App. A.2: issuer -> metadata URL -> issuer in the document.
const VECTORS: Array<[string, string]> = [
  ["https://as.example.com", "https://as.example.com/.well-known/oauth-authorization-server"],
  ["https://as.example.com/tenants/t1", "https://as.example.com/.well-known/oauth-authorization-server/tenants/t1"],
  ["https://as.example.com/tenants/t1/", "https://as.example.com/.well-known/oauth-authorization-server/tenants/t1"],
];

describe("metadata: where it lives (RFC 8414 s3, s3.1, s3.3)", () => {
  for (const [issuer, url] of VECTORS) {
    test(`issuer ${issuer} -> ${url}, and the document's issuer is the issuer unchanged`, async () => {
      assert.equal(metadataUrl(issuer), url);
      const { fetch, server } = authServer({ issuer });
      assert.equal(server.endpoints.metadata, url);
      const doc = await getDocument(fetch, url);
      assert.equal(doc.issuer, issuer);
    });
  }

  test("the OIDC-style appended URL is not the metadata URL -> 404", async () => {
    const { fetch } = authServer({ issuer: "https://as.example.com/tenants/t1" });
    const res = await fetch(new Request("https://as.example.com/tenants/t1/.well-known/oauth-authorization-server"));
    await assertOAuthError(res, 404, "invalid_request");
    // Nor the root document, for an issuer with a path.
    await assertOAuthError(await fetch(new Request("https://as.example.com/.well-known/oauth-authorization-server")), 404, "invalid_request");
  });

  test("HEAD -> 200 with the headers and no body; POST -> 405 with Allow: GET, HEAD", async () => {
    const { fetch } = authServer();
    const head = await fetch(new Request(METADATA_URL, { method: "HEAD" }));
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), "application/json");
    assert.equal(await head.text(), "");
    const post = await fetch(new Request(METADATA_URL, { method: "POST", body: "x" }));
    await assertOAuthError(post, 405, "invalid_request");
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  });

  test("the document is served as built: server.metadata", async () => {
    const { fetch, server } = authServer();
    assert.deepEqual(await getDocument(fetch, METADATA_URL), JSON.parse(JSON.stringify(server.metadata)));
    assert.ok(Object.isFrozen(server.metadata));
  });

  test("spoofed Host and X-Forwarded-* headers change nothing in the document (T-9)", async () => {
    const { fetch } = authServer();
    const plain = await getDocument(fetch, METADATA_URL);
    const spoofed = await getDocument(fetch, METADATA_URL, {
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
      "forwarded": "host=evil.example;proto=http",
    });
    assert.deepEqual(spoofed, plain);
    assert.ok(!JSON.stringify(spoofed).includes("evil"));
  });
});

describe("metadata: what it says, derived from the configuration (RFC 8414 s2)", () => {
  test("default server: every member, and nothing else", async () => {
    const { fetch } = authServer();
    assert.deepEqual(await getDocument(fetch, METADATA_URL), {
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/token`,
      scopes_supported: ["read", "write", "admin"],
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      revocation_endpoint: `${ISSUER}/revoke`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      introspection_endpoint: `${ISSUER}/introspect`,
      introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      dpop_signing_alg_values_supported: ["ES256", "ES384", "EdDSA", "RS256", "PS256"],
    });
  });

  test("no member is an empty array or null (s3.2)", async () => {
    const { fetch } = authServer({}, [{ ...RS_CLIENT }]);
    const doc = await getDocument(fetch, METADATA_URL);
    for (const [key, value] of Object.entries(doc)) {
      assert.ok(value !== null && !(Array.isArray(value) && value.length === 0), `${key} is ${JSON.stringify(value)}`);
    }
    assert.ok(!("scopes_supported" in doc), "no client has a scope");
  });

  test("grant_types_supported lists client_credentials (the default would be authorization_code and implicit, M-9)", async () => {
    const doc = await getDocument(authServer().fetch, METADATA_URL);
    assert.deepEqual(doc.grant_types_supported, ["client_credentials"]);
  });

  test("auth methods: only those the registered clients use; all implemented ones for a client store", async () => {
    const basicOnly = await getDocument(authServer({}, [BASIC_CLIENT]).fetch, METADATA_URL);
    assert.deepEqual(basicOnly.token_endpoint_auth_methods_supported, ["client_secret_basic"]);
    assert.deepEqual(basicOnly.introspection_endpoint_auth_methods_supported, ["client_secret_basic"]);
    const postOnly = await getDocument(authServer({}, [POST_CLIENT]).fetch, METADATA_URL);
    assert.deepEqual(postOnly.revocation_endpoint_auth_methods_supported, ["client_secret_post"]);
    const store: ClientStore = { getClient: () => undefined };
    const fromStore = await getDocument(authServer({ clients: store }).fetch, METADATA_URL);
    assert.deepEqual(fromStore.token_endpoint_auth_methods_supported, [
      "client_secret_basic",
      "client_secret_post",
      "private_key_jwt",
      "client_secret_jwt",
    ]);
    assert.ok(!("scopes_supported" in fromStore), "a client store's scopes are unknown");
  });

  test("no JWT signing and no assertion clients: no jwks_uri, and no *_auth_signing_alg_values_supported (M-10)", async () => {
    const doc = await getDocument(authServer().fetch, METADATA_URL);
    assert.ok(!("jwks_uri" in doc));
    for (const key of Object.keys(doc)) assert.ok(!key.endsWith("_auth_signing_alg_values_supported"), key);
    // The one other *_signing_alg_values_supported member is DPoP's (RFC 9449 s5.1), exactly the proof algorithms.
    assert.deepEqual(Object.keys(doc).filter((k) => k.endsWith("_signing_alg_values_supported")), ["dpop_signing_alg_values_supported"]);
    assert.deepEqual(doc.dpop_signing_alg_values_supported, ["ES256", "ES384", "EdDSA", "RS256", "PS256"]);
  });

  test("scopesSupported overrides the derived list, and is validated", async () => {
    const doc = await getDocument(authServer({ scopesSupported: ["read", "read", "write"] }).fetch, METADATA_URL);
    assert.deepEqual(doc.scopes_supported, ["read", "write"]);
    assert.throws(() => authServer({ scopesSupported: ["has space"] }), /scopesSupported/);
    assert.throws(() => authServer({ scopesSupported: [] }), /scopesSupported/);
  });

  test("response_types_supported is omitted by default (RFC_CHECKLIST App. B-1) and published when configured", async () => {
    assert.ok(!("response_types_supported" in (await getDocument(authServer().fetch, METADATA_URL))));
    const doc = await getDocument(authServer({ responseTypesSupported: ["code"] }).fetch, METADATA_URL);
    assert.deepEqual(doc.response_types_supported, ["code"]);
    assert.throws(() => authServer({ responseTypesSupported: [] }), /responseTypesSupported/);
  });

  test("authorization_endpoint: omitted by default; when configured, published and refusing every request", async () => {
    const plain = await getDocument(authServer().fetch, METADATA_URL);
    assert.ok(!("authorization_endpoint" in plain));
    assert.equal(Object.keys(plain)[1], "token_endpoint");
    const { fetch, server } = authServer({ endpoints: { authorization: "/authorize" }, responseTypesSupported: ["code"] });
    const doc = await getDocument(fetch, METADATA_URL);
    assert.equal(doc.authorization_endpoint, `${ISSUER}/authorize`);
    assert.equal(server.endpoints.authorization, `${ISSUER}/authorize`);
    // Never a redirect, whatever the request asks for (RFC 6749 s4.1.2.1: no registered redirect URI).
    const get = await fetch(new Request(`${ISSUER}/authorize?response_type=code&client_id=basic-client&redirect_uri=https://evil.example/cb`));
    const body = await assertOAuthError(get, 400, "unsupported_response_type");
    assert.match(String(body.error_description), /client credentials grant only/);
    assert.equal(get.headers.get("location"), null);
    await assertOAuthError(await fetch(new Request(`${ISSUER}/authorize`, { method: "POST" })), 400, "unsupported_response_type");
    await assertOAuthError(await fetch(new Request(`${ISSUER}/authorize`, { method: "PUT" })), 405, "invalid_request");
    assert.throws(() => authServer({ endpoints: { authorization: "/token" } }), /share the path/);
    assert.throws(() => authServer({ endpoints: { authorization: "http://evil.example/authorize" } }), /endpoints\.authorization/);
  });

  test("disabled endpoints are not published and not served", async () => {
    const { fetch } = authServer({ endpoints: { introspection: false, revocation: false } });
    const doc = await getDocument(fetch, METADATA_URL);
    for (const key of Object.keys(doc)) assert.ok(!/^(introspection|revocation)_/.test(key), key);
    await assertOAuthError(await fetch(new Request(`${ISSUER}/introspect`, { method: "POST" })), 404, "invalid_request");
    await assertOAuthError(await fetch(new Request(`${ISSUER}/revoke`, { method: "POST" })), 404, "invalid_request");
  });

  test("configured endpoint URLs are published exactly, a query kept (RFC_CHECKLIST TE-4)", async () => {
    const { fetch, server } = authServer({
      endpoints: { token: "https://as.example.com/oauth2/token?tenant=a", introspection: "/oauth2/introspect" },
    });
    const doc = await getDocument(fetch, METADATA_URL);
    assert.equal(doc.token_endpoint, "https://as.example.com/oauth2/token?tenant=a");
    assert.equal(doc.introspection_endpoint, "https://as.example.com/oauth2/introspect");
    assert.equal(server.endpoints.token, doc.token_endpoint);
  });
});

describe("metadata: JWT client authentication (RFC 8414 s2, RFC_CHECKLIST M-10, M-11)", () => {
  const ALG_MEMBERS = [
    "token_endpoint_auth_signing_alg_values_supported",
    "introspection_endpoint_auth_signing_alg_values_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
  ];

  test("private_key_jwt and client_secret_jwt are listed, with the algorithms, at every endpoint", async () => {
    const doc = await getDocument(authServer({}, [BASIC_CLIENT, PK_CLIENT, HS_CLIENT]).fetch, METADATA_URL);
    const methods = ["client_secret_basic", "private_key_jwt", "client_secret_jwt"];
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, methods);
    assert.deepEqual(doc.introspection_endpoint_auth_methods_supported, methods);
    assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, methods);
    for (const member of ALG_MEMBERS) {
      assert.deepEqual(doc[member], ["ES256", "ES384", "EdDSA", "RS256", "PS256", "HS256"], member);
    }
  });

  test("the algorithms follow the clients: private_key_jwt only -> no HS256; a pinned alg -> that one", async () => {
    const pkOnly = await getDocument(authServer({}, [PK_CLIENT]).fetch, METADATA_URL);
    assert.deepEqual(pkOnly.token_endpoint_auth_methods_supported, ["private_key_jwt"]);
    assert.deepEqual(pkOnly.token_endpoint_auth_signing_alg_values_supported, ["ES256", "ES384", "EdDSA", "RS256", "PS256"]);
    const pinned = await getDocument(authServer({}, [{ ...PK_CLIENT, token_endpoint_auth_signing_alg: "EdDSA" }]).fetch, METADATA_URL);
    assert.deepEqual(pinned.token_endpoint_auth_signing_alg_values_supported, ["EdDSA"]);
    const hsOnly = await getDocument(authServer({}, [HS_CLIENT]).fetch, METADATA_URL);
    assert.deepEqual(hsOnly.token_endpoint_auth_signing_alg_values_supported, ["HS256"]);
  });

  test("whenever a JWT method is listed, its alg member is present, non-empty and never none (client store too)", async () => {
    const store: ClientStore = { getClient: () => undefined };
    for (const fetch of [authServer({ clients: store }).fetch, authServer({}, [PK_CLIENT]).fetch, authServer({}, [HS_CLIENT]).fetch]) {
      const doc = await getDocument(fetch, METADATA_URL);
      for (const prefix of ["token", "introspection", "revocation"]) {
        const methods = doc[`${prefix}_endpoint_auth_methods_supported`] as string[];
        const algs = doc[`${prefix}_endpoint_auth_signing_alg_values_supported`] as string[] | undefined;
        if (methods.includes("private_key_jwt") || methods.includes("client_secret_jwt")) {
          assert.ok(Array.isArray(algs) && algs.length > 0, prefix);
          assert.ok(!algs.includes("none"));
        }
        if (methods.includes("private_key_jwt")) assert.ok(algs!.includes("RS256"), "RFC 8414 s2: SHOULD support RS256");
      }
    }
  });
});
