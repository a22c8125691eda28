// Mutual TLS through real TLS connections: a node:https server with requestCert bridged to
// the library (tlsSocketClientCertificates), and the RFC 9440 Client-Cert header behind a
// loopback TLS-terminating proxy (clientCertificateHeader). Certificates are made at test
// time. The clients are oauth4webapi and openid-client configured for mutual TLS
// (TlsClientAuth, their customFetch over node:https with a client certificate, the mTLS
// endpoint alias), and plain node:https requests. Runs on Node and Deno; Bun's node:https
// server does not expose the client certificate, so it is skipped there, saying why.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import {
  type AuthorizationServer,
  clientCertificateHeader,
  type ClientCertificateSource,
  type ClientRegistration,
  generateSigningKey,
  KeySet,
  MemoryTokenStore,
  tokenKey,
  webCrypto,
  type TlsSocketLike,
  tlsSocketClientCertificates,
} from "../mod.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../src/resource_server/mod.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64, encodeBase64Url } from "../src/encoding/base64.ts";
import { issueCertificate, makeCa, serverCertificate, type TestCertificate } from "./support/certificates.ts";
import { API, authServer } from "./support/fixtures.ts";
import { httpsPeerCertificates, type Listening, mtlsFetch, serveHttp, serveHttps, serveProxy } from "./support/tls.ts";

const skip = httpsPeerCertificates === true ? false : httpsPeerCertificates;
if (skip) console.warn(`SKIPPED: ${skip}`);

const ca = await makeCa();
const serverCert = await serverCertificate(ca);
const billing = await issueCertificate({ subject: [["O", "Acme"], ["CN", "billing"]], issuer: ca, usage: "client", san: { dns: ["billing.example"] } });
const reporting = await issueCertificate({ subject: [["O", "Acme"], ["CN", "reporting"]], issuer: ca, usage: "client", san: { uri: ["spiffe://example.org/reporting"] } });
/** Self-signed, naming the same dNSName as billing's: only the chain tells them apart. */
const selfSigned = await issueCertificate({ subject: [["CN", "billing"]], san: { dns: ["billing.example"] } });
const x5t = (c: TestCertificate) => encodeBase64Url(sha256(c.der));

const base = { grant_types: ["client_credentials"], scope: "invoices:read", allowed_resources: [API], default_resource: API } as const;
const CLIENTS: ClientRegistration[] = [
  { ...base, client_id: "billing", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "billing.example", tls_client_certificate_bound_access_tokens: true },
  { ...base, client_id: "reporting", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_subject_dn: "CN=reporting, O=Acme", access_token_format: "jwt" },
  { ...base, client_id: "self", token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [selfSigned.key.jwk] }, tls_client_certificate_bound_access_tokens: true },
];

/** The TLS settings of a client presenting `cert` (or none). */
const tlsOf = (cert?: TestCertificate) => ({ ca: ca.pem, cert: cert?.pem, key: cert?.key.pem });

/** A client credentials request with `client_id` alone (RFC 8705 s2), over a connection presenting `cert`. */
function tokenRequest(url: string, client_id: string, cert?: TestCertificate, headers: Record<string, string> = {}): Promise<Response> {
  return mtlsFetch(tlsOf(cert))(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: `grant_type=client_credentials&client_id=${client_id}`,
  });
}

function callApi(origin: string, token: string, cert?: TestCertificate): Promise<Response> {
  return mtlsFetch(tlsOf(cert))(`${origin}/api/invoices`, { headers: { authorization: `Bearer ${token}` } });
}

