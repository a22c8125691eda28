// Token revocation (RFC 7009; RFC_CHECKLIST section 13 and App. B-2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryRevocationStore, MemoryTokenStore, StoreFullError, tokenKey, type TokenStore, webCrypto } from "../mod.ts";
import {
  assertNoStore,
  assertOAuthError,
  authServer,
  BASIC_CLIENT,
  formPost,
  INTROSPECT_URL,
  issueToken,
  POST_CLIENT,
  REVOKE_URL,
  RS_CLIENT,
  SECRET,
  TOKEN_URL,
  tokenRequest,
} from "./helpers.ts";

const OWNER: [string, string] = [BASIC_CLIENT.client_id, SECRET];

function revoke(token: string, basic: [string, string] = OWNER, extra: Record<string, string> = {}): Request {
  return formPost(REVOKE_URL, { token, ...extra }, basic);
}

async function isActive(fetch: (r: Request) => Promise<Response>, token: string): Promise<boolean> {
  const res = await fetch(formPost(INTROSPECT_URL, { token }, OWNER));
  assert.equal(res.status, 200);
  return ((await res.json()) as { active: boolean }).active;
}

/** RFC 7009 s2.2: 200, and (our choice) an empty JSON object with no-store. */
async function assertRevoked(res: Response): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assertNoStore(res);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(text, "{}");
}

describe("revocation: answers", () => {
  test("the owner revokes its token -> 200, and the token stops introspecting (V-6)", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const other = await issueToken(fetch);
    assert.equal(await isActive(fetch, token), true);
    await assertRevoked(await fetch(revoke(token)));
    assert.equal(await isActive(fetch, token), false);
    assert.equal(await isActive(fetch, other), true, "only the revoked token is affected");
  });

  test("the revoked record is gone from the token store", async () => {
    const { fetch, store } = authServer();
    const token = await issueToken(fetch);
    assert.equal(store.size, 1);
    await assertRevoked(await fetch(revoke(token)));
    assert.equal(await store.find(await tokenKey(token, webCrypto)), undefined);
  });

  test("an unknown token -> 200 (V-3)", async () => {
    const { fetch } = authServer();
    await assertRevoked(await fetch(revoke("random-string-never-issued")));
  });

  test("an already revoked token -> 200", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    await assertRevoked(await fetch(revoke(token)));
    await assertRevoked(await fetch(revoke(token)));
  });

  test("token_type_hint=foo -> 200 and the token is revoked, never unsupported_token_type (V-4)", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    await assertRevoked(await fetch(revoke(token, OWNER, { token_type_hint: "foo" })));
    assert.equal(await isActive(fetch, token), false);
  });

  test("token_type_hint=refresh_token on an access token: the hint misses, the token is still found and revoked", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    await assertRevoked(await fetch(revoke(token, OWNER, { token_type_hint: "refresh_token" })));
    assert.equal(await isActive(fetch, token), false);
  });

  test("client_secret_post clients revoke their tokens too", async () => {
    const { fetch } = authServer();
    const res = await fetch(tokenRequest({ url: TOKEN_URL, body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: SECRET } }));
    const token = ((await res.json()) as { access_token: string }).access_token;
    await assertRevoked(await fetch(tokenRequest({ url: REVOKE_URL, body: { token, client_id: POST_CLIENT.client_id, client_secret: SECRET } })));
  });
});

