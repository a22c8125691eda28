// Mutual-TLS client authentication (RFC 8705 s2), in process: the certificate comes from
// the `clientCertificate` option, as a TLS terminator would hand it over. tls_client_auth
// by subject DN and by each kind of subjectAltName (s2.1.2); self_signed_tls_client_auth by
// the registered key (s2.2); every failure the same invalid_client; no brute-force counting;
// registration mistakes caught at start-up. (Through real TLS connections:
// mtls_tls.test.ts.)
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientCertificate,
  type ClientRegistration,
  ConfigurationError,
  createAuthorizationServer,
  encodeBasicCredentials,
  type ServerEvent,
  type ServerOptions,
} from "../mod.ts";
import { encodeBase64 } from "../src/encoding/base64.ts";
import { assertOAuthError, assertToken } from "./helpers.ts";
import { authServer, fakeClock, ISSUER, SECRET } from "./support/fixtures.ts";
import { issueCertificate, makeCa, makeKey, type TestCertificate } from "./support/certificates.ts";

const TOKEN = `${ISSUER}/token`;
const ca = await makeCa();
const rogueCa = await makeCa("rogue CA");
const DN: ClientCertificateRdns = [["C", "DE"], ["O", "Acme"], ["CN", "billing"]];
type ClientCertificateRdns = Parameters<typeof issueCertificate>[0]["subject"];

const certs = {
  dn: await issueCertificate({ subject: DN, issuer: ca, usage: "client" }),
  otherDn: await issueCertificate({ subject: [["C", "DE"], ["O", "Other"], ["CN", "billing"]], issuer: ca }),
  san: await issueCertificate({
    subject: [["CN", "san client"]],
    issuer: ca,
    san: { dns: ["Billing.Example"], uri: ["spiffe://example.org/ns/billing"], ip: ["10.0.0.7", "2001:db8::7"], email: ["ops@Example.ORG"] },
  }),
  noSan: await issueCertificate({ subject: [["CN", "billing.example"]], issuer: ca }),
  rogue: await issueCertificate({ subject: DN, issuer: rogueCa }),
  expired: await issueCertificate({ subject: DN, issuer: ca, notBefore: new Date(Date.now() - 48 * 3_600_000), notAfter: new Date(Date.now() - 3_600_000) }),
  future: await issueCertificate({ subject: DN, issuer: ca, notBefore: new Date(Date.now() + 3_600_000) }),
  selfSigned: await issueCertificate({ subject: [["CN", "self"]], alg: "EdDSA" }),
  selfSignedRsa: await issueCertificate({ subject: [["CN", "self rsa"]], alg: "RS256" }),
  otherSelfSigned: await issueCertificate({ subject: [["CN", "self"]], alg: "EdDSA" }),
};
/** Same key as `selfSigned`, a new certificate: the key is what is registered (s2.2). */
const reissued = await issueCertificate({ subject: [["CN", "self, reissued"]], key: certs.selfSigned.key });

const base = { grant_types: ["client_credentials"], scope: "read" } as const;
const CLIENTS: ClientRegistration[] = [
  { ...base, client_id: "by-dn", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_subject_dn: "CN=billing, O=Acme, C=DE" },
  { ...base, client_id: "by-dns", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "billing.example" },
  { ...base, client_id: "by-uri", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_uri: "spiffe://example.org/ns/billing" },
  { ...base, client_id: "by-ip", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_ip: "10.0.0.7" },
  { ...base, client_id: "by-ipv6", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_ip: "2001:0db8:0:0:0:0:0:7" },
  { ...base, client_id: "by-email", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_email: "ops@example.org" },
  { ...base, client_id: "self", token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [certs.selfSigned.key.jwk, certs.selfSignedRsa.key.jwk] } },
  {
    ...base,
    client_id: "self-x5c",
    token_endpoint_auth_method: "self_signed_tls_client_auth",
    jwks: { keys: [{ ...certs.selfSigned.key.jwk, x5c: [encodeBase64(certs.selfSigned.der)] }] },
  },
  { ...base, client_id: "basic", client_secret: SECRET },
  { client_id: "rs", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "billing.example", resource_server: "https://api.example.com" },
];

/** The certificate each request came with, as a TLS terminator would say. */
const presented = new WeakMap<Request, ClientCertificate>();
const clientCertificate = (request: Request) => presented.get(request);

