// Client authentication at the token endpoint (RFC 6749 s2.3, s2.3.1, s5.2; RFC_CHECKLIST section 2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hashClientSecret, MemoryTokenStore, type TokenRecord, webCrypto } from "../mod.ts";
import { clientLookup } from "../src/clients/client_lookup.ts";
import {
  assertOAuthError,
  assertToken,
  BASIC_CLIENT,
  fakeClock,
  ISSUER,
  POST_CLIENT,
  SECRET,
  testServer,
  tokenRequest,
} from "./helpers.ts";

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

describe("client_secret_basic", () => {
  test("valid Basic credentials -> 200", async () => {
    const { fetch } = testServer();
    await assertToken(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] })));
  });

  test("the scheme name is case-insensitive", async () => {
    const { fetch } = testServer();
    for (const scheme of ["basic", "BASIC", "bAsIc"]) {
      const res = await fetch(tokenRequest({
        headers: { authorization: `${scheme} ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}` },
      }));
      await assertToken(res);
    }
  });

  test("RFC 6749 App. B: id and secret with reserved and non-ASCII characters are form-decoded", async () => {
    const id = "my:client +&=%é";
    const secret = "p@ss w+rd%/é:&=" + SECRET;
    const { fetch } = testServer({}, [{ client_id: id, client_secret: secret, grant_types: ["client_credentials"] }]);
    await assertToken(await fetch(tokenRequest({ basic: [id, secret] })));
  });

  test("RFC_CHECKLIST App. A.1 vector: raw (unencoded) my:client splits at the first colon -> 401 invalid_client", async () => {
    const { fetch } = testServer({}, [{ client_id: "my:client", client_secret: "p@ss w+rd%/é" + SECRET, grant_types: ["client_credentials"] }]);
    const res = await fetch(tokenRequest({ headers: { authorization: "Basic bXk6Y2xpZW50OnBAc3MgdytyZCUvw6k=" } }));
    await assertOAuthError(res, 401, "invalid_client");
  });

  test("a secret containing a colon survives the split at the first colon", async () => {
    const secret = `${SECRET}:tail`;
    const { fetch } = testServer({}, [{ client_id: "c", client_secret: secret, grant_types: ["client_credentials"] }]);
    await assertToken(await fetch(tokenRequest({ headers: { authorization: `Basic ${b64(`c:${secret}`)}` } })));
  });

  for (const [name, header] of [
    ["not base64", "Basic !!!"],
    ["no colon", `Basic ${b64("justanid")}`],
    ["empty credentials", "Basic "],
    ["scheme only", "Basic"],
    ["bad percent-escape", `Basic ${b64("a%zz:b")}`],
    ["invalid UTF-8", "Basic " + btoa("\xff\xfe:x")],
    ["an empty client id", `Basic ${b64(`:${SECRET}`)}`],
    ["another scheme", `Bearer ${SECRET}`],
    ["Digest", 'Digest username="x"'],
  ]) {
    test(`malformed Authorization (${name}) -> 401 invalid_client with a Basic realm challenge`, async () => {
      const { fetch } = testServer();
      const res = await fetch(tokenRequest({ headers: { authorization: header! } }));
      await assertOAuthError(res, 401, "invalid_client");
      assert.equal(res.headers.get("www-authenticate"), `Basic realm="${ISSUER}"`);
    });
  }

  test("two Authorization headers -> 400 invalid_request (RFC_CHECKLIST T-8)", async () => {
    const { fetch } = testServer();
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
    headers.append("authorization", `Basic ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}`);
    headers.append("authorization", `Basic ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}`);
    const res = await fetch(new Request("https://as.example.com/token", {
      method: "POST",
      headers,
      body: "grant_type=client_credentials",
    }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("body client_id equal to the Basic id is allowed; a different one -> 400 invalid_request", async () => {
    const { fetch } = testServer();
    await assertToken(await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: { grant_type: "client_credentials", client_id: BASIC_CLIENT.client_id },
    })));
    await assertOAuthError(
      await fetch(tokenRequest({
        basic: [BASIC_CLIENT.client_id, SECRET],
        body: { grant_type: "client_credentials", client_id: "post-client" },
      })),
      400,
      "invalid_request",
    );
  });
});

describe("client_secret_post", () => {
  test("client_id and client_secret in the body -> 200", async () => {
    const { fetch } = testServer();
    await assertToken(await fetch(tokenRequest({
      body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: SECRET },
    })));
  });

  test("client_secret without client_id -> 400 invalid_client", async () => {
    const { fetch } = testServer();
    await assertOAuthError(
      await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_secret: SECRET } })),
      400,
      "invalid_client",
    );
  });

  test("wrong secret in the body -> 400 invalid_client (no header was used, RFC_CHECKLIST App. B-4)", async () => {
    const { fetch } = testServer();
    await assertOAuthError(
      await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: "x" } })),
      400,
      "invalid_client",
    );
  });
});

