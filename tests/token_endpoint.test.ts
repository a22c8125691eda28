// The token endpoint: the client credentials grant, the success response, error responses,
// and HTTP hygiene (RFC 6749 s3.2, s3.3, s4.4, s5.1, s5.2; RFC_CHECKLIST sections 0, 1, 3-7).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore, tokenKey, webCrypto } from "../mod.ts";
import {
  assertOAuthError,
  assertToken,
  BASIC_CLIENT,
  basicRequest,
  fakeClock,
  ISSUER,
  POST_CLIENT,
  SECRET,
  testServer,
  tokenRequest,
} from "./helpers.ts";

describe("client credentials grant", () => {
  test("minimal valid request -> 200 Bearer token with expires_in as a number and no refresh_token", async () => {
    const { fetch } = testServer();
    const body = await assertToken(await fetch(basicRequest()));
    assert.equal(body.token_type, "Bearer");
    assert.equal(typeof body.expires_in, "number");
    assert.equal(body.expires_in, 600);
    assert.ok(!("refresh_token" in body), "RFC 6749 s4.4.3: no refresh token");
    // RFC 6750 s2.1 b64token alphabet; 32 random bytes as base64url (256 bits).
    assert.match(body.access_token as string, /^[A-Za-z0-9_-]{43}$/);
  });

  test("no scope requested -> the client's default scope, and scope is in the response", async () => {
    const { fetch } = testServer();
    const body = await assertToken(await fetch(basicRequest()));
    assert.equal(body.scope, "read");
  });

  test("no default_scope registered -> the whole registered scope", async () => {
    const client = { ...BASIC_CLIENT, default_scope: undefined };
    const { fetch } = testServer({}, [client]);
    const body = await assertToken(await fetch(basicRequest()));
    assert.equal(body.scope, "read write admin");
  });

  test("requested scope within the registration -> granted and echoed", async () => {
    const { fetch } = testServer();
    const body = await assertToken(await fetch(basicRequest({ grant_type: "client_credentials", scope: "write read" })));
    assert.equal(body.scope, "write read");
  });

  test("duplicate scope tokens are removed from the granted scope", async () => {
    const { fetch } = testServer();
    const body = await assertToken(await fetch(basicRequest({ grant_type: "client_credentials", scope: "read write read" })));
    assert.equal(body.scope, "read write");
  });

  test("scope is case-sensitive: READ is not read -> invalid_scope", async () => {
    const { fetch } = testServer();
    await assertOAuthError(await fetch(basicRequest({ grant_type: "client_credentials", scope: "READ" })), 400, "invalid_scope");
  });

  test("a scope token beyond the registration fails closed -> invalid_scope, no partial grant", async () => {
    const { fetch, store } = testServer();
    await assertOAuthError(await fetch(basicRequest({ grant_type: "client_credentials", scope: "read delete" })), 400, "invalid_scope");
    assert.equal(store.size, 0);
  });

  for (const [name, scope] of [["a quote", 'read"x'], ["a backslash", "read\\x"], ["non-ASCII", "réad"], [
    "a double space",
    "read  write",
  ], ["a leading space", " read"], ["a tab", "read\twrite"]]) {
    test(`scope with ${name} -> 400 invalid_scope with a printable description`, async () => {
      const { fetch } = testServer();
      await assertOAuthError(await fetch(basicRequest({ grant_type: "client_credentials", scope: scope! })), 400, "invalid_scope");
    });
  }

  test("empty scope= is treated as absent -> default scope (RFC 6749 s3.2)", async () => {
    const { fetch } = testServer();
    const body = await assertToken(await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: "grant_type=client_credentials&scope=",
    })));
    assert.equal(body.scope, "read");
  });

  test("a client with no scope at all gets a token without a scope member", async () => {
    const client = { client_id: "noscope", client_secret: SECRET, grant_types: ["client_credentials"] };
    const { fetch } = testServer({}, [client]);
    const body = await assertToken(await fetch(tokenRequest({ basic: ["noscope", SECRET] })));
    assert.ok(!("scope" in body));
  });

  test("missing grant_type -> 400 invalid_request", async () => {
    const { fetch } = testServer();
    await assertOAuthError(await fetch(basicRequest({ scope: "read" })), 400, "invalid_request");
  });

  test("empty grant_type= -> 400 invalid_request (empty is absent)", async () => {
    const { fetch } = testServer();
    await assertOAuthError(
      await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET], body: "grant_type=" })),
      400,
      "invalid_request",
    );
  });

  for (const grant of ["password", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"]) {
    test(`grant_type=${grant} -> 400 unsupported_grant_type`, async () => {
      const { fetch } = testServer();
      await assertOAuthError(await fetch(basicRequest({ grant_type: grant })), 400, "unsupported_grant_type");
    });
  }

  test("client not registered for client_credentials (RFC 7591 default authorization_code) -> unauthorized_client", async () => {
    const client = { client_id: "web", client_secret: SECRET, scope: "read" };
    const { fetch } = testServer({}, [client]);
    await assertOAuthError(await fetch(tokenRequest({ basic: ["web", SECRET] })), 400, "unauthorized_client");
  });

  test("unknown parameters are ignored (RFC 6749 s3.2)", async () => {
    const { fetch } = testServer();
    await assertToken(await fetch(basicRequest({ grant_type: "client_credentials", foo: "bar", __proto__x: "1" })));
  });

  test("prototype-pollution names are plain parameters", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: "__proto__=x&constructor=y&grant_type=client_credentials&toString=z",
    }));
    await assertToken(res);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  test("a repeated parameter -> 400 invalid_request (RFC 6749 s3.2)", async () => {
    const { fetch } = testServer();
    for (const body of [
      "grant_type=client_credentials&grant_type=client_credentials",
      "grant_type=client_credentials&scope=read&scope=write",
      "grant_type=client_credentials&scope=&scope=read",
    ]) {
      await assertOAuthError(
        await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET], body })),
        400,
        "invalid_request",
      );
    }
  });

  test("resource may repeat without invalid_request (RFC 8707 s2)", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: "grant_type=client_credentials&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example",
    }));
    assert.notEqual((await res.json() as { error?: string }).error, "invalid_request");
  });

  test("the issued token is recorded under its SHA-256 hash, never in plain text", async () => {
    const clock = fakeClock();
    const store = new MemoryTokenStore({ clock: clock.now });
    const saved: string[] = [];
    const { fetch } = testServer({
      clock: clock.now,
      tokenStore: {
        save: (key, record) => (saved.push(key), store.save(key, record)),
        find: (key) => store.find(key),
        revoke: (key) => store.revoke(key),
      },
    });
    const body = await assertToken(await fetch(basicRequest({ grant_type: "client_credentials", scope: "read write" })));
    const token = body.access_token as string;
    assert.deepEqual(saved, [await tokenKey(token, webCrypto)]);
    assert.notEqual(saved[0], token);
    const record = await store.find(saved[0]!);
    const iat = Math.floor(clock.now() / 1000);
    assert.deepEqual(record, { client_id: BASIC_CLIENT.client_id, scope: "read write", iat, exp: iat + 600 });
  });

  test("accessTokenLifetime sets expires_in and the record's exp", async () => {
    const clock = fakeClock();
    const { fetch, store } = testServer({ accessTokenLifetime: 120, clock: clock.now });
    const body = await assertToken(await fetch(basicRequest()));
    assert.equal(body.expires_in, 120);
    const key = await tokenKey(body.access_token as string, webCrypto);
    assert.ok(await store.find(key));
    clock.advance(120);
    assert.equal(await store.find(key), undefined, "expired at iat + lifetime");
  });

  test("10,000 tokens are distinct", async () => {
    const { fetch } = testServer();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const body = await (await fetch(basicRequest())).json() as { access_token: string };
      seen.add(body.access_token);
    }
    assert.equal(seen.size, 10_000);
  });
});

