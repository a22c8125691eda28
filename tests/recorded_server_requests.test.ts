// Recorded requests: a fixed set of requests, good and bad, replayed through the server and
// compared with answers recorded before the configuration model was restructured (issue 20),
// so that the restructuring is shown not to change an answer: the status, the headers that
// matter and the body, with token values (random by design) masked.
//
// Regenerate the recording only when an answer is meant to change, and say so in the commit:
//   RECORD=1 npx tsx --test tests/recorded_server_requests.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as jose from "jose";
import {
  type ClientRegistration,
  type Jwk,
  createAuthorizationServer,
  encodeBasicCredentials,
  handleTokenRequest,
  importSigningKey,
  KeySet,
  MemoryTokenStore,
  type ServerOptions,
  type TokenEndpointOptions,
} from "../mod.ts";
import { verifyAccessToken } from "../src/resource_server/verify_access_token.ts";
import { fakeClock } from "./support/fixtures.ts";

const RECORDING = fileURLToPath(new URL("./fixtures/recorded_server_requests.json", import.meta.url));
const ISSUER = "https://as.example.com";
const SECRET = "kq3v8Jx0Yb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwX";
const API = "https://api.example.com";
const START = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A fixed P-256 key, so the JWK Set document is the same on every run. */
const SIGNING_JWK = {
  kty: "EC",
  crv: "P-256",
  x: "PB68C01I-xhA315N76abm_c1BcZOTnOaje4HYhsGZOs",
  y: "VTWGVHyVteAHB5R3A600SQHGn0_Wd_9IizGl7KnL-Kw",
  d: "03NGhyhkTxCbqVtzHU0MMEqx2cn3nHkouBdlvMbWYBU",
  kid: "as-1",
  alg: "ES256",
};

const HEADERS = [
  "content-type",
  "cache-control",
  "pragma",
  "www-authenticate",
  "allow",
  "retry-after",
  "dpop-nonce",
  "vary",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-expose-headers",
  "access-control-max-age",
];

/** Values that differ on every run by design: tokens, token ids, key thumbprints. */
const MASKED_MEMBERS = new Set(["access_token", "jti", "jkt", "dpop-nonce"]);

function mask(value: unknown, key?: string): unknown {
  if (key !== undefined && MASKED_MEMBERS.has(key) && typeof value === "string") return `<${key}>`;
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  }
  return value;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

async function answerOf(res: Response): Promise<{ answer: Answer; json: Record<string, unknown> | undefined }> {
  const headers: Record<string, string> = {};
  for (const name of HEADERS) {
    const v = res.headers.get(name);
    if (v !== null) headers[name] = MASKED_MEMBERS.has(name) ? `<${name}>` : v;
  }
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === "" ? undefined : JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { answer: { status: res.status, headers, body: json === undefined ? text : mask(json) }, json };
}

const basic = (id: string, secret: string) => `Basic ${encodeBasicCredentials(id, secret)}`;

function post(url: string, body: string | Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: typeof body === "string" ? body : new URLSearchParams(body).toString(),
  });
}

