// createAuthorizationServer: routing by the configured public URLs, 404/405, start-up
// validation, mounting under a prefix (Hono), and hostile input (RFC_CHECKLIST section 1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Hono } from "hono";
import { mount } from "hono/mount";
import { ConfigurationError, createAuthorizationServer, handleTokenRequest, type ServerOptions } from "../mod.ts";
import {
  assertOAuthError,
  assertToken,
  authServer,
  BASIC_CLIENT,
  basicRequest,
  formPost,
  INTROSPECT_URL,
  ISSUER,
  issueToken,
  METADATA_URL,
  RS_CLIENT,
  SECRET,
  TOKEN_URL,
  tokenRequest,
} from "./helpers.ts";

const OWNER: [string, string] = [BASIC_CLIENT.client_id, SECRET];

async function introspectionActive(fetch: (r: Request) => Promise<Response>, url: string, token: string): Promise<boolean> {
  const res = await fetch(formPost(url, { token }, OWNER));
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { active: boolean }).active;
}

describe("routing", () => {
  test("the default endpoints: token, introspect, revoke under the issuer, metadata at the well-known URL", () => {
    const { server } = authServer();
    assert.deepEqual({ ...server.endpoints }, {
      token: `${ISSUER}/token`,
      introspection: `${ISSUER}/introspect`,
      revocation: `${ISSUER}/revoke`,
      metadata: METADATA_URL,
      jwks: undefined, // served only with signingKeys
      authorization: undefined, // published only when configured
    });
    assert.equal(server.issuer, ISSUER);
  });

  test("an issuer with a path (and a trailing slash) prefixes the default endpoints", () => {
    const { server } = authServer({ issuer: "https://as.example.com/tenants/t1/" });
    assert.equal(server.endpoints.token, "https://as.example.com/tenants/t1/token");
    assert.equal(server.endpoints.introspection, "https://as.example.com/tenants/t1/introspect");
  });

  test("fetch is bound: it works detached, as Deno.serve(server.fetch) calls it", async () => {
    const { fetch } = authServer().server;
    await assertToken(await fetch(basicRequest()));
    // Extra arguments (Deno's info, a worker's env and ctx) are ignored.
    const withExtras = fetch as unknown as (r: Request, a: unknown, b: unknown) => Promise<Response>;
    await assertToken(await withExtras(basicRequest(), {}, {}));
  });

  test("unknown paths -> 404 JSON with no-store: /, a trailing slash, another case, a prefix", async () => {
    const { fetch } = authServer();
    for (const path of ["/", "/token/", "/TOKEN", "/tokens", "/favicon.ico", "/.well-known/openid-configuration"]) {
      await assertOAuthError(await fetch(new Request(`${ISSUER}${path}`, { method: "POST" })), 404, "invalid_request");
    }
  });

  test("wrong methods -> 405 with Allow, at every endpoint (T-2, T-3; RFC 9110 s15.5.6)", async () => {
    const { fetch } = authServer();
    const cases: Array<[string, string, string]> = [
      [TOKEN_URL, "GET", "POST"],
      [TOKEN_URL, "PUT", "POST"],
      [INTROSPECT_URL, "GET", "POST"],
      [`${ISSUER}/revoke`, "DELETE", "POST"],
      [METADATA_URL, "POST", "GET, HEAD"],
      [METADATA_URL, "OPTIONS", "GET, HEAD"],
    ];
    for (const [url, method, allow] of cases) {
      const res = await fetch(new Request(url, { method }));
      await assertOAuthError(res, 405, "invalid_request");
      assert.equal(res.headers.get("allow"), allow, `${method} ${url}`);
    }
  });

  test("routing uses the path only: the request's host and X-Forwarded-* headers are not consulted (T-9)", async () => {
    const { fetch } = authServer();
    const res = await fetch(tokenRequest({
      url: "https://internal-name:8443/token",
      basic: OWNER,
      headers: { "x-forwarded-host": "evil.example", "x-forwarded-prefix": "/evil" },
    }));
    await assertToken(res);
  });

  test("a query on the request does not change the route", async () => {
    const { fetch } = authServer();
    await assertToken(await fetch(tokenRequest({ url: `${TOKEN_URL}?x=1`, basic: OWNER })));
  });

  test("configured endpoints: a path, or an absolute URL with a query (routed by its path)", async () => {
    const { fetch, server } = authServer({
      endpoints: { token: "/oauth2/token", introspection: "https://as.example.com/oauth2/introspect?v=1" },
    });
    assert.equal(server.endpoints.token, "https://as.example.com/oauth2/token");
    const token = await issueToken((r) => fetch(new Request(r.url.replace("/token", "/oauth2/token"), r)));
    await assertOAuthError(await fetch(basicRequest()), 404, "invalid_request");
    assert.equal(await introspectionActive(fetch, "https://as.example.com/oauth2/introspect", token), true);
  });

  test("handleTokenRequest given the same options object shares the server's token store", async () => {
    const { options, fetch } = authServer();
    const res = await handleTokenRequest(basicRequest(), options);
    const token = (await assertToken(res)).access_token as string;
    assert.equal(await introspectionActive(fetch, INTROSPECT_URL, token), true);
  });
});

