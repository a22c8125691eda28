// Certificate-bound access tokens (RFC 8705 s3), in process: cnf x5t#S256 (the SHA-256 of
// the certificate's DER) in JWT access tokens, in token records and in introspection; the
// resource server accepts a bound token only with that certificate (401 invalid_token
// with the RFC 6750 challenge otherwise); per registration or for every client; together
// with DPoP, both bindings on one token. (Through real TLS: mtls_tls.test.ts.)
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import {
  type ClientCertificate,
  type ClientRegistration,
  encodeBasicCredentials,
  generateSigningKey,
  KeySet,
  MemoryTokenStore,
  type ServerOptions,
  tokenKey,
  webCrypto,
} from "../mod.ts";
import {
  type IntrospectionResponse,
  protectedResourceMetadata,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { assertOAuthError, assertToken } from "./helpers.ts";
import { API, authServer, ISSUER, SECRET } from "./support/fixtures.ts";
import { dpopKey, proof } from "./dpop_helpers.ts";
import { issueCertificate, makeCa, type TestCertificate } from "./support/certificates.ts";

const TOKEN = `${ISSUER}/token`;
const ca = await makeCa();
const cert = await issueCertificate({ subject: [["CN", "billing"]], issuer: ca, san: { dns: ["billing.example"] } });
const other = await issueCertificate({ subject: [["CN", "billing"]], issuer: ca, san: { dns: ["billing.example"] } });
const selfSigned = await issueCertificate({ subject: [["CN", "self"]], alg: "EdDSA" });
const x5t = (c: TestCertificate) => encodeBase64Url(sha256(c.der));

const presented = new WeakMap<Request, ClientCertificate>();
const clientCertificate = (request: Request) => presented.get(request);
function withCertificate<R extends Request>(request: R, c: TestCertificate | ClientCertificate | undefined): R {
  if (c !== undefined) presented.set(request, typeof c === "object" && "der" in c ? c.der : c);
  return request;
}

const base = { grant_types: ["client_credentials"], scope: "read", allowed_resources: [API], default_resource: API } as const;
const CLIENTS: ClientRegistration[] = [
  { ...base, client_id: "bound", client_secret: SECRET, tls_client_certificate_bound_access_tokens: true },
  { ...base, client_id: "bound-jwt", client_secret: SECRET, tls_client_certificate_bound_access_tokens: true, access_token_format: "jwt" },
  { ...base, client_id: "unbound", client_secret: SECRET },
  { ...base, client_id: "mtls", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "billing.example", tls_client_certificate_bound_access_tokens: true },
  { client_id: "rs", client_secret: SECRET, resource_server: API },
];

async function setup(extra: Partial<ServerOptions> = {}) {
  const signingKeys = new KeySet({ active: await generateSigningKey("ES256") });
  const tokenStore = new MemoryTokenStore();
  const { options, server: as } = authServer({ clientCertificate, signingKeys, tokenStore, ...extra }, CLIENTS);
  const post = (url: string, body: Record<string, string>, client?: string, c?: TestCertificate | ClientCertificate, headers: Record<string, string> = {}) =>
    as.fetch(withCertificate(
      new Request(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...(client === undefined ? {} : { authorization: `Basic ${encodeBasicCredentials(client, SECRET)}` }),
          ...headers,
        },
        body: new URLSearchParams(body).toString(),
      }),
      c,
    ));
  const token = async (client: string, c?: TestCertificate | ClientCertificate, headers?: Record<string, string>) =>
    assertToken(await post(TOKEN, { grant_type: "client_credentials", ...(client === "mtls" ? { client_id: "mtls" } : {}) }, client === "mtls" ? undefined : client, c, headers));
  const introspect = async (t: string) => (await (await post(`${ISSUER}/introspect`, { token: t }, "rs")).json()) as Record<string, unknown>;
  const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwks: signingKeys, tokenStore, clientCertificate };
  return { as, post, token, introspect, rs, signingKeys, tokenStore };
}

const apiRequest = (t: string, c?: TestCertificate | ClientCertificate, scheme = "Bearer", headers: Record<string, string> = {}) =>
  withCertificate(new Request(`${API}/invoices`, { headers: { authorization: `${scheme} ${t}`, ...headers } }), c);

async function refusedAtRs(result: Awaited<ReturnType<typeof verifyAccessToken>>, description: RegExp): Promise<void> {
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.response.status, 401);
  const challenge = result.response.headers.get("www-authenticate") ?? "";
  assert.match(challenge, /^Bearer realm="https:\/\/api\.example\.com", error="invalid_token", error_description="/);
  assert.match(challenge, description);
  assert.equal(((await result.response.json()) as Record<string, unknown>).error, "invalid_token");
}