function server(extra: Partial<ServerOptions> = {}) {
  const events: ServerEvent[] = [];
  const { server: as } = authServer({
    clientCertificate,
    callerKey: (r) => r.headers.get("x-test-peer") ?? undefined,
    onEvent: (e) => void events.push(e),
    ...extra,
  }, CLIENTS);
  return { as, events };
}

function request(client_id: string, cert?: TestCertificate | ClientCertificate, init: { body?: Record<string, string>; headers?: Record<string, string>; url?: string } = {}): Request {
  const r = new Request(init.url ?? TOKEN, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...init.headers },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id, ...init.body }).toString(),
  });
  if (cert !== undefined) presented.set(r, typeof cert === "object" && "der" in cert ? cert.der : cert);
  return r;
}

describe("tls_client_auth (RFC 8705 s2.1): the registered subject, in a certificate the TLS layer validated", () => {
  const { as } = server();
  const cases: [string, string, TestCertificate][] = [
    ["tls_client_auth_subject_dn (RFC 4514, compared attribute by attribute)", "by-dn", certs.dn],
    ["tls_client_auth_san_dns (case-insensitive)", "by-dns", certs.san],
    ["tls_client_auth_san_uri", "by-uri", certs.san],
    ["tls_client_auth_san_ip (IPv4)", "by-ip", certs.san],
    ["tls_client_auth_san_ip (IPv6, compared as octets)", "by-ipv6", certs.san],
    ["tls_client_auth_san_email (domain case-insensitive)", "by-email", certs.san],
  ];
  for (const [what, client_id, cert] of cases) {
    test(`${what} -> 200`, async () => {
      const body = await assertToken(await as.fetch(request(client_id, cert)));
      assert.equal(body.token_type, "Bearer");
      assert.equal(body.scope, "read");
    });
  }

  test("the certificate as PEM, or as an RFC 9440 byte sequence, from the source -> 200", async () => {
    await assertToken(await as.fetch(request("by-dn", certs.dn.pem)));
    await assertToken(await as.fetch(request("by-dn", `:${encodeBase64(certs.dn.der)}:`)));
    await assertToken(await as.fetch(request("by-dn", { certificate: certs.dn.der, chainVerified: true })));
  });

  const refusals: [string, string, TestCertificate | ClientCertificate | undefined][] = [
    ["another subject DN", "by-dn", certs.otherDn],
    ["the registered DN as a SAN-less certificate's CN is not a dNSName", "by-dns", certs.noSan],
    ["a certificate without the SAN", "by-uri", certs.dn],
    ["the right subject, but the chain was not validated (chainVerified: false)", "by-dn", { certificate: certs.rogue.der, chainVerified: false }],
    ["chainVerified anything but true", "by-dn", { certificate: certs.dn.der, chainVerified: "yes" as unknown as boolean }],
    ["an expired certificate", "by-dn", certs.expired],
    ["a certificate not valid yet", "by-dn", certs.future],
    ["bytes that are not a certificate", "by-dn", new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])],
    ["text that is not a certificate", "by-dn", "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"],
    ["an unknown client_id with a good certificate", "nobody", certs.dn],
    ["a client_secret_basic client sending client_id and a certificate", "basic", certs.dn],
  ];
  for (const [what, client_id, cert] of refusals) {
    test(`refused: ${what} -> 400 invalid_client`, async () => {
      await assertOAuthError(await as.fetch(request(client_id, cert as TestCertificate)), 400, "invalid_client");
    });
  }

  test("no certificate at all is no client authentication: 401 invalid_client + the Basic challenge, as without mutual TLS", async () => {
    for (const client_id of ["by-dn", "nobody", "basic"]) {
      const res = await as.fetch(request(client_id, undefined as unknown as TestCertificate));
      await assertOAuthError(res, 401, "invalid_client");
      assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="/);
    }
  });

  test("every refusal is byte for byte the same answer (status, headers, body)", async () => {
    const answers = new Set<string>();
    for (const [, client_id, cert] of refusals) {
      const res = await as.fetch(request(client_id, cert as TestCertificate));
      answers.add(JSON.stringify([res.status, [...res.headers].sort(), await res.text()]));
    }
    assert.equal(answers.size, 1, [...answers].join("\n"));
  });
});