describe("one method per request, and the registered method only", () => {
  test("Basic plus body client_secret -> 400 invalid_request, even when both are right", async () => {
    const { fetch, store } = testServer();
    const res = await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: { grant_type: "client_credentials", client_id: BASIC_CLIENT.client_id, client_secret: SECRET },
    }));
    await assertOAuthError(res, 400, "invalid_request");
    assert.equal(store.size, 0);
  });

  test("Basic plus client_assertion -> 400 invalid_request", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: {
        grant_type: "client_credentials",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: "a.b.c",
      },
    }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("body client_secret plus client_assertion -> 400 invalid_request", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({
      body: {
        grant_type: "client_credentials",
        client_id: POST_CLIENT.client_id,
        client_secret: SECRET,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: "a.b.c",
      },
    }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("Basic for a client registered for client_secret_post -> 401 invalid_client", async () => {
    const { fetch } = testServer();
    await assertOAuthError(await fetch(tokenRequest({ basic: [POST_CLIENT.client_id, SECRET] })), 401, "invalid_client");
  });

  test("body credentials for a client registered for client_secret_basic -> invalid_client", async () => {
    const { fetch } = testServer();
    await assertOAuthError(
      await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_id: BASIC_CLIENT.client_id, client_secret: SECRET } })),
      400,
      "invalid_client",
    );
  });

  // RFC 6749 s5.2: a 401 names the schemes the server supports (see no_client_authentication.test.ts).
  test("no credentials at all -> 401 invalid_client with a Basic challenge, no token", async () => {
    const { fetch, store } = testServer();
    const res = await fetch(tokenRequest({ body: "grant_type=client_credentials" }));
    await assertOAuthError(res, 401, "invalid_client");
    assert.equal(res.headers.get("www-authenticate"), `Basic realm="${ISSUER}"`);
    assert.equal(store.size, 0);
  });

  test("only a client_id (a public client's request) -> 401 invalid_client, no token (RFC 6749 s4.4)", async () => {
    const { fetch, store } = testServer();
    const res = await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_id: BASIC_CLIENT.client_id } }));
    await assertOAuthError(res, 401, "invalid_client");
    assert.equal(res.headers.get("www-authenticate"), `Basic realm="${ISSUER}"`);
    assert.equal(store.size, 0);
  });

  test("an empty client_secret= is absent: the request has no credentials -> 401", async () => {
    const { fetch, store } = testServer();
    const res = await fetch(tokenRequest({ body: `grant_type=client_credentials&client_id=${POST_CLIENT.client_id}&client_secret=` }));
    await assertOAuthError(res, 401, "invalid_client");
    assert.equal(res.headers.get("www-authenticate"), `Basic realm="${ISSUER}"`);
    assert.equal(store.size, 0);
  });
});

describe("unknown client and wrong secret are indistinguishable", () => {
  async function answer(res: Response) {
    return { status: res.status, headers: [...res.headers], body: await res.text() };
  }

  test("Basic: same status, headers and body", async () => {
    const { fetch } = testServer();
    const unknown = await answer(await fetch(tokenRequest({ basic: ["no-such-client", SECRET] })));
    const wrong = await answer(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET + "x"] })));
    const wrongMethod = await answer(await fetch(tokenRequest({ basic: [POST_CLIENT.client_id, SECRET] })));
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong, unknown);
    assert.deepEqual(wrongMethod, unknown);
  });

  test("post: same status, headers and body", async () => {
    const { fetch } = testServer();
    const req = (id: string, secret: string) =>
      tokenRequest({ body: { grant_type: "client_credentials", client_id: id, client_secret: secret } });
    const unknown = await answer(await fetch(req("no-such-client", SECRET)));
    const wrong = await answer(await fetch(req(POST_CLIENT.client_id, "nope")));
    assert.equal(unknown.status, 400);
    assert.deepEqual(wrong, unknown);
  });

  test("the secret is hashed and compared whether or not the client exists", async () => {
    let digests = 0;
    let compares = 0;
    const { webCrypto } = await import("../mod.ts");
    const { fetch } = testServer({
      crypto: {
        ...webCrypto,
        digest(alg, data) {
          digests++;
          return webCrypto.digest(alg, data);
        },
        timingSafeEqual(a, b) {
          compares++;
          return webCrypto.timingSafeEqual(a, b);
        },
      },
    });
    // Prepare the known client first so its one-off hashing is not counted.
    await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, "warm-up"] }));
    digests = compares = 0;
    await fetch(tokenRequest({ basic: ["no-such-client", SECRET] }));
    const unknown = { digests, compares };
    digests = compares = 0;
    await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, "wrong"] }));
    assert.deepEqual({ digests, compares }, unknown);
    assert.deepEqual(unknown, { digests: 1, compares: 1 });
  });
});