describe("issuing certificate-bound tokens (RFC 8705 s3.1)", () => {
  test("a JWT access token carries cnf x5t#S256 = base64url(SHA-256(DER)); token_type stays Bearer", async () => {
    const { token, signingKeys } = await setup();
    const body = await token("bound-jwt", cert);
    assert.equal(body.token_type, "Bearer");
    const { payload } = await jose.jwtVerify(body.access_token as string, jose.createLocalJWKSet(signingKeys.jwks() as jose.JSONWebKeySet), { issuer: ISSUER, audience: API });
    assert.deepEqual(payload.cnf, { "x5t#S256": x5t(cert) });
  });

  test("an opaque token's record carries it; introspection shows cnf with token_type Bearer (s3.2)", async () => {
    const { token, introspect, tokenStore } = await setup();
    const body = await token("bound", cert);
    const record = await tokenStore.find(await tokenKey(body.access_token as string, webCrypto));
    assert.deepEqual(record?.cnf, { "x5t#S256": x5t(cert) });
    const answer = await introspect(body.access_token as string);
    assert.equal(answer.active, true);
    assert.equal(answer.token_type, "Bearer");
    assert.deepEqual(answer.cnf, { "x5t#S256": x5t(cert) });
  });

  test("introspection of a bound JWT shows cnf too", async () => {
    const { token, introspect } = await setup();
    const answer = await introspect((await token("bound-jwt", cert)).access_token as string);
    assert.deepEqual(answer.cnf, { "x5t#S256": x5t(cert) });
  });

  test("a certificate the TLS layer did not validate binds all the same (s4: possession is what counts)", async () => {
    const { token, introspect } = await setup();
    const body = await token("bound", { certificate: selfSigned.der, chainVerified: false });
    assert.deepEqual((await introspect(body.access_token as string)).cnf, { "x5t#S256": x5t(selfSigned) });
  });

  test("tls_client_auth with bound tokens: the authenticating certificate is the binding", async () => {
    const { token, introspect } = await setup();
    const body = await token("mtls", cert);
    assert.deepEqual((await introspect(body.access_token as string)).cnf, { "x5t#S256": x5t(cert) });
  });

  test("a client not registered for bound tokens gets an unbound token, certificate or not", async () => {
    const { token, introspect } = await setup();
    const answer = await introspect((await token("unbound", cert)).access_token as string);
    assert.equal(answer.cnf, undefined);
  });

  test("a client registered for bound tokens without a certificate (or an unreadable one) -> 400 invalid_request, no token", async () => {
    const { post, tokenStore } = await setup();
    const body = await assertOAuthError(await post(TOKEN, { grant_type: "client_credentials" }, "bound"), 400, "invalid_request");
    assert.match(String(body.error_description), /bound to its TLS client certificate/);
    await assertOAuthError(await post(TOKEN, { grant_type: "client_credentials" }, "bound", new Uint8Array([1, 2, 3])), 400, "invalid_request");
    assert.equal(tokenStore.size, 0);
  });

  test("certificateBoundAccessTokens: every client's tokens are bound, and need a certificate", async () => {
    const { token, introspect, post } = await setup({ certificateBoundAccessTokens: true });
    assert.deepEqual((await introspect((await token("unbound", cert)).access_token as string)).cnf, { "x5t#S256": x5t(cert) });
    await assertOAuthError(await post(TOKEN, { grant_type: "client_credentials" }, "unbound"), 400, "invalid_request");
  });
});