describe("start-up validation: a ConfigurationError naming the option", () => {
  const base: ServerOptions = { issuer: ISSUER, clients: [BASIC_CLIENT] };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["an endpoint URL with a fragment (RFC_CHECKLIST TE-4)", { endpoints: { token: "https://as.example.com/token#frag" } }, /endpoints\.token.*fragment/],
    ["an empty fragment", { endpoints: { revocation: "https://as.example.com/revoke#" } }, /endpoints\.revocation.*fragment/],
    ["a path with a fragment", { endpoints: { introspection: "/introspect#x" } }, /endpoints\.introspection.*fragment/],
    ["a plain-http endpoint on a public host", { endpoints: { token: "http://as.example.com/token" } }, /endpoints\.token.*https/],
    ["a scheme-relative endpoint", { endpoints: { token: "//evil.example/token" } }, /endpoints\.token/],
    ["a relative path without /", { endpoints: { token: "token" } }, /endpoints\.token/],
    ["an unknown endpoint name", { endpoints: { tokn: "/t" } }, /endpoints\.tokn/],
    ["two endpoints on one path", { endpoints: { token: "/x", revocation: "https://other.example/x" } }, /token and revocation share the path \/x/],
    ["an endpoint on the metadata path", { endpoints: { token: "/.well-known/oauth-authorization-server" } }, /share the path/],
    ["an endpoint on the reserved JWKS path", { endpoints: { token: "/jwks" } }, /share the path/],
    ["a misspelt option", { endpoint: {} }, /unknown option 'endpoint'/],
    ["mountPath without a leading /", { mountPath: "oauth" }, /mountPath/],
    ["mountPath with a trailing /", { mountPath: "/oauth/" }, /mountPath/],
    ["mountPath /", { mountPath: "/" }, /mountPath/],
    ["mountPath holding no endpoint", { mountPath: "/elsewhere" }, /mountPath.*none of the endpoints/],
    [
      "an endpoint whose path without the mount prefix is another endpoint's path",
      { issuer: "https://as.example.com/oauth", mountPath: "/oauth", endpoints: { revocation: "/token" } },
      /token and revocation share the path \/token|revocation and token share the path \/token/,
    ],
    ["an unknown policy member", { introspectionPolicy: { allowcaller: () => true } }, /introspectionPolicy\.allowcaller/],
    ["a policy member that is not a function", { introspectionPolicy: { allowToken: true } }, /introspectionPolicy\.allowToken/],
    ["onEvent that is not a function", { onEvent: "log" }, /onEvent/],
  ];
  for (const [name, extra, message] of cases) {
    test(name, () => {
      assert.throws(() => createAuthorizationServer({ ...base, ...extra } as ServerOptions), (e: unknown) => {
        assert.ok(e instanceof ConfigurationError, String(e));
        assert.match(e.message, message);
        return true;
      });
    });
  }

  test("http endpoints are fine on loopback, as for the issuer", () => {
    const { server } = authServer({ issuer: "http://127.0.0.1:8787", endpoints: { token: "http://localhost:8787/t" } }, [BASIC_CLIENT]);
    assert.equal(server.issuer, "http://127.0.0.1:8787");
    assert.equal(server.endpoints.token, "http://localhost:8787/t");
    assert.equal(server.endpoints.introspection, "http://127.0.0.1:8787/introspect");
  });
});

