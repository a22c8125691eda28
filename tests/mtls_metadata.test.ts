// Mutual-TLS metadata (RFC 8705 s3.3, s5) and endpoint aliases: the authentication
// methods and tls_client_certificate_bound_access_tokens only when the server can do them;
// mtls_endpoint_aliases as configured, and routed; DPoP proofs and client assertions may
// name the aliases as they may the conventional URLs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientCertificate,
  type ClientRegistration,
  type ClientStore,
  ConfigurationError,
  createAuthorizationServer,
  type ServerOptions,
} from "../mod.ts";
import { assertOAuthError, assertToken } from "./helpers.ts";
import { authServer, ISSUER, SECRET } from "./support/fixtures.ts";
import { assertionRequest, claims, ES256_KEY, PK_CLIENT, signAssertion } from "./assertion_helpers.ts";
import { dpopKey, proof } from "./dpop_helpers.ts";
import { issueCertificate, makeCa } from "./support/certificates.ts";

const ca = await makeCa();
const cert = await issueCertificate({ subject: [["CN", "billing"]], issuer: ca, san: { dns: ["billing.example"] } });
const presented = new WeakMap<Request, ClientCertificate>();
const clientCertificate = (r: Request) => presented.get(r);

const base = { grant_types: ["client_credentials"], scope: "read" } as const;
const TLS: ClientRegistration = { ...base, client_id: "tls", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "billing.example" };
const SELF: ClientRegistration = { ...base, client_id: "self", token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: { keys: [cert.key.jwk] } };
const BASIC: ClientRegistration = { ...base, client_id: "basic", client_secret: SECRET };
const MTLS_HOST = "https://mtls.as.example.com";

const metadata = (options: Partial<ServerOptions>) =>
  authServer(options, [BASIC]).server.metadata as unknown as Record<string, unknown>;

describe("metadata (RFC 8414 s2, RFC 8705 s2.1.1, s2.2.1, s3.3, s5)", () => {
  test("the mTLS methods are listed when a client uses them, at every endpoint that authenticates clients", () => {
    const doc = metadata({ clients: [BASIC, TLS, SELF], clientCertificate });
    for (const member of ["token_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"]) {
      assert.deepEqual(doc[member], ["client_secret_basic", "tls_client_auth", "self_signed_tls_client_auth"], member);
    }
    assert.deepEqual(metadata({ clients: [BASIC], clientCertificate }).token_endpoint_auth_methods_supported, ["client_secret_basic"]);
  });

  test("a client store: every method, the mTLS ones only when the server reads certificates", () => {
    const store: ClientStore = { getClient: () => undefined };
    assert.deepEqual(metadata({ clients: store, clientCertificate }).token_endpoint_auth_methods_supported, [
      "client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt", "tls_client_auth", "self_signed_tls_client_auth",
    ]);
    assert.deepEqual(metadata({ clients: store }).token_endpoint_auth_methods_supported, ["client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt"]);
  });

  test("tls_client_certificate_bound_access_tokens: true only when a token can be bound", () => {
    const flagged = { ...BASIC, tls_client_certificate_bound_access_tokens: true };
    assert.equal(metadata({ clients: [flagged], clientCertificate }).tls_client_certificate_bound_access_tokens, true);
    assert.equal(metadata({ clientCertificate, certificateBoundAccessTokens: true }).tls_client_certificate_bound_access_tokens, true);
    assert.equal(metadata({ clients: { getClient: () => undefined }, clientCertificate }).tls_client_certificate_bound_access_tokens, true);
    assert.equal("tls_client_certificate_bound_access_tokens" in metadata({ clients: [TLS], clientCertificate }), false);
    assert.equal("tls_client_certificate_bound_access_tokens" in metadata({}), false);
  });

  test("mtls_endpoint_aliases as configured (absolute URLs or paths), absent otherwise", () => {
    const doc = metadata({
      clientCertificate,
      mtlsEndpointAliases: { token: `${MTLS_HOST}/token`, introspection: "/mtls/introspect", revocation: `${MTLS_HOST}/revoke` },
    });
    assert.deepEqual(doc.mtls_endpoint_aliases, {
      token_endpoint: `${MTLS_HOST}/token`,
      introspection_endpoint: `${ISSUER}/mtls/introspect`,
      revocation_endpoint: `${MTLS_HOST}/revoke`,
    });
    assert.equal(doc.token_endpoint, `${ISSUER}/token`);
    assert.equal("mtls_endpoint_aliases" in metadata({ clientCertificate }), false);
  });
});