describe("revocation: only the owning client (RFC 7009 s2.1; RFC_CHECKLIST App. B-2)", () => {
  test("another client revoking the token -> 400 invalid_grant, and the token stays active (V-2)", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const res = await fetch(tokenRequest({ url: REVOKE_URL, body: { token, client_id: POST_CLIENT.client_id, client_secret: SECRET } }));
    await assertOAuthError(res, 400, "invalid_grant");
    assert.equal(await isActive(fetch, token), true);
  });

  test("a resource server cannot revoke the tokens meant for it either", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    await assertOAuthError(await fetch(revoke(token, [RS_CLIENT.client_id, SECRET])), 400, "invalid_grant");
    assert.equal(await isActive(fetch, token), true);
  });

  test("foreignTokenRevocation: 'silent' -> 200, and the token stays active", async () => {
    const { fetch } = authServer({ foreignTokenRevocation: "silent" });
    const token = await issueToken(fetch);
    await assertRevoked(await fetch(revoke(token, [RS_CLIENT.client_id, SECRET])));
    assert.equal(await isActive(fetch, token), true);
  });

  test("foreignTokenRevocation accepts only its two values", () => {
    assert.throws(() => authServer({ foreignTokenRevocation: "ignore" as never }), /foreignTokenRevocation/);
  });
});

describe("revocation: the caller's credentials and the request (RFC 7009 s2.1)", () => {
  test("bad credentials over Basic -> 401 invalid_client with a challenge, and nothing is revoked (V-1)", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const res = await fetch(revoke(token, [BASIC_CLIENT.client_id, "wrong"]));
    await assertOAuthError(res, 401, "invalid_client");
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="/);
    assert.equal(await isActive(fetch, token), true);
  });

  test("no credentials -> 401 invalid_client with a Basic challenge (as at every endpoint, RFC 6749 s5.2), nothing revoked", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const res = await fetch(tokenRequest({ url: REVOKE_URL, body: { token } }));
    await assertOAuthError(res, 401, "invalid_client");
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="/);
    assert.equal(await isActive(fetch, token), true);
  });

  test("missing token -> 400 invalid_request", async () => {
    const { fetch } = authServer();
    await assertOAuthError(await fetch(formPost(REVOKE_URL, { token_type_hint: "access_token" }, OWNER)), 400, "invalid_request");
  });

  test("GET -> 405 with Allow: POST", async () => {
    const { fetch } = authServer();
    const res = await fetch(new Request(`${REVOKE_URL}?token=x`));
    await assertOAuthError(res, 405, "invalid_request");
    assert.equal(res.headers.get("allow"), "POST");
  });

  test("plain http to a public host -> 400 invalid_request (RFC 7009 s5: TLS), nothing revoked", async () => {
    const { fetch } = authServer({ endpoints: { revocation: "http://localhost/revoke" } });
    const token = await issueToken(fetch);
    await assertOAuthError(await fetch(tokenRequest({ url: "http://as.example.com/revoke", basic: OWNER, body: { token } })), 400, "invalid_request");
    assert.equal(await isActive(fetch, token), true);
  });

  test("a token store that fails to revoke -> 500 server_error (the client may retry), never a throw", async () => {
    const inner = new MemoryTokenStore();
    const failing: TokenStore = {
      save: (k, r) => inner.save(k, r),
      find: (k) => inner.find(k),
      revoke: () => Promise.reject(new Error("connection reset")),
    };
    const { fetch } = authServer({ tokenStore: failing });
    await assertOAuthError(await fetch(revoke(await issueToken(fetch))), 500, "server_error");
  });

  test("a full store while revoking -> 503 temporarily_unavailable with Retry-After (RFC 7009 s2.2.1)", async () => {
    const inner = new MemoryTokenStore();
    const full: TokenStore = {
      save: (k, r) => inner.save(k, r),
      find: (k) => inner.find(k),
      revoke: () => Promise.reject(new StoreFullError("full", 7)),
    };
    const { fetch } = authServer({ tokenStore: full });
    const res = await fetch(revoke(await issueToken(fetch)));
    await assertOAuthError(res, 503, "temporarily_unavailable");
    assert.equal(res.headers.get("retry-after"), "7");
  });

  test("revocationStore is validated at start-up, and a MemoryRevocationStore is accepted", () => {
    assert.throws(() => authServer({ revocationStore: {} as never }), /revocationStore/);
    authServer({ revocationStore: new MemoryRevocationStore() });
  });
});
