// Token introspection (RFC 7662; RFC_CHECKLIST section 12 and App. B-3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClientRegistration, defaultIntrospectionPolicy, MemoryTokenStore, type TokenRecord, type TokenStore } from "../mod.ts";
import {
  API,
  assertNoStore,
  assertOAuthError,
  authServer,
  BASIC_CLIENT,
  fakeClock,
  formPost,
  INTROSPECT_URL,
  ISSUER,
  issueToken,
  plantToken,
  POST_CLIENT,
  RS_CLIENT,
  SECRET,
  tokenRequest,
} from "./helpers.ts";

const OWNER: [string, string] = [BASIC_CLIENT.client_id, SECRET];
const RS: [string, string] = [RS_CLIENT.client_id, SECRET];

function introspect(token: string, basic: [string, string] = OWNER, extra: Record<string, string> = {}): Request {
  return formPost(INTROSPECT_URL, { token, ...extra }, basic);
}

/** Introspection by POST_CLIENT, which authenticates with client_secret_post. */
function introspectByPostClient(token: string): Request {
  return tokenRequest({ url: INTROSPECT_URL, body: { token, client_id: POST_CLIENT.client_id, client_secret: SECRET } });
}

/** RFC 7662 s2.2: an inactive answer is exactly {"active":false}, as JSON with no-store. */
async function assertInactive(res: Response): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assertNoStore(res);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(text, '{"active":false}');
}

async function active(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assertNoStore(res);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.active, true, text);
  return body;
}

function record(overrides: Partial<TokenRecord> = {}): TokenRecord {
  const now = Math.floor(Date.now() / 1000);
  return { client_id: BASIC_CLIENT.client_id, scope: "read", iat: now, exp: now + 600, ...overrides };
}

describe("introspection: answers", () => {
  test("active token -> client_id, scope, token_type, exp, iat, iss, sub, with the RFC 7662 s2.2 types", async () => {
    const clock = fakeClock();
    const { fetch } = authServer({ clock: clock.now });
    const token = await issueToken(fetch, OWNER, "read write");
    const body = await active(await fetch(introspect(token)));
    const now = clock.now() / 1000;
    assert.deepEqual(body, {
      active: true,
      client_id: BASIC_CLIENT.client_id,
      scope: "read write",
      token_type: "Bearer",
      exp: now + 600,
      iat: now,
      iss: ISSUER,
      sub: BASIC_CLIENT.client_id,
    });
    assert.ok(Number.isInteger(body.exp) && Number.isInteger(body.iat));
  });

  test("aud, jti and cnf are reported when known; a key-bound token has token_type DPoP (RFC 9449 s6.2)", async () => {
    const { fetch, store } = authServer();
    const jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const token = await plantToken(store, record({ aud: [API, "https://b.example"], jti: "id-1", cnf: { jkt } }));
    const body = await active(await fetch(introspect(token)));
    assert.deepEqual(body.aud, [API, "https://b.example"]);
    assert.equal(body.jti, "id-1");
    assert.deepEqual(body.cnf, { jkt });
    assert.equal(body.token_type, "DPoP");
  });

  test("a token with no scope has no scope member", async () => {
    const { fetch, store } = authServer();
    const body = await active(await fetch(introspect(await plantToken(store, record({ scope: "" })))));
    assert.ok(!("scope" in body));
  });

  test("unknown token -> exactly {\"active\":false} (RFC 7662 s2.2)", async () => {
    const { fetch } = authServer();
    await assertInactive(await fetch(introspect("no-such-token")));
  });

  test("expired token -> {\"active\":false}, from the second of its exp", async () => {
    const clock = fakeClock();
    const { fetch } = authServer({ clock: clock.now });
    const token = await issueToken(fetch);
    clock.advance(599.999);
    await active(await fetch(introspect(token)));
    clock.advance(0.001);
    await assertInactive(await fetch(introspect(token)));
  });

  test("a store that returns an expired record does not make it active (expiry is checked here too)", async () => {
    const inner = new MemoryTokenStore();
    const stale: TokenStore = {
      save: (k, r) => inner.save(k, r),
      find: async (k) => {
        const r = await inner.find(k);
        return r === undefined ? undefined : { ...r, exp: 1 };
      },
      revoke: (k) => inner.revoke(k),
    };
    const { fetch } = authServer({ tokenStore: stale });
    const token = await issueToken(fetch);
    await assertInactive(await fetch(introspect(token)));
  });

  test("token_type_hint is only a hint: refresh_token, or an unknown value, still finds the token (I-3)", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    await active(await fetch(introspect(token, OWNER, { token_type_hint: "refresh_token" })));
    await active(await fetch(introspect(token, OWNER, { token_type_hint: "banana" })));
    await active(await fetch(introspect(token, OWNER, { token_type_hint: "access_token" })));
  });

  test("extra parameters are ignored (RFC 7662 s2.1)", async () => {
    const { fetch } = authServer();
    await active(await fetch(introspect(await issueToken(fetch), OWNER, { resource: API, foo: "bar" })));
  });
});