describe("HTTP hygiene", () => {
  for (const method of ["GET", "PUT", "DELETE", "PATCH", "HEAD"]) {
    test(`${method} -> 405 with Allow: POST, no token`, async () => {
      const { fetch } = testServer();
      const res = await fetch(tokenRequest({ method, basic: [BASIC_CLIENT.client_id, SECRET] }));
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("allow"), "POST");
      if (method !== "HEAD") await assertOAuthError(res, 405, "invalid_request");
    });
  }

  test("plain http -> 400 invalid_request (RFC 6749 s3.2: TLS required)", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({ url: "http://as.example.com/token", basic: [BASIC_CLIENT.client_id, SECRET] }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("http on a loopback host is allowed for development", async () => {
    const { fetch } = testServer();
    for (const host of ["localhost:8080", "127.0.0.1", "[::1]:3000"]) {
      await assertToken(await fetch(tokenRequest({ url: `http://${host}/token`, basic: [BASIC_CLIENT.client_id, SECRET] })));
    }
  });

  test("requireHttps: false accepts http (TLS ends at a proxy)", async () => {
    const { fetch } = testServer({ requireHttps: false });
    await assertToken(await fetch(tokenRequest({ url: "http://internal:8080/token", basic: [BASIC_CLIENT.client_id, SECRET] })));
  });

  for (const [name, contentType] of [
    ["JSON", "application/json"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["text/plain", "text/plain"],
    ["no content type", ""],
    ["a Latin-1 charset", "application/x-www-form-urlencoded; charset=ISO-8859-1"],
  ]) {
    test(`${name} body -> 400 invalid_request`, async () => {
      const { fetch } = testServer();
      const headers: Record<string, string> = contentType === "" ? {} : { "content-type": contentType! };
      const req = new Request("https://as.example.com/token", {
        method: "POST",
        headers: { ...headers, authorization: `Basic ${btoa(`${BASIC_CLIENT.client_id}:${SECRET}`)}` },
        body: new TextEncoder().encode("grant_type=client_credentials"),
      });
      if (contentType === "") req.headers.delete("content-type");
      await assertOAuthError(await fetch(req), 400, "invalid_request");
    });
  }

  test("content type is compared case-insensitively and a UTF-8 charset is accepted", async () => {
    const { fetch } = testServer();
    for (const ct of ["Application/X-WWW-Form-URLEncoded", "application/x-www-form-urlencoded; charset=UTF-8", 'application/x-www-form-urlencoded;charset="utf-8"']) {
      await assertToken(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET], headers: { "content-type": ct } })));
    }
  });

  test("client_secret in the URL query is refused even alongside valid Basic credentials", async () => {
    const { fetch, store } = testServer();
    const res = await fetch(tokenRequest({
      url: `https://as.example.com/token?client_secret=${SECRET}`,
      basic: [BASIC_CLIENT.client_id, SECRET],
    }));
    await assertOAuthError(res, 400, "invalid_request");
    assert.equal(store.size, 0);
  });

  test("query-only credentials never authenticate", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({
      url: `https://as.example.com/token?client_id=post-client&client_secret=${SECRET}`,
      body: "grant_type=client_credentials",
    }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("a body over maxBodyBytes -> 413 invalid_request, reading stops early", async () => {
    const { fetch } = testServer({ maxBodyBytes: 1024 });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode("a=".padEnd(512, "b") + "&"));
      },
    });
    const req = new Request("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: endless,
      duplex: "half",
    } as RequestInit);
    await assertOAuthError(await fetch(req), 413, "invalid_request");
    assert.ok(pulled < 10, `pulled ${pulled} chunks`);
  });

  test("a declared Content-Length over the cap is refused before reading", async () => {
    const { fetch } = testServer({ maxBodyBytes: 100 });
    const req = tokenRequest({ body: "grant_type=client_credentials&x=" + "y".repeat(200) });
    await assertOAuthError(await fetch(req), 413, "invalid_request");
  });

  test("a body that trickles past bodyTimeoutMs -> 408 invalid_request, no token", async () => {
    const { fetch, store } = testServer({ bodyTimeoutMs: 100 });
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 30));
        controller.enqueue(new TextEncoder().encode("g"));
      },
    });
    const req = new Request("https://as.example.com/token", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${BASIC_CLIENT.client_id}:${SECRET}`)}`,
      },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const started = Date.now();
    await assertOAuthError(await fetch(req), 408, "invalid_request");
    assert.ok(Date.now() - started < 2000);
    assert.equal(store.size, 0);
  });

  test("a body stream that errors -> 400 invalid_request, not 5xx", async () => {
    const { fetch } = testServer();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const req = new Request("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await assertOAuthError(await fetch(req), 400, "invalid_request");
  });

  test("invalid UTF-8 in the body -> 400 invalid_request", async () => {
    const { fetch } = testServer();
    const req = new Request("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new Uint8Array([0x67, 0x3d, 0xff, 0xfe]),
    });
    await assertOAuthError(await fetch(req), 400, "invalid_request");
  });

  for (const body of ["grant_type=client_credentials&scope=%zz", "grant_type=client_credentials&scope=%", "grant_type=%C3%28"]) {
    test(`bad percent-encoding ${JSON.stringify(body)} -> 400 invalid_request`, async () => {
      const { fetch } = testServer();
      await assertOAuthError(await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET], body })), 400, "invalid_request");
    });
  }

  test("error responses carry no-store and pragma too", async () => {
    const { fetch } = testServer();
    const res = await fetch(basicRequest({ grant_type: "password" }));
    await assertOAuthError(res, 400, "unsupported_grant_type");
  });
});