describe("mtls_endpoint_aliases are routed, and named in htu and aud like the conventional URLs", () => {
  const options: ServerOptions = {
    issuer: ISSUER,
    clients: [TLS, BASIC, { ...PK_CLIENT, client_id: "pk" }],
    clientCertificate,
    mtlsEndpointAliases: { token: `${MTLS_HOST}/token`, introspection: "/mtls/introspect" },
  };
  const tokenAt = (url: string, body: Record<string, string>, headers: Record<string, string> = {}) => {
    const r = new Request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(body).toString() });
    presented.set(r, cert.der);
    return r;
  };

  test("a token request at the alias (another host, same path) and an introspection at the alias (another path)", async () => {
    const { server: as } = authServer(options);
    const { access_token } = await assertToken(await as.fetch(tokenAt(`${MTLS_HOST}/token`, { grant_type: "client_credentials", client_id: "tls" })));
    const answer = await (await as.fetch(tokenAt(`${ISSUER}/mtls/introspect`, { token: access_token as string, client_id: "tls" }))).json() as Record<string, unknown>;
    assert.equal(answer.active, true);
  });

  test("DPoP: a proof naming the alias is accepted, one naming the conventional URL too; each once", async () => {
    const { server: as } = authServer(options);
    const key = await dpopKey("ES256", "alias");
    for (const htu of [`${MTLS_HOST}/token`, `${ISSUER}/token`]) {
      const dpop = await proof(key, Date.now(), { htu });
      const body = await assertToken(await as.fetch(tokenAt(`${MTLS_HOST}/token`, { grant_type: "client_credentials", client_id: "tls" }, { dpop })));
      assert.equal(body.token_type, "DPoP");
      // The same proof again, at either URL: a replay.
      await assertOAuthError(await as.fetch(tokenAt(`${ISSUER}/token`, { grant_type: "client_credentials", client_id: "tls" }, { dpop })), 400, "invalid_dpop_proof");
    }
    const elsewhere = await proof(key, Date.now(), { htu: "https://mtls.other.example/token" });
    await assertOAuthError(await as.fetch(tokenAt(`${MTLS_HOST}/token`, { grant_type: "client_credentials", client_id: "tls" }, { dpop: elsewhere })), 400, "invalid_dpop_proof");
  });

  test("a client assertion addressed to the token endpoint's alias is accepted with strictAudience: false; not by default", async () => {
    const { server: as } = authServer({ ...options, clientAssertion: { strictAudience: false } });
    const assertion = await signAssertion(ES256_KEY, claims("pk", Date.now(), { aud: `${MTLS_HOST}/token` }));
    await assertToken(await as.fetch(assertionRequest(assertion, {}, `${MTLS_HOST}/token`)));
    const { server: strict } = authServer(options);
    const again = await signAssertion(ES256_KEY, claims("pk", Date.now(), { aud: `${MTLS_HOST}/token` }));
    await assertOAuthError(await strict.fetch(assertionRequest(again, {}, `${MTLS_HOST}/token`)), 400, "invalid_client");
  });

  test("configuration mistakes are ConfigurationErrors", () => {
    const make = (extra: Partial<ServerOptions>) => () => createAuthorizationServer({ issuer: ISSUER, clients: [BASIC], clientCertificate, ...extra });
    const mistakes: [Partial<ServerOptions>, RegExp][] = [
      [{ clientCertificate: undefined, mtlsEndpointAliases: { token: `${MTLS_HOST}/token` } }, /needs the clientCertificate option/],
      [{ mtlsEndpointAliases: {} }, /must not be empty/],
      [{ mtlsEndpointAliases: { jwks: "/x" } as never }, /unknown option 'mtlsEndpointAliases.jwks'/],
      [{ mtlsEndpointAliases: { introspection: "/mi" }, endpoints: { introspection: false } }, /introspection endpoint is not served/],
      [{ mtlsEndpointAliases: { token: "/revoke" } }, /mtlsEndpointAliases.token shares the path \/revoke with endpoints.revocation/],
      [{ mtlsEndpointAliases: { token: "http://mtls.example.com/token" } }, /must be an https URL/],
      [{ mtlsEndpointAliases: { token: `${MTLS_HOST}/token#x` } }, /fragment/],
    ];
    for (const [extra, message] of mistakes) {
      assert.throws(make(extra), (e: unknown) => e instanceof ConfigurationError && message.test(e.message) || assert.fail(`${JSON.stringify(extra)}: ${String(e)}`));
    }
  });
});