describe("introspection: who sees what (default policy)", () => {
  test("a client sees its own tokens, and another client's token is {\"active\":false}", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    await active(await fetch(introspect(token)));
    await assertInactive(await fetch(introspectByPostClient(token)));
  });

  test("client_secret_post callers authenticate as at the token endpoint", async () => {
    const { fetch } = authServer();
    const res = await fetch(
      tokenRequest({ url: INTROSPECT_URL, body: { token: "x", client_id: POST_CLIENT.client_id, client_secret: SECRET } }),
    );
    await assertInactive(res);
  });

  test("a resource server sees the tokens whose aud names it; a token for another RS is {\"active\":false} (I-7)", async () => {
    const { fetch, store } = authServer();
    const forApi = await plantToken(store, record({ aud: API }));
    const forApiAmongOthers = await plantToken(store, record({ aud: ["https://other.example", API] }));
    const forOther = await plantToken(store, record({ aud: "https://other.example" }));
    assert.equal((await active(await fetch(introspect(forApi, RS)))).client_id, BASIC_CLIENT.client_id);
    await active(await fetch(introspect(forApiAmongOthers, RS)));
    await assertInactive(await fetch(introspect(forOther, RS)));
  });

  test("a resource server does not see another client's token that names no audience", async () => {
    const { fetch } = authServer();
    await assertInactive(await fetch(introspect(await issueToken(fetch), RS)));
  });

  test("a client that is not a resource server does not see a token for an RS, even an audience it knows", async () => {
    const { fetch, store } = authServer();
    await assertInactive(await fetch(introspectByPostClient(await plantToken(store, record({ aud: API })))));
  });

  test("resource_server accepts a list, and is validated at start-up", () => {
    const ok = { ...RS_CLIENT, resource_server: [API, "https://b.example"] };
    assert.ok(defaultIntrospectionPolicy.allowToken(ok, record({ client_id: "x", aud: "https://b.example" })));
    assert.throws(() => authServer({}, [{ ...RS_CLIENT, resource_server: [] as string[] }]), /resource_server/);
    assert.throws(() => authServer({}, [{ ...RS_CLIENT, resource_server: "" }]), /resource_server/);
  });
});

describe("introspection: policy hook (RFC_CHECKLIST App. B-3)", () => {
  test("a caller the policy does not allow at all -> 403 unauthorized_client, and the token is not looked up", async () => {
    const inner = new MemoryTokenStore();
    let finds = 0;
    const counting: TokenStore = { save: (k, r) => inner.save(k, r), find: (k) => (finds++, inner.find(k)), revoke: (k) => inner.revoke(k) };
    const { fetch } = authServer({
      tokenStore: counting,
      introspectionPolicy: { allowCaller: (c: ClientRegistration) => c.resource_server !== undefined },
    });
    const token = await issueToken(fetch);
    finds = 0;
    await assertOAuthError(await fetch(introspect(token)), 403, "unauthorized_client");
    assert.equal(finds, 0);
    await assertInactive(await fetch(introspect(token, RS)));
  });

  test("allowToken decides visibility, composed with the default", async () => {
    const { fetch } = authServer({
      introspectionPolicy: {
        allowToken: async (caller, token) => caller.client_id === POST_CLIENT.client_id || defaultIntrospectionPolicy.allowToken(caller, token),
      },
    });
    const token = await issueToken(fetch);
    await active(await fetch(introspectByPostClient(token)));
    await assertInactive(await fetch(introspect(token, RS)));
  });

  test("a policy that throws fails closed: 500 server_error, no throw, nothing revealed", async () => {
    const { fetch } = authServer({
      introspectionPolicy: {
        allowToken: () => {
          throw new Error("policy database down");
        },
      },
    });
    const res = await fetch(introspect(await issueToken(fetch)));
    const body = await assertOAuthError(res, 500, "server_error");
    assert.ok(!JSON.stringify(body).includes("database"));
  });
});