/** The authorization server and a protected API in one handler, both reading certificates from `clientCertificate`. */
async function application(issuer: string, clientCertificate: ClientCertificateSource, extra: { mtlsEndpointAliases?: { token: string } } = {}) {
  const signingKeys = new KeySet({ active: await generateSigningKey("ES256") });
  const tokenStore = new MemoryTokenStore();
  const server: AuthorizationServer = authServer({ issuer, signingKeys, tokenStore, clientCertificate, ...extra }, CLIENTS).server;
  const rs: ResourceServerOptions = { resource: API, issuer, jwks: signingKeys, tokenStore, clientCertificate };
  const paths: string[] = [];
  const handle = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    paths.push(path);
    if (path !== "/api/invoices") return server.fetch(request);
    const result = await verifyAccessToken(request, rs, { scope: "invoices:read" });
    return result.ok ? Response.json({ client: result.claims.client_id }) : result.response;
  };
  /** The certificate thumbprint a token is bound to, from its record (opaque tokens). */
  const boundTo = async (token: string) => (await tokenStore.find(await tokenKey(token, webCrypto)))?.cnf?.["x5t#S256"];
  return { server, handle, paths, boundTo };
}

async function assertInvalidToken(res: Response): Promise<void> {
  assert.equal(res.status, 401);
  assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="https:\/\/api\.example\.com", error="invalid_token"/);
  assert.equal(((await res.json()) as { error?: string }).error, "invalid_token");
}

describe("an https server with requestCert, bridged to the library (tlsSocketClientCertificates)", { skip }, () => {
  let listening: Listening;
  let app: Awaited<ReturnType<typeof application>>;

  before(async () => {
    const peers = tlsSocketClientCertificates();
    // rejectUnauthorized false: certificates the CA did not issue complete the handshake too,
    // marked unvalidated (socket.authorized false): they can authenticate self-signed clients only.
    listening = await serveHttps(
      { key: serverCert.key.pem, cert: serverCert.pem, ca: ca.pem, rejectUnauthorized: false },
      (request, incoming) => app.handle(peers.attach(request, incoming.socket as unknown as TlsSocketLike)),
    );
    app = await application(listening.origin, peers.clientCertificate, { mtlsEndpointAliases: { token: "/mtls/token" } });
  });

  after(() => listening?.close());

  test("oauth4webapi, TlsClientAuth, use_mtls_endpoint_aliases: a certificate-bound token, at the alias, used at the API", async () => {
    const issuer = new URL(listening.origin);
    const discovery = await oauth.discoveryRequest(issuer, { algorithm: "oauth2", [oauth.customFetch]: mtlsFetch(tlsOf()) });
    const as = await oauth.processDiscoveryResponse(issuer, discovery);
    assert.deepEqual(as.mtls_endpoint_aliases, { token_endpoint: `${listening.origin}/mtls/token` });
    assert.equal(as.tls_client_certificate_bound_access_tokens, true);
    assert.ok(as.token_endpoint_auth_methods_supported?.includes("tls_client_auth"));

    const c: oauth.Client = { client_id: "billing", use_mtls_endpoint_aliases: true };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.TlsClientAuth(), new URLSearchParams({ scope: "invoices:read" }), {
      [oauth.customFetch]: mtlsFetch(tlsOf(billing)),
    });
    const tokens = await oauth.processClientCredentialsResponse(as, c, response);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(app.paths.at(-1), "/mtls/token", "oauth4webapi used the mTLS alias");

    // Bound to billing's certificate (RFC 8705 s3): the SHA-256 of what the TLS socket saw.
    assert.equal(await app.boundTo(tokens.access_token), x5t(billing));

    assert.deepEqual(await (await callApi(listening.origin, tokens.access_token, billing)).json(), { client: "billing" });
    await assertInvalidToken(await callApi(listening.origin, tokens.access_token, reporting));
    await assertInvalidToken(await callApi(listening.origin, tokens.access_token));
  });

  test("openid-client, TlsClientAuth: discovery (RFC 8414) and a JWT for a client authenticated by subject DN", async () => {
    const config = await client.discovery(new URL(listening.origin), "reporting", { use_mtls_endpoint_aliases: true }, client.TlsClientAuth(), {
      algorithm: "oauth2",
      [client.customFetch]: mtlsFetch(tlsOf(reporting)),
    });
    const tokens = await client.clientCredentialsGrant(config, { scope: "invoices:read" });
    assert.equal(tokens.access_token.split(".").length, 3);
    // Not bound (the client did not ask): usable with another certificate or none.
    assert.deepEqual(await (await callApi(listening.origin, tokens.access_token)).json(), { client: "reporting" });
  });

  test("self_signed_tls_client_auth over TLS: the registered key authenticates, and binds the token", async () => {
    const res = await tokenRequest(`${listening.origin}/token`, "self", selfSigned);
    const body = await res.json() as { access_token: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(await app.boundTo(body.access_token), x5t(selfSigned));
    assert.deepEqual(await (await callApi(listening.origin, body.access_token, selfSigned)).json(), { client: "self" });
    await assertInvalidToken(await callApi(listening.origin, body.access_token, billing));
  });

  test("a self-signed certificate with the right dNSName does not pass for tls_client_auth: the TLS layer did not validate it", async () => {
    const res = await tokenRequest(`${listening.origin}/token`, "billing", selfSigned);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, "invalid_client");
  });

  test("no certificate -> 401 invalid_client (no client authentication at all); another client's -> 400 invalid_client", async () => {
    for (const [cert, status] of [[undefined, 401], [reporting, 400]] as const) {
      const res = await tokenRequest(`${listening.origin}/token`, "billing", cert);
      assert.equal(res.status, status);
      assert.equal(((await res.json()) as { error: string }).error, "invalid_client");
    }
  });
});