describe("self_signed_tls_client_auth (RFC 8705 s2.2): the certificate's key is a registered key", () => {
  const { as } = server();

  test("a registered key (Ed25519, RSA) -> 200, whether or not the chain was validated", async () => {
    await assertToken(await as.fetch(request("self", certs.selfSigned)));
    await assertToken(await as.fetch(request("self", certs.selfSignedRsa)));
    await assertToken(await as.fetch(request("self", { certificate: certs.selfSigned.der, chainVerified: false })));
  });

  test("another certificate of the same key -> 200 (the key is what the registration holds)", async () => {
    await assertToken(await as.fetch(request("self", reissued)));
  });

  test("a registration with x5c: the certificate's key -> 200", async () => {
    await assertToken(await as.fetch(request("self-x5c", certs.selfSigned)));
  });

  test("another key or a CA-issued certificate of another key -> 400 invalid_client; none -> 401 (no client authentication)", async () => {
    await assertOAuthError(await as.fetch(request("self", certs.otherSelfSigned)), 400, "invalid_client");
    await assertOAuthError(await as.fetch(request("self", certs.dn)), 400, "invalid_client");
    await assertOAuthError(await as.fetch(request("self", undefined)), 401, "invalid_client");
  });

  test("keys from jwks_uri, refetched when the certificate's key is not there yet (rotation)", async () => {
    let served = [certs.selfSigned.key.jwk];
    let fetches = 0;
    const fetch = (url: string | URL | Request) => {
      fetches++;
      assert.equal(String(url), "https://self.example/jwks.json");
      return Promise.resolve(Response.json({ keys: served }));
    };
    const clock = fakeClock(Date.now());
    const { as } = server({
      clients: [{ ...base, client_id: "self-uri", token_endpoint_auth_method: "self_signed_tls_client_auth", jwks_uri: "https://self.example/jwks.json" }],
      fetch,
      clock: clock.now,
      clientAssertion: { jwksCooldown: 30 },
    });
    await assertToken(await as.fetch(request("self-uri", certs.selfSigned)));
    served = [certs.otherSelfSigned.key.jwk];
    // Within the cooldown the cached set is used: the rotated key is not known yet.
    await assertOAuthError(await as.fetch(request("self-uri", certs.otherSelfSigned)), 400, "invalid_client");
    clock.advance(31);
    await assertToken(await as.fetch(request("self-uri", certs.otherSelfSigned)));
    assert.equal(fetches, 2);
  });

  test("a jwks_uri that cannot be read -> 400 invalid_client, not a 5xx", async () => {
    const { as } = server({
      clients: [{ ...base, client_id: "self-uri", token_endpoint_auth_method: "self_signed_tls_client_auth", jwks_uri: "https://self.example/jwks.json" }],
      fetch: () => Promise.resolve(new Response("down", { status: 503 })),
    });
    await assertOAuthError(await as.fetch(request("self-uri", certs.selfSigned)), 400, "invalid_client");
  });
});