describe("order of checks (RFC_CHECKLIST TE-6, App. B-9)", () => {
  test("method before everything: GET with bad credentials -> 405", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({ method: "GET", basic: ["nobody", "x"] }));
    assert.equal(res.status, 405);
  });

  test("content type before authentication", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({ basic: ["nobody", "x"], headers: { "content-type": "application/json" } }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("authentication before grant and scope errors: unknown client with grant_type=password -> invalid_client", async () => {
    const { fetch } = testServer();
    const res = await fetch(tokenRequest({ basic: ["nobody", SECRET], body: "grant_type=password&scope=%22" }));
    await assertOAuthError(res, 401, "invalid_client");
  });

  test("grant type before client permission before scope", async () => {
    const client = { client_id: "web", client_secret: SECRET, scope: "read" };
    const { fetch } = testServer({}, [client]);
    await assertOAuthError(
      await fetch(tokenRequest({ basic: ["web", SECRET], body: "grant_type=password&scope=nope" })),
      400,
      "unsupported_grant_type",
    );
    await assertOAuthError(
      await fetch(tokenRequest({ basic: ["web", SECRET], body: "grant_type=client_credentials&scope=nope" })),
      400,
      "unauthorized_client",
    );
  });
});

describe("faults of the server", () => {
  test("a token store that fails -> clean JSON 500 server_error and no token", async () => {
    const { fetch } = testServer({
      tokenStore: {
        save: () => Promise.reject(new Error("connection refused: 10.0.0.5:6379")),
        find: () => Promise.resolve(undefined),
        revoke: () => Promise.resolve(false),
      },
    });
    const res = await fetch(basicRequest());
    const body = await assertOAuthError(res, 500, "server_error");
    assert.ok(!JSON.stringify(body).includes("10.0.0.5"), "the fault is not revealed");
  });

  test("a token store that throws synchronously -> 500 server_error", async () => {
    const { fetch } = testServer({
      tokenStore: {
        save: () => {
          throw new TypeError("bug");
        },
        find: () => Promise.resolve(undefined),
        revoke: () => Promise.resolve(false),
      },
    });
    await assertOAuthError(await fetch(basicRequest()), 500, "server_error");
  });

  test("a client store that fails -> 500 server_error", async () => {
    const { fetch } = testServer({
      clients: { getClient: () => Promise.reject(new Error("db down")) },
    });
    await assertOAuthError(await fetch(basicRequest()), 500, "server_error");
  });

  test("a full in-memory store -> 503 temporarily_unavailable with Retry-After; live tokens are kept", async () => {
    const clock = fakeClock();
    // One client fills the whole store here: its quota (a tenth by default) is raised to all of it.
    const store = new MemoryTokenStore({ maxEntries: 3, maxEntriesPerClient: 3, clock: clock.now });
    const { fetch } = testServer({ tokenStore: store, clock: clock.now, accessTokenLifetime: 60 });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await assertToken(await fetch(basicRequest()))).access_token as string);
    const res = await fetch(basicRequest());
    await assertOAuthError(res, 503, "temporarily_unavailable");
    assert.ok(Number(res.headers.get("retry-after")) > 0);
    for (const t of tokens) assert.ok(await store.find(await tokenKey(t, webCrypto)), "no live token was evicted");
    clock.advance(61);
    await assertToken(await fetch(basicRequest()));
  });

  test("invalid options -> 500 server_error, not a throw", async () => {
    const res = await testServer({ issuer: "not a url" }, []).fetch(basicRequest());
    await assertOAuthError(res, 500, "server_error");
  });

  test("a client store answering with another client's registration never authenticates", async () => {
    const { fetch } = testServer({ clients: { getClient: () => POST_CLIENT } });
    await assertOAuthError(await fetch(basicRequest()), 401, "invalid_client");
  });
});

test("the issuer in options is used as the Basic realm", async () => {
  const { fetch } = testServer();
  const res = await fetch(tokenRequest({ basic: ["nobody", "x"] }));
  assert.equal(res.headers.get("www-authenticate"), `Basic realm="${ISSUER}"`);
  await res.body?.cancel();
});