describe("behind a TLS-terminating proxy: the RFC 9440 Client-Cert header (clientCertificateHeader)", { skip }, () => {
  let backend: Listening;
  let proxy: Listening;
  let app: Awaited<ReturnType<typeof application>>;

  before(async () => {
    backend = await serveHttp((request) => app.handle(request));
    proxy = await serveProxy({ key: serverCert.key.pem, cert: serverCert.pem, ca: ca.pem }, backend.origin);
    // The public URL is the proxy's; the proxy forwards only certificates it validated.
    app = await application(proxy.origin, clientCertificateHeader({ chainVerified: true }));
  });

  after(async () => {
    await proxy?.close();
    await backend?.close();
  });

  test("oauth4webapi through the proxy: tls_client_auth, a bound token, refused with another certificate", async () => {
    const issuer = new URL(proxy.origin);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", [oauth.customFetch]: mtlsFetch(tlsOf()) }));
    const c: oauth.Client = { client_id: "billing" };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.TlsClientAuth(), new URLSearchParams(), {
      [oauth.customFetch]: mtlsFetch(tlsOf(billing)),
    });
    const tokens = await oauth.processClientCredentialsResponse(as, c, response);
    assert.equal(await app.boundTo(tokens.access_token), x5t(billing));

    assert.deepEqual(await (await callApi(proxy.origin, tokens.access_token, billing)).json(), { client: "billing" });
    await assertInvalidToken(await callApi(proxy.origin, tokens.access_token, reporting));
    await assertInvalidToken(await callApi(proxy.origin, tokens.access_token));
  });

  test("a Client-Cert header sent by the client is removed by the proxy: without a certificate it authenticates nobody", async () => {
    const forged = { "client-cert": `:${encodeBase64(billing.der)}:` };
    const res = await tokenRequest(`${proxy.origin}/token`, "billing", undefined, forged);
    // No certificate reached the server: no client authentication at all (401).
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, "invalid_client");
    // ...and overwritten when the connection has a certificate of its own.
    const other = await tokenRequest(`${proxy.origin}/token`, "billing", reporting, forged);
    assert.equal(other.status, 400);
    await other.arrayBuffer();
  });

  test("a certificate the proxy did not validate is not forwarded", async () => {
    const res = await tokenRequest(`${proxy.origin}/token`, "self", selfSigned);
    // Nothing forwarded: no client authentication at all (401).
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, "invalid_client");
  });
});