describe("one method per request, one answer for every failure, no brute-force counting", () => {
  test("a tls_client_auth client presenting a secret (Basic or body) or an assertion is refused, certificate or not", async () => {
    const { as } = server();
    const basic = request("by-dn", certs.dn, { headers: { authorization: `Basic ${encodeBasicCredentials("by-dn", SECRET)}` } });
    await assertOAuthError(await as.fetch(basic), 401, "invalid_client");
    await assertOAuthError(await as.fetch(request("by-dn", certs.dn, { body: { client_secret: SECRET } })), 400, "invalid_client");
    await assertOAuthError(
      await as.fetch(request("by-dn", certs.dn, { body: { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: "a.b.c" } })),
      400,
      "invalid_client",
    );
  });

  test("a certificate next to a client secret is not a second method: the secret client is authenticated by its secret", async () => {
    const { as } = server();
    const r = request("basic", certs.dn, { body: {}, headers: { authorization: `Basic ${encodeBasicCredentials("basic", SECRET)}` } });
    await assertToken(await as.fetch(r));
  });

  test("failed mTLS attempts are not counted: 30 from one caller, then the right certificate -> 200", async () => {
    const { as } = server({ bruteForce: { maxAttempts: 3, maxAttemptsPerClient: 5 } });
    const peer = { headers: { "x-test-peer": "198.51.100.9" } };
    for (let i = 0; i < 30; i++) await assertOAuthError(await as.fetch(request("by-dn", certs.otherDn, peer)), 400, "invalid_client");
    await assertToken(await as.fetch(request("by-dn", certs.dn, peer)));
  });

  test("a caller locked out for guessing a secret at a tls_client_auth client id still authenticates with its certificate", async () => {
    const { as } = server({ bruteForce: { maxAttempts: 3 } });
    const peer = { headers: { "x-test-peer": "198.51.100.10" } };
    for (let i = 0; i < 3; i++) await assertOAuthError(await as.fetch(request("by-dn", undefined, { ...peer, body: { client_secret: "guess" } })), 400, "invalid_client");
    await assertOAuthError(await as.fetch(request("by-dn", undefined, { ...peer, body: { client_secret: "guess" } })), 429, "temporarily_unavailable");
    await assertToken(await as.fetch(request("by-dn", certs.dn, peer)));
  });

  test("a failure emits client_authentication_failed with the client's mTLS method; the reason stays out of the answer", async () => {
    const { as, events } = server();
    const res = await as.fetch(request("by-dn", certs.otherDn));
    const body = await assertOAuthError(res, 400, "invalid_client");
    assert.equal(body.error_description, "client authentication failed");
    assert.deepEqual(events.filter((e) => e.type === "client_authentication_failed").map((e) => ({ ...e, time: 0 })), [
      { type: "client_authentication_failed", endpoint: "token", client_id: "by-dn", method: "tls_client_auth", time: 0 },
    ]);
  });

  test("a certificate without client_id in the body authenticates nobody (RFC 8705 s2: client_id MUST be sent)", async () => {
    const { as } = server();
    const r = new Request(TOKEN, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials" });
    presented.set(r, certs.dn.der);
    // Without client_id the certificate is not read: no client authentication at all (401).
    await assertOAuthError(await as.fetch(r), 401, "invalid_client");
  });

  test("without a clientCertificate source, client_id alone is no credential: 401, as without mutual TLS", async () => {
    const { server: as } = authServer({}, [{ ...base, client_id: "basic", client_secret: SECRET }]);
    await assertOAuthError(await as.fetch(request("basic", certs.dn)), 401, "invalid_client");
  });
});

describe("the clientCertificate source", () => {
  test("is asked once per request, however many steps need the certificate", async () => {
    let calls = 0;
    const { server: as } = authServer(
      { clientCertificate: (r) => (calls++, presented.get(r)) },
      [{ ...CLIENTS[0]!, tls_client_certificate_bound_access_tokens: true }],
    );
    await assertToken(await as.fetch(request("by-dn", certs.dn)));
    assert.equal(calls, 1);
  });

  test("may answer asynchronously", async () => {
    const { server: as } = authServer({ clientCertificate: async (r) => presented.get(r) }, CLIENTS);
    await assertToken(await as.fetch(request("by-dn", certs.dn)));
  });

  test("that throws -> 500 server_error; that does not answer -> 503 within storeTimeoutMs", async () => {
    const { server: failing } = authServer({ clientCertificate: () => { throw new Error("socket gone"); } }, CLIENTS);
    await assertOAuthError(await failing.fetch(request("by-dn", certs.dn)), 500, "server_error");
    const { server: hanging } = authServer({ clientCertificate: () => new Promise(() => {}), storeTimeoutMs: 50 }, CLIENTS);
    await assertOAuthError(await hanging.fetch(request("by-dn", certs.dn)), 503, "temporarily_unavailable");
  });
});

describe("introspection and revocation authenticate by certificate too (RFC 7662 s2.1, RFC 7009 s2.1)", () => {
  test("a resource server authenticating with tls_client_auth introspects a token meant for it", async () => {
    const { as } = server({ clients: [...CLIENTS, { ...base, client_id: "api-client", client_secret: SECRET, allowed_resources: ["https://api.example.com"] }] });
    const issued = await as.fetch(new Request(TOKEN, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials("api-client", SECRET)}` },
      body: "grant_type=client_credentials&resource=https%3A%2F%2Fapi.example.com",
    }));
    const { access_token } = await assertToken(issued);
    const introspect = (cert?: TestCertificate) =>
      as.fetch(request("rs", cert, { url: `${ISSUER}/introspect`, body: { token: access_token as string, grant_type: "" } }));
    const answer = await (await introspect(certs.san)).json() as Record<string, unknown>;
    assert.equal(answer.active, true);
    assert.equal(answer.client_id, "api-client");
    await assertOAuthError(await introspect(certs.otherDn), 401, "invalid_client");
  });

  test("a tls_client_auth client revokes its own token", async () => {
    const { as } = server();
    const { access_token } = await assertToken(await as.fetch(request("by-dns", certs.san)));
    const revoked = await as.fetch(request("by-dns", certs.san, { url: `${ISSUER}/revoke`, body: { token: access_token as string, grant_type: "" } }));
    assert.equal(revoked.status, 200);
    const answer = await (await as.fetch(request("by-dns", certs.san, { url: `${ISSUER}/introspect`, body: { token: access_token as string, grant_type: "" } }))).json();
    assert.deepEqual(answer, { active: false });
  });
});

describe("registrations are checked at start-up", () => {
  const make = (client: Record<string, unknown>, extra: Partial<ServerOptions> = { clientCertificate }) =>
    () => createAuthorizationServer({ issuer: ISSUER, clients: [{ ...base, client_id: "x", ...client } as ClientRegistration], ...extra });
  const mistakes: [string, Record<string, unknown>, RegExp, Partial<ServerOptions>?][] = [
    ["tls_client_auth without a subject", { token_endpoint_auth_method: "tls_client_auth" }, /exactly one of tls_client_auth_subject_dn/],
    ["tls_client_auth with two subjects", { token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "a.example", tls_client_auth_san_uri: "urn:a" }, /exactly one .* not tls_client_auth_san_dns and tls_client_auth_san_uri/],
    ["a subject DN that is not RFC 4514", { token_endpoint_auth_method: "tls_client_auth", tls_client_auth_subject_dn: "CN=a;O=b" }, /not an RFC 4514 distinguished name/],
    ["an IP that is not one", { token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_ip: "10.0.0.256" }, /not an IPv4 or IPv6 address/],
    ["a URI that is not absolute", { token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_uri: "/billing" }, /not an absolute URI/],
    ["an empty subject value", { token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "" }, /non-empty string/],
    ["a subject field on a client of another method", { client_secret: SECRET, tls_client_auth_san_dns: "a.example" }, /applies to tls_client_auth only/],
    ["self_signed_tls_client_auth without keys", { token_endpoint_auth_method: "self_signed_tls_client_auth" }, /jwks or jwks_uri/],
    ["a private key in jwks", { token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: "AA", d: "AA" }] } }, /public keys only/],
    ["an oct key in jwks", { token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [{ kty: "oct" }] } }, /EC, RSA or OKP/],
    ["an x5c of another key", { token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [{ ...certs.otherSelfSigned.key.jwk, x5c: [encodeBase64(certs.selfSigned.der)] }] } }, /RFC 7517 s4.7/],
    ["an x5c that is not a certificate", { token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [{ ...certs.selfSigned.key.jwk, x5c: ["MAA="] }] } }, /not a certificate/],
    ["tls_client_certificate_bound_access_tokens not a boolean", { client_secret: SECRET, tls_client_certificate_bound_access_tokens: "yes" }, /must be a boolean/],
    ["tls_client_auth on a server without clientCertificate", { token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "a.example" }, /client "x": tls_client_auth needs the clientCertificate option/, {}],
    ["bound tokens on a server without clientCertificate", { client_secret: SECRET, tls_client_certificate_bound_access_tokens: true }, /tls_client_certificate_bound_access_tokens needs the clientCertificate option/, {}],
  ];
  for (const [what, client, message, extra] of mistakes) {
    test(`ConfigurationError: ${what}`, () => {
      assert.throws(make(client, extra), (e: unknown) => e instanceof ConfigurationError && message.test(e.message) || assert.fail(String(e)));
    });
  }

  test("ConfigurationError: clientCertificate not a function; certificateBoundAccessTokens without clientCertificate", () => {
    assert.throws(() => createAuthorizationServer({ issuer: ISSUER, clients: [], clientCertificate: "header" as never }), /clientCertificate must be a function/);
    assert.throws(() => createAuthorizationServer({ issuer: ISSUER, clients: [], certificateBoundAccessTokens: true }), /certificateBoundAccessTokens needs the clientCertificate option/);
  });

  test("a self-signed client's keys need not be JWS keys (a P-521 certificate is fine)", async () => {
    const p521 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-521" }, true, ["sign"]) as CryptoKeyPair;
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", p521.publicKey) as Record<string, string>;
    assert.doesNotThrow(make({ token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [{ kty, crv, x, y }] } }));
    void makeKey;
  });
});