describe("mounted under a prefix (Hono)", () => {
  const issuer = "https://api.example.com/oauth";
  const at = (path: string) => `https://api.example.com${path}`;

  test("app.mount('/oauth', server.fetch) with mountPath: '/oauth' serves token, introspection, revocation", async () => {
    const { server } = authServer({ issuer, mountPath: "/oauth" });
    const app = new Hono();
    app.get("/health", (c) => c.text("ok"));
    app.mount("/oauth", server.fetch);
    const fetch = (r: Request) => Promise.resolve(app.fetch(r));
    const token = (await assertToken(await fetch(tokenRequest({ url: at("/oauth/token"), basic: OWNER })))).access_token as string;
    assert.equal(await introspectionActive(fetch, at("/oauth/introspect"), token), true);
    assert.equal((await fetch(formPost(at("/oauth/revoke"), { token }, OWNER))).status, 200);
    assert.equal(await introspectionActive(fetch, at("/oauth/introspect"), token), false);
    await assertOAuthError(await fetch(new Request(at("/oauth/nothing"))), 404, "invalid_request");
    assert.equal(await (await fetch(new Request(at("/health")))).text(), "ok");
  });

  test("the metadata URL lies outside the mount: route it to the same fetch, which also answers full paths", async () => {
    const { server } = authServer({ issuer, mountPath: "/oauth" });
    const app = new Hono();
    app.mount("/oauth", server.fetch);
    const wellKnown = new URL(server.endpoints.metadata).pathname;
    assert.equal(wellKnown, "/.well-known/oauth-authorization-server/oauth");
    app.get(wellKnown, (c) => server.fetch(c.req.raw));
    const res = await app.fetch(new Request(server.endpoints.metadata));
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, issuer);
    assert.equal(doc.token_endpoint, `${issuer}/token`);
  });

  test("hono/mount's mount() middleware works the same way", async () => {
    const { server } = authServer({ issuer, mountPath: "/oauth" });
    const app = new Hono();
    app.all("/oauth/*", mount(server.fetch));
    await assertToken(await app.fetch(tokenRequest({ url: at("/oauth/token"), basic: OWNER })));
  });

  test("without mountPath, mount with replaceRequest: false hands over the full path", async () => {
    const { server } = authServer({ issuer });
    const app = new Hono();
    app.mount("/oauth", server.fetch, { replaceRequest: false });
    await assertToken(await app.fetch(tokenRequest({ url: at("/oauth/token"), basic: OWNER })));
  });

  test("without mountPath, a stripped path is not an endpoint", async () => {
    const { server } = authServer({ issuer });
    const app = new Hono();
    app.mount("/oauth", server.fetch);
    await assertOAuthError(await app.fetch(tokenRequest({ url: at("/oauth/token"), basic: OWNER })), 404, "invalid_request");
  });
});

describe("hostile input: never a 5xx, never a throw, always JSON with no-store", () => {
  test("arbitrary methods, paths, headers and bodies", async () => {
    const { fetch } = authServer({ bodyTimeoutMs: 1000 });
    const paths = ["/token", "/introspect", "/revoke", "/.well-known/oauth-authorization-server", "/", "/x", "/token/../token", "/%00"];
    const auth = fc.oneof(
      fc.constant(undefined),
      fc.constant(`Basic ${btoa(`${BASIC_CLIENT.client_id}:${SECRET}`)}`),
      fc.constant(`Basic ${btoa(`${RS_CLIENT.client_id}:${SECRET}`)}`),
      fc.string().map((s) => `Basic ${s}`),
      fc.string().filter((s) => /^[\x21-\x7e ]*$/.test(s)),
    );
    const contentType = fc.oneof(
      fc.constant("application/x-www-form-urlencoded"),
      fc.constant("application/x-www-form-urlencoded; charset=latin1"),
      fc.constant("application/json"),
      fc.constant("multipart/form-data; boundary=x"),
      fc.constant(undefined),
    );
    const body = fc.oneof(
      fc.string(),
      fc.dictionary(
        fc.constantFrom("token", "token_type_hint", "grant_type", "scope", "client_id", "client_secret", "resource"),
        fc.string(),
      ).map((d) => new URLSearchParams(d).toString()),
      fc.constant("token=%ZZ"),
      fc.constant("token=a&token=b"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"),
        fc.constantFrom(...paths),
        fc.string().map((q) => q.replace(/[#\s]/g, "")),
        auth,
        contentType,
        body,
        async (method, path, query, authorization, type, payload) => {
          const headers = new Headers();
          if (authorization !== undefined) {
            try {
              headers.set("authorization", authorization);
            } catch {
              return; // not a valid header value: no client could send it
            }
          }
          if (type !== undefined) headers.set("content-type", type);
          const hasBody = method !== "GET" && method !== "HEAD";
          const url = `${ISSUER}${path}${query === "" ? "" : `?${encodeURI(query)}`}`;
          const res = await fetch(new Request(url, { method, headers, body: hasBody ? payload : undefined }));
          assert.ok(res.status < 500, `${method} ${path} -> ${res.status}`);
          assert.equal(res.headers.get("cache-control"), "no-store");
          assert.equal(res.headers.get("pragma"), "no-cache");
          assert.equal(res.headers.get("content-type"), "application/json");
          const text = await res.text();
          if (method !== "HEAD") JSON.parse(text);
          if (res.status === 401) assert.ok(res.headers.get("www-authenticate"));
          if (res.status === 405) assert.ok(res.headers.get("allow"));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a body stream that fails midway -> 400, not 500", async () => {
    const { fetch } = authServer();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const res = await fetch(new Request(INTROSPECT_URL, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stream,
      duplex: "half",
    } as RequestInit));
    await assertOAuthError(res, 400, "invalid_request");
  });
});