async function replay(): Promise<Record<string, Answer>> {
  // The suite's one fake clock, from this file's own START (the recording's instant).
  const fake = fakeClock(START);
  const clock = fake.now;
  const clientKey = await jose.generateKeyPair("ES256", { extractable: true }) as unknown as CryptoKeyPair;
  const clientJwk = { ...(await jose.exportJWK(clientKey.publicKey)), kid: "pk-1" } as Jwk;
  const dpopKey = await jose.generateKeyPair("ES256", { extractable: true }) as unknown as CryptoKeyPair;
  const dpopJwk = await jose.exportJWK(dpopKey.publicKey);
  const clients: ClientRegistration[] = [
    { client_id: "basic-client", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read write admin", default_scope: "read" },
    { client_id: "post-client", client_secret: SECRET, token_endpoint_auth_method: "client_secret_post", grant_types: ["client_credentials"], scope: "read" },
    { client_id: "rs-client", client_secret: SECRET, resource_server: API },
    {
      client_id: "jwt-client",
      client_secret: SECRET,
      grant_types: ["client_credentials"],
      scope: "api:read",
      access_token_format: "jwt",
      allowed_resources: [API],
      default_resource: API,
    },
    {
      client_id: "pk-client",
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [clientJwk] },
      grant_types: ["client_credentials"],
      scope: "read",
    },
    { client_id: "public", token_endpoint_auth_method: "none", grant_types: ["authorization_code"] },
  ];
  const signingKeys = new KeySet({ active: await importSigningKey(SIGNING_JWK) });
  const options: ServerOptions = {
    issuer: ISSUER,
    clients,
    clock,
    tokenStore: new MemoryTokenStore({ clock }),
    signingKeys,
    allowedResources: [API],
    cors: { origins: ["https://app.example.com"] },
    profile: "mcp",
    // A test stands in for the host's peer address.
    callerKey: (request) => request.headers.get("x-test-peer") ?? undefined,
  };
  const server = createAuthorizationServer(options);
  const tokenOptions: TokenEndpointOptions = {
    issuer: ISSUER,
    clients: clients.slice(0, 2),
    clock,
    accessTokenLifetime: 300,
  };
  const rsOptions = { resource: API, issuer: ISSUER, jwks: signingKeys, tokenStore: options.tokenStore, clock, metadata: true };
  const rs = async (token: string | undefined): Promise<Response> => {
    const request = new Request(`${API}/data`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    const verified = await verifyAccessToken(request, rsOptions);
    if (!verified.ok) return verified.response;
    const { client_id, scope, aud, sub, exp, iat } = verified.claims;
    const body = { client_id, scope, aud, sub, exp, iat, scheme: verified.scheme, location: verified.location };
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  };

  const answers: Record<string, Answer> = {};
  const tokens: Record<string, string> = {};
  const run = async (name: string, response: Promise<Response> | Response): Promise<Record<string, unknown> | undefined> => {
    const { answer, json } = await answerOf(await response);
    answers[name] = answer;
    return json;
  };
  const token = (name: string, json: Record<string, unknown> | undefined) => {
    if (typeof json?.access_token === "string") tokens[name] = json.access_token;
  };
  const T = `${ISSUER}/token`;
  const B = basic("basic-client", SECRET);

  // Metadata, keys, routing.
  await run("metadata", server.fetch(new Request(`${ISSUER}/.well-known/oauth-authorization-server`)));
  await run("metadata HEAD", server.fetch(new Request(`${ISSUER}/.well-known/oauth-authorization-server`, { method: "HEAD" })));
  await run("jwks", server.fetch(new Request(`${ISSUER}/jwks`)));
  await run("unknown path", server.fetch(new Request(`${ISSUER}/nothing`)));
  await run("GET token", server.fetch(new Request(T)));
  await run("authorization endpoint (mcp profile)", server.fetch(new Request(`${ISSUER}/authorize?response_type=code`)));
  await run("CORS preflight", server.fetch(new Request(T, { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-method": "POST" } })));

  // The token endpoint: good requests.
  token("basic", await run("basic, default scope", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: B }))));
  await run("basic, narrower scope", server.fetch(post(T, { grant_type: "client_credentials", scope: "write admin" }, { authorization: B })));
  token("post", await run("post", server.fetch(post(T, { grant_type: "client_credentials", client_id: "post-client", client_secret: SECRET }))));
  token("jwt", await run("jwt client", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: basic("jwt-client", SECRET) }))));
  await run("jwt client, resource", server.fetch(post(T, { grant_type: "client_credentials", resource: API }, { authorization: basic("jwt-client", SECRET) })));
  token("basic-api", await run("basic, resource", server.fetch(post(T, { grant_type: "client_credentials", resource: API }, { authorization: B }))));
  await run("with CORS origin", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: B, origin: "https://app.example.com" })));
  const assertion = await new jose.SignJWT({ jti: "a-1" })
    .setProtectedHeader({ alg: "ES256", kid: "pk-1" })
    .setIssuer("pk-client").setSubject("pk-client").setAudience(ISSUER)
    .setIssuedAt(Math.floor(clock() / 1000)).setExpirationTime(Math.floor(clock() / 1000) + 60)
    .sign(clientKey.privateKey);
  const assertionBody = {
    grant_type: "client_credentials",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: assertion,
  };
  await run("private_key_jwt", server.fetch(post(T, assertionBody)));
  await run("private_key_jwt replayed", server.fetch(post(T, assertionBody)));
  const proof = await new jose.SignJWT({ jti: "p-1", htm: "POST", htu: T, iat: Math.floor(clock() / 1000) })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: dpopJwk })
    .sign(dpopKey.privateKey);
  token("dpop", await run("DPoP", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: B, dpop: proof }))));
  await run("DPoP replayed", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: B, dpop: proof })));
  await run("DPoP malformed", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: B, dpop: "x.y.z" })));

  const [header, payload] = tokens.jwt!.split(".").slice(0, 2).map((p) => JSON.parse(new TextDecoder().decode(jose.base64url.decode(p))));
  answers["jwt access token: header and claims"] = { status: 0, headers: {}, body: mask({ header, payload }) };

  // The token endpoint: bad requests.
  await run("no client authentication", server.fetch(post(T, { grant_type: "client_credentials" })));
  await run("wrong secret", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: basic("basic-client", "wrong") })));
  await run("unknown client", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: basic("nobody", SECRET) })));
  await run("basic for a post client", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: basic("post-client", SECRET) })));
  await run("two methods", server.fetch(post(T, { grant_type: "client_credentials", client_id: "basic-client", client_secret: SECRET }, { authorization: B })));
  await run("credentials in the query", server.fetch(post(`${T}?client_secret=x`, { grant_type: "client_credentials" }, { authorization: B })));
  await run("no grant_type", server.fetch(post(T, {}, { authorization: B })));
  await run("unsupported grant_type", server.fetch(post(T, { grant_type: "password" }, { authorization: B })));
  await run("grant not registered", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: basic("rs-client", SECRET) })));
  await run("scope outside the registration", server.fetch(post(T, { grant_type: "client_credentials", scope: "delete" }, { authorization: B })));
  await run("scope syntax", server.fetch(post(T, { grant_type: "client_credentials", scope: 'a"b' }, { authorization: B })));
  await run("resource not allowed", server.fetch(post(T, { grant_type: "client_credentials", resource: "https://other.example.com" }, { authorization: basic("jwt-client", SECRET) })));
  await run("resource with fragment", server.fetch(post(T, { grant_type: "client_credentials", resource: `${API}#x` }, { authorization: basic("jwt-client", SECRET) })));
  await run("repeated parameter", server.fetch(post(T, "grant_type=client_credentials&grant_type=client_credentials", { authorization: B })));
  await run("wrong content type", server.fetch(new Request(T, { method: "POST", headers: { authorization: B, "content-type": "application/json" }, body: "{}" })));
  await run("charset not UTF-8", server.fetch(new Request(T, { method: "POST", headers: { authorization: B, "content-type": "application/x-www-form-urlencoded; charset=latin1" }, body: "grant_type=client_credentials" })));
  await run("body too large", server.fetch(post(T, `grant_type=client_credentials&x=${"a".repeat(9000)}`, { authorization: B })));
  await run("plain http", server.fetch(post("http://as.example.com/token", { grant_type: "client_credentials" }, { authorization: B })));
  await run("token exchange (off)", server.fetch(post(T, { grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: "x", subject_token_type: "urn:ietf:params:oauth:token-type:access_token" }, { authorization: B })));
  await run("malformed Basic", server.fetch(post(T, { grant_type: "client_credentials" }, { authorization: "Basic !!!" })));

  // Introspection and revocation.
  const I = `${ISSUER}/introspect`;
  const R = `${ISSUER}/revoke`;
  const RSB = basic("rs-client", SECRET);
  await run("introspect own token", server.fetch(post(I, { token: tokens.basic! }, { authorization: B })));
  await run("introspect jwt token as its resource server", server.fetch(post(I, { token: tokens.jwt! }, { authorization: RSB })));
  await run("introspect DPoP token", server.fetch(post(I, { token: tokens.dpop! }, { authorization: B })));
  await run("introspect another client's token", server.fetch(post(I, { token: tokens.post! }, { authorization: B })));
  await run("introspect unknown token", server.fetch(post(I, { token: "nope" }, { authorization: B })));
  await run("introspect without token", server.fetch(post(I, {}, { authorization: B })));
  await run("introspect without auth", server.fetch(post(I, { token: tokens.basic! })));
  await run("revoke another client's token", server.fetch(post(R, { token: tokens.post! }, { authorization: B })));
  await run("revoke own token", server.fetch(post(R, { token: tokens.basic! }, { authorization: B })));
  await run("introspect revoked token", server.fetch(post(I, { token: tokens.basic! }, { authorization: B })));
  await run("revoke jwt token", server.fetch(post(R, { token: tokens.jwt!, token_type_hint: "access_token" }, { authorization: basic("jwt-client", SECRET) })));
  await run("revoke unknown token", server.fetch(post(R, { token: "nope" }, { authorization: B })));

  // The resource server.
  await run("rs: no token", rs(undefined));
  await run("rs: jwt token", rs(tokens.jwt));
  await run("rs: opaque token with audience", rs(tokens["basic-api"]));
  await run("rs: opaque token", rs(tokens.post));
  await run("rs: revoked opaque token", rs(tokens.basic));
  await run("rs: unknown token", rs("nope"));
  await run("rs: DPoP token as Bearer", rs(tokens.dpop));

  // handleTokenRequest on its own.
  await run("handleTokenRequest: basic", handleTokenRequest(post(T, { grant_type: "client_credentials" }, { authorization: B }), tokenOptions));
  await run("handleTokenRequest: wrong secret", handleTokenRequest(post(T, { grant_type: "client_credentials" }, { authorization: basic("basic-client", "wrong") }), tokenOptions));
  await run("handleTokenRequest: GET", handleTokenRequest(new Request(T), tokenOptions));
  await run("handleTokenRequest: bad options", handleTokenRequest(post(T, { grant_type: "client_credentials" }, { authorization: B }), { ...tokenOptions, accessTokenLifeTime: 1 } as TokenEndpointOptions));

  // Brute force: the 11th failure in the window is refused with Retry-After.
  for (let i = 0; i < 10; i++) {
    await server.fetch(post(T, { grant_type: "client_credentials", client_id: "post-client", client_secret: "wrong" }, { "x-test-peer": "10.0.0.1" }));
  }
  const good = () => post(T, { grant_type: "client_credentials", client_id: "post-client", client_secret: SECRET }, { "x-test-peer": "10.0.0.1" });
  await run("brute force: locked", server.fetch(good()));
  fake.advance(60);
  await run("brute force: still locked", server.fetch(good()));
  fake.advance(15 * 60);
  await run("brute force: window over", server.fetch(good()));
  await run("rs: expired token", rs(tokens.post));
  return answers;
}

test("recorded requests: every answer is the one recorded before the restructuring", async () => {
  const answers = await replay();
  if (process.env.RECORD === "1") {
    writeFileSync(RECORDING, `${JSON.stringify(answers, null, 2)}\n`);
    return;
  }
  const recorded = JSON.parse(readFileSync(RECORDING, "utf8")) as Record<string, Answer>;
  assert.deepEqual(Object.keys(answers), Object.keys(recorded));
  for (const name of Object.keys(recorded)) assert.deepEqual(answers[name], recorded[name], name);
});