describe("introspection: the caller's credentials (RFC 7662 s2.1, s2.3)", () => {
  test("no client authentication -> 401 invalid_client with a Basic challenge (I-2)", async () => {
    const { fetch } = authServer();
    const res = await fetch(tokenRequest({ url: INTROSPECT_URL, body: { token: "x" } }));
    await assertOAuthError(res, 401, "invalid_client");
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="/);
  });

  test("wrong secret over Basic -> 401 invalid_client + challenge; the token is not answered", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const body = await assertOAuthError(await fetch(introspect(token, [BASIC_CLIENT.client_id, "wrong"])), 401, "invalid_client");
    assert.ok(!("active" in body));
  });

  test("wrong secret in the body -> 401 invalid_client + challenge too (s2.3)", async () => {
    const { fetch } = authServer();
    const res = await fetch(
      tokenRequest({ url: INTROSPECT_URL, body: { token: "x", client_id: POST_CLIENT.client_id, client_secret: "wrong" } }),
    );
    await assertOAuthError(res, 401, "invalid_client");
  });

  test("unknown caller and wrong secret get identical answers", async () => {
    const { fetch } = authServer();
    const a = await fetch(introspect("x", ["nobody", SECRET]));
    const b = await fetch(introspect("x", [BASIC_CLIENT.client_id, "wrong"]));
    assert.equal(a.status, b.status);
    assert.equal(await a.text(), await b.text());
    assert.deepEqual([...a.headers], [...b.headers]);
  });

  test("two authentication methods -> 400 invalid_request", async () => {
    const { fetch } = authServer();
    const res = await fetch(tokenRequest({ url: INTROSPECT_URL, basic: OWNER, body: { token: "x", client_secret: SECRET } }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("missing token -> 400 invalid_request (token is REQUIRED)", async () => {
    const { fetch } = authServer();
    await assertOAuthError(await fetch(formPost(INTROSPECT_URL, {}, OWNER)), 400, "invalid_request");
    await assertOAuthError(await fetch(formPost(INTROSPECT_URL, { token: "" }, OWNER)), 400, "invalid_request");
  });

  test("a repeated token parameter -> 400 invalid_request", async () => {
    const { fetch } = authServer();
    await assertOAuthError(await fetch(tokenRequest({ url: INTROSPECT_URL, basic: OWNER, body: "token=a&token=b" })), 400, "invalid_request");
  });

  test("GET -> 405 with Allow: POST (T-3)", async () => {
    const { fetch } = authServer();
    const res = await fetch(new Request(`${INTROSPECT_URL}?token=x`));
    await assertOAuthError(res, 405, "invalid_request");
    assert.equal(res.headers.get("allow"), "POST");
  });

  test("a JSON body -> 400 invalid_request", async () => {
    const { fetch } = authServer();
    const res = await fetch(tokenRequest({ url: INTROSPECT_URL, basic: OWNER, body: '{"token":"x"}', headers: { "content-type": "application/json" } }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("plain http to a public host -> 400 invalid_request (RFC 7662 s4: TLS)", async () => {
    const { fetch } = authServer({ endpoints: { introspection: "http://localhost/introspect" } });
    const res = await fetch(tokenRequest({ url: "http://as.example.com/introspect", basic: OWNER, body: { token: "x" } }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("client_secret in the query -> 400 invalid_request (RFC 6749 s2.3.1)", async () => {
    const { fetch } = authServer();
    const res = await fetch(
      tokenRequest({ url: `${INTROSPECT_URL}?client_secret=${SECRET}`, body: { token: "x", client_id: POST_CLIENT.client_id } }),
    );
    await assertOAuthError(res, 400, "invalid_request");
  });
});