describe("using certificate-bound tokens at the resource server (RFC 8705 s3)", () => {
  for (const client of ["bound-jwt", "bound"]) {
    const format = client === "bound" ? "opaque (token store)" : "JWT";
    test(`${format}: with the certificate it is bound to -> ok`, async () => {
      const { token, rs } = await setup();
      const t = (await token(client, cert)).access_token as string;
      const result = await verifyAccessToken(apiRequest(t, cert), rs);
      assert.ok(result.ok);
      assert.deepEqual(result.claims.cnf, { "x5t#S256": x5t(cert) });
      assert.equal(result.scheme, "bearer");
    });

    test(`${format}: without a certificate -> 401 invalid_token with the Bearer challenge`, async () => {
      const { token, rs } = await setup();
      const t = (await token(client, cert)).access_token as string;
      await refusedAtRs(await verifyAccessToken(apiRequest(t), rs), /came without one/);
    });

    test(`${format}: with another certificate (same subject, same CA) -> 401 invalid_token`, async () => {
      const { token, rs } = await setup();
      const t = (await token(client, cert)).access_token as string;
      await refusedAtRs(await verifyAccessToken(apiRequest(t, other), rs), /another TLS client certificate/);
    });

    test(`${format}: at a resource server that reads no certificates -> 401 invalid_token`, async () => {
      const { token, rs } = await setup();
      const t = (await token(client, cert)).access_token as string;
      const { clientCertificate: _, ...noCertificates } = rs;
      await refusedAtRs(await verifyAccessToken(apiRequest(t, cert), noCertificates), /this resource reads none/);
    });
  }

  test("through an introspect function: the answer's cnf binds the token", async () => {
    const { token, introspect, rs } = await setup();
    const t = (await token("bound", cert)).access_token as string;
    const viaIntrospection: ResourceServerOptions = {
      resource: API,
      issuer: ISSUER,
      introspect: (tok) => introspect(tok) as Promise<IntrospectionResponse>,
      clientCertificate: rs.clientCertificate!,
    };
    assert.ok((await verifyAccessToken(apiRequest(t, cert), viaIntrospection)).ok);
    await refusedAtRs(await verifyAccessToken(apiRequest(t, other), viaIntrospection), /another TLS client certificate/);
  });

  test("an unbound token is accepted with or without a certificate", async () => {
    const { token, rs } = await setup();
    const t = (await token("unbound", cert)).access_token as string;
    assert.ok((await verifyAccessToken(apiRequest(t), rs)).ok);
    assert.ok((await verifyAccessToken(apiRequest(t, other), rs)).ok);
  });

  test("a cnf the resource server cannot check (empty, x5t#S256 not a string) -> 401 invalid_token", async () => {
    const { rs, tokenStore } = await setup();
    const now = Math.floor(Date.now() / 1000);
    for (const cnf of [{}, { "x5t#S256": "" }, { "x5t#S256": 42 }, { "x5t#S256": x5t(cert), jkt: 1 }]) {
      const t = crypto.randomUUID().replace(/-/g, "");
      await tokenStore.save(await tokenKey(t, webCrypto), { client_id: "c", scope: "", iat: now, exp: now + 60, aud: API, cnf: cnf as never });
      await refusedAtRs(await verifyAccessToken(apiRequest(t, cert), rs), /cannot check/);
    }
  });

  test("the binding is checked before the scope: a bound token without its certificate is 401, not 403", async () => {
    const { token, rs } = await setup();
    const t = (await token("bound", cert)).access_token as string;
    await refusedAtRs(await verifyAccessToken(apiRequest(t), rs, { scope: "admin" }), /came without one/);
  });

  test("the RFC 9728 document says tls_client_certificate_bound_access_tokens when certificates are read", async () => {
    const { rs } = await setup();
    assert.equal(protectedResourceMetadata({ ...rs, metadata: true }).tls_client_certificate_bound_access_tokens, true);
    const { clientCertificate: _, ...without } = rs;
    assert.equal(protectedResourceMetadata({ ...without, metadata: true }).tls_client_certificate_bound_access_tokens, undefined);
  });
});

describe("DPoP and mutual TLS together: both bindings on one token, each checked", () => {
  test("a bound client sending a DPoP proof gets token_type DPoP with cnf jkt and x5t#S256", async () => {
    const { token, introspect, rs } = await setup({ clock: Date.now });
    const key = await dpopKey("ES256", "mtls");
    const body = await token("bound", cert, { dpop: await proof(key, Date.now()) });
    assert.equal(body.token_type, "DPoP");
    const t = body.access_token as string;
    const answer = await introspect(t);
    assert.equal(answer.token_type, "DPoP");
    assert.deepEqual(answer.cnf, { jkt: key.jkt, "x5t#S256": x5t(cert) });

    const withDpop: ResourceServerOptions = { ...rs, dpop: true };
    const ath = encodeBase64Url(sha256(new TextEncoder().encode(t)));
    const dpopRequest = async (c?: TestCertificate) =>
      apiRequest(t, c, "DPoP", { dpop: await proof(key, Date.now(), { htm: "GET", htu: `${API}/invoices`, ath }) });
    // Both: the proof's key and the certificate.
    const ok = await verifyAccessToken(await dpopRequest(cert), withDpop);
    assert.ok(ok.ok);
    assert.equal(ok.scheme, "dpop");
    // A valid proof without the certificate, or with another one: refused.
    for (const c of [undefined, other]) {
      const result = await verifyAccessToken(await dpopRequest(c), withDpop);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.response.status, 401);
        assert.match(result.response.headers.get("www-authenticate") ?? "", /^DPoP realm=.*error="invalid_token"/);
      }
    }
    // The certificate without the proof (as Bearer): refused, it is DPoP-bound (RFC 9449 s7.2).
    await refusedAtRs(await verifyAccessToken(apiRequest(t, cert), withDpop), /bound to a key/);
  });
});