describe("secrets at rest", () => {
  test("a client registered with a $sha256$ hash authenticates; the hash itself is not a secret", async () => {
    const hash = await hashClientSecret(SECRET);
    const { fetch } = testServer({}, [{ client_id: "h", client_secret_hash: hash, grant_types: ["client_credentials"] }]);
    await assertToken(await fetch(tokenRequest({ basic: ["h", SECRET] })));
    await assertOAuthError(await fetch(tokenRequest({ basic: ["h", hash] })), 401, "invalid_client");
  });

  test("a PBKDF2 hash of a human-chosen secret authenticates", async () => {
    const hash = await hashClientSecret("correct horse", { algorithm: "pbkdf2-sha256", iterations: 1000 });
    const { fetch } = testServer({}, [{ client_id: "h", client_secret_hash: hash, grant_types: ["client_credentials"] }]);
    await assertToken(await fetch(tokenRequest({ basic: ["h", "correct horse"] })));
    await assertOAuthError(await fetch(tokenRequest({ basic: ["h", "correct horsf"] })), 401, "invalid_client");
  });

  test("rotation: two hashes are both accepted; removing the old one retires it", async () => {
    const oldSecret = SECRET;
    const newSecret = SECRET.split("").reverse().join("");
    const both = [await hashClientSecret(oldSecret), await hashClientSecret(newSecret)];
    const during = testServer({}, [{ client_id: "r", client_secret_hash: both, grant_types: ["client_credentials"] }]);
    await assertToken(await during.fetch(tokenRequest({ basic: ["r", oldSecret] })));
    await assertToken(await during.fetch(tokenRequest({ basic: ["r", newSecret] })));
    const after = testServer({}, [{ client_id: "r", client_secret_hash: both[1]!, grant_types: ["client_credentials"] }]);
    await assertOAuthError(await after.fetch(tokenRequest({ basic: ["r", oldSecret] })), 401, "invalid_client");
    await assertToken(await after.fetch(tokenRequest({ basic: ["r", newSecret] })));
  });

  test("an expired secret (client_secret_expires_at in the past) -> invalid_client", async () => {
    const clock = fakeClock();
    const expiresAt = Math.floor(clock.now() / 1000) + 60;
    const { fetch } = testServer({ clock: clock.now, tokenStore: new MemoryTokenStore({ clock: clock.now }) }, [{
      ...BASIC_CLIENT,
      client_secret_expires_at: expiresAt,
    }]);
    await assertToken(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] })));
    clock.advance(60);
    await assertOAuthError(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] })), 401, "invalid_client");
  });

  test("a client store is asked by client_id and its registrations are used", async () => {
    const asked: string[] = [];
    const { fetch } = testServer({
      clients: {
        getClient(id) {
          asked.push(id);
          return id === BASIC_CLIENT.client_id ? BASIC_CLIENT : undefined;
        },
      },
    });
    await assertToken(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] })));
    await assertOAuthError(await fetch(tokenRequest({ basic: ["other", SECRET] })), 401, "invalid_client");
    assert.deepEqual(asked, [BASIC_CLIENT.client_id, "other"]);
  });

  test("a client store that throws, synchronously or not, is a 500 server_error; one that answers for another id is not trusted", async () => {
    for (const getClient of [() => { throw new Error("db down"); }, () => Promise.reject(new Error("db down"))]) {
      const { fetch } = testServer({ clients: { getClient } });
      await assertOAuthError(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] })), 500, "server_error");
    }
    for (const answer of [(id: string) => ({ ...BASIC_CLIENT, client_id: `${id}x` }), async (id: string) => ({ ...BASIC_CLIENT, client_id: `${id}x` })]) {
      const { fetch } = testServer({ clients: { getClient: answer } });
      await assertOAuthError(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] })), 401, "invalid_client");
    }
  });

  test("a fixed client list answers without a promise once a registration is prepared (the request path's fast case)", async () => {
    const findClient = clientLookup([BASIC_CLIENT], webCrypto, 1000);
    const first = await findClient(BASIC_CLIENT.client_id);
    assert.equal(first?.client_id, BASIC_CLIENT.client_id);
    const again = findClient(BASIC_CLIENT.client_id);
    assert.ok(!(again instanceof Promise), "a prepared registration from a fixed list comes synchronously");
    assert.equal(again, first, "the same prepared client");
    assert.equal(findClient("nobody"), undefined);
    assert.ok(clientLookup({ getClient: async () => BASIC_CLIENT }, webCrypto, 1000)(BASIC_CLIENT.client_id) instanceof Promise, "an async store's answer stays a promise");
  });

  test("an async client store works", async () => {
    const { fetch } = testServer({
      clients: { getClient: async (id) => id === POST_CLIENT.client_id ? { ...POST_CLIENT } : undefined },
    });
    const res = await fetch(tokenRequest({
      body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: SECRET },
    }));
    const body = await assertToken(res);
    assert.equal(body.scope, "read");
  });
});

test("the record names the authenticated client", async () => {
  const saved: TokenRecord[] = [];
  const store = new MemoryTokenStore();
  const { fetch } = testServer({
    tokenStore: { save: (k, r) => (saved.push(r), store.save(k, r)), find: (k) => store.find(k), revoke: (k) => store.revoke(k) },
  });
  await assertToken(await fetch(tokenRequest({
    body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: SECRET },
  })));
  assert.equal(saved[0]?.client_id, POST_CLIENT.client_id);
});
