// Issue 20: every ConfigurationError names its option's path. One bad option per error
// site: the error's `path` is exact, and its message names that path.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClientRegistration, ConfigurationError, createAuthorizationServer, type ServerOptions } from "../mod.ts";
import { resolveResourceServerOptions, type ResourceServerOptions } from "../src/resource_server/options.ts";
import { protectedResourceMetadata } from "../src/resource_server/protected_resource_metadata.ts";
import { checkStorableRegistration } from "../src/clients/stored_registration.ts";

const ISSUER = "https://as.example.com";
const GITHUB = "https://token.actions.githubusercontent.com";
const SPIFFE = "spiffe://example.org";
const EC = { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" };
const trustedIssuers = [{ issuer: GITHUB }, { issuer: SPIFFE, jwksUri: "https://spire.example.org/bundle" }];

/** A client that is fine, so a bad one can sit at index 1. */
const good: ClientRegistration = { client_id: "good", client_secret: "s".repeat(43), grant_types: ["client_credentials"] };
const secretClient = (extra: Record<string, unknown>) => ({ client_id: "c", client_secret: "s".repeat(43), grant_types: ["client_credentials"], ...extra });
const pkjwt = (extra: Record<string, unknown>) => ({ client_id: "c", token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://c.example.com/jwks", grant_types: ["client_credentials"], ...extra });
const tls = (extra: Record<string, unknown>) => ({ client_id: "c", token_endpoint_auth_method: "tls_client_auth", grant_types: ["client_credentials"], ...extra });
const selfSigned = (extra: Record<string, unknown>) => ({ client_id: "c", token_endpoint_auth_method: "self_signed_tls_client_auth", grant_types: ["client_credentials"], ...extra });
const federated = (credentials: unknown, method = "private_key_jwt") => ({ client_id: "c", token_endpoint_auth_method: method, federated_credentials: credentials, grant_types: ["client_credentials"] });
const gh = (claims: unknown) => [{ issuer: GITHUB, claims }];

/** Server options with `client` at clients[1] (and the sources mutual TLS needs). */
function withClient(client: unknown, extra: Partial<ServerOptions> = {}): ServerOptions {
  return { issuer: ISSUER, clients: [good, client as ClientRegistration], trustedIssuers, clientCertificate: () => undefined, ...extra };
}

type Case = readonly [name: string, options: () => ServerOptions, path: string];

const clientCases: Case[] = [
  // src/clients/registration.ts
  ["not an object", () => withClient("c"), "clients[1]"],
  ["client_id missing", () => withClient({ grant_types: [] }), "clients[1].client_id"],
  ["public client with client_credentials", () => withClient({ client_id: "c", token_endpoint_auth_method: "none", grant_types: ["client_credentials"] }), "clients[1].grant_types"],
  ["secret method without a secret", () => withClient({ client_id: "c", grant_types: ["client_credentials"] }), "clients[1].client_secret_hash"],
  ["a bad secret hash in a list", () => withClient(secretClient({ client_secret: undefined, client_secret_hash: ["$sha256$AAAA"] })), "clients[1].client_secret_hash[0]"],
  ["jwks not a JWK Set", () => withClient(pkjwt({ jwks_uri: undefined, jwks: [] })), "clients[1].jwks"],
  ["a private key in jwks", () => withClient(pkjwt({ jwks_uri: undefined, jwks: { keys: [EC, { ...EC, d: "d" }] } })), "clients[1].jwks.keys[1]"],
  ["a jwks key that is no JWK", () => withClient(pkjwt({ jwks_uri: undefined, jwks: { keys: [1] } })), "clients[1].jwks.keys[0]"],
  ["jwks without an assertion key", () => withClient(pkjwt({ jwks_uri: undefined, jwks: { keys: [{ kty: "oct" }] } })), "clients[1].jwks"],
  ["jwks and jwks_uri", () => withClient(pkjwt({ jwks: { keys: [EC] } })), "clients[1].jwks_uri"],
  ["private_key_jwt without keys", () => withClient(pkjwt({ jwks_uri: undefined })), "clients[1].jwks"],
  ["spiffe_jwt without credentials", () => withClient({ client_id: "c", token_endpoint_auth_method: "spiffe_jwt", grant_types: ["client_credentials"] }), "clients[1].federated_credentials"],
  ["client_secret_jwt without the plaintext secret", () => withClient({ client_id: "c", token_endpoint_auth_method: "client_secret_jwt", grant_types: ["client_credentials"] }), "clients[1].client_secret"],
  ["client_secret_jwt with a hash", () => withClient(secretClient({ token_endpoint_auth_method: "client_secret_jwt", client_secret_hash: "$sha256$47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU" })), "clients[1].client_secret_hash"],
  ["client_secret_jwt with a short secret", () => withClient(secretClient({ token_endpoint_auth_method: "client_secret_jwt", client_secret: "short" })), "clients[1].client_secret"],
  ["signing alg for a secret method", () => withClient(secretClient({ token_endpoint_auth_signing_alg: "ES256" })), "clients[1].token_endpoint_auth_signing_alg"],
  ["signing alg the method cannot use", () => withClient(pkjwt({ token_endpoint_auth_signing_alg: "HS256" })), "clients[1].token_endpoint_auth_signing_alg"],
  ["default scope outside scope", () => withClient(secretClient({ scope: "a", default_scope: "b" })), "clients[1].default_scope"],
  ["default resource outside allowed", () => withClient(secretClient({ allowed_resources: ["https://a.example.com"], default_resource: "https://b.example.com" })), "clients[1].default_resource"],
  ["an empty resource_server audience", () => withClient(secretClient({ resource_server: ["a", ""] })), "clients[1].resource_server[1]"],
  ["federated credentials for a secret method", () => withClient(secretClient({ federated_credentials: gh({ sub: "x" }) })), "clients[1].federated_credentials"],
  ["an OIDC issuer for spiffe_jwt", () => withClient(federated(gh({ sub: "x" }), "spiffe_jwt")), "clients[1].federated_credentials[0].issuer"],
  ["a SPIFFE issuer for private_key_jwt", () => withClient(federated([{ issuer: SPIFFE, claims: { sub: "x" } }])), "clients[1].federated_credentials[0].issuer"],
  ["spiffe_jwt with keys of its own", () => withClient({ ...federated([{ issuer: SPIFFE, claims: { sub: "x" } }], "spiffe_jwt"), jwks_uri: "https://c.example.com/jwks" }), "clients[1].federated_credentials"],
  // src/clients/tls_registration.ts
  ["tls_client_auth without a subject", () => withClient(tls({})), "clients[1].tls_client_auth_subject_dn"],
  ["tls_client_auth with two subjects", () => withClient(tls({ tls_client_auth_san_dns: "a.example", tls_client_auth_san_uri: "spiffe://x/y" })), "clients[1].tls_client_auth_san_uri"],
  ["a subject field for another method", () => withClient(secretClient({ tls_client_auth_san_dns: "a.example" })), "clients[1].tls_client_auth_san_dns"],
  ["a bad subject DN", () => withClient(tls({ tls_client_auth_subject_dn: "not a DN" })), "clients[1].tls_client_auth_subject_dn"],
  ["a bad SAN IP", () => withClient(tls({ tls_client_auth_san_ip: "1.2.3" })), "clients[1].tls_client_auth_san_ip"],
  ["a bad SAN URI", () => withClient(tls({ tls_client_auth_san_uri: "no-scheme" })), "clients[1].tls_client_auth_san_uri"],
  ["a bad SAN email", () => withClient(tls({ tls_client_auth_san_email: "nobody" })), "clients[1].tls_client_auth_san_email"],
  ["a bad SAN DNS name", () => withClient(tls({ tls_client_auth_san_dns: "a b" })), "clients[1].tls_client_auth_san_dns"],
  ["self-signed without keys", () => withClient(selfSigned({})), "clients[1].jwks"],
  ["self-signed with an empty jwks", () => withClient(selfSigned({ jwks: { keys: [] } })), "clients[1].jwks"],
  ["self-signed with a key no certificate holds", () => withClient(selfSigned({ jwks: { keys: [EC, { kty: "oct" }] } })), "clients[1].jwks.keys[1].kty"],
  ["self-signed with a bad x5c", () => withClient(selfSigned({ jwks: { keys: [{ ...EC, x5c: [] }] } })), "clients[1].jwks.keys[0].x5c"],
  ["self-signed with an x5c that is not base64", () => withClient(selfSigned({ jwks: { keys: [{ ...EC, x5c: ["!!"] }] } })), "clients[1].jwks.keys[0].x5c[0]"],
  ["self-signed with an x5c that is no certificate", () => withClient(selfSigned({ jwks: { keys: [{ ...EC, x5c: ["AAAA"] }] } })), "clients[1].jwks.keys[0].x5c[0]"],
  ["certificate binding not a boolean", () => withClient(secretClient({ tls_client_certificate_bound_access_tokens: "yes" })), "clients[1].tls_client_certificate_bound_access_tokens"],
  // src/federation/federated_credential.ts and claim_rules.ts
  ["an empty list of credentials", () => withClient(federated([])), "clients[1].federated_credentials"],
  ["a credential that is no object", () => withClient(federated(["x"])), "clients[1].federated_credentials[0]"],
  ["an unknown credential member", () => withClient(federated([{ issuer: GITHUB, claims: { sub: "x" }, subject: "x" }])), "clients[1].federated_credentials[0].subject"],
  ["a credential without issuer", () => withClient(federated([{ claims: { sub: "x" } }])), "clients[1].federated_credentials[0].issuer"],
  ["a credential without claims", () => withClient(federated([{ issuer: GITHUB }])), "clients[1].federated_credentials[0].claims"],
  ["claims not an object", () => withClient(federated(gh("x"))), "clients[1].federated_credentials[0].claims"],
  ["no claim rule", () => withClient(federated(gh({}))), "clients[1].federated_credentials[0].claims"],
  ["a rule on a reserved claim", () => withClient(federated(gh({ aud: "x" }))), "clients[1].federated_credentials[0].claims.aud"],
  ["an empty claim name", () => withClient(federated(gh({ "": "x" }))), "clients[1].federated_credentials[0].claims[\"\"]"],
  ["an empty list rule", () => withClient(federated(gh({ ref: [] }))), "clients[1].federated_credentials[0].claims.ref"],
  ["a rule of the wrong type", () => withClient(federated(gh({ ref: 1 }))), "clients[1].federated_credentials[0].claims.ref"],
  ["a bad pattern list", () => withClient(federated(gh({ ref: { pattern: [] } }))), "clients[1].federated_credentials[0].claims.ref"],
  ["a pattern too long", () => withClient(federated(gh({ ref: { pattern: "x".repeat(1001) } }))), "clients[1].federated_credentials[0].claims.ref"],
  ["a pattern that matches anything", () => withClient(federated(gh({ ref: { pattern: "*" } }))), "clients[1].federated_credentials[0].claims.ref"],
  ["a nested rule", () => withClient(federated(gh({ "kubernetes.io": { namespace: [] } }))), "clients[1].federated_credentials[0].claims[\"kubernetes.io\"].namespace"],
  ["rules nested too deep", () => withClient(federated(gh({ a: { b: { c: { d: { e: { f: { g: { h: { i: "x" } } } } } } } } }))), "clients[1].federated_credentials[0].claims.a.b.c.d.e.f.g.h"],
  // src/federation/federated_clients.ts
  ["a credential of an issuer not trusted", () => withClient(federated([{ issuer: "https://other.example.com", claims: { sub: "x" } }])), "clients[1].federated_credentials[0].issuer"],
  ["a client_id that is a trusted issuer", () => withClient(secretClient({ client_id: GITHUB })), "clients[1].client_id"],
  ["two clients accepting one token", () => ({ ...withClient(federated(gh({ sub: "x" }))), clients: [good, federated(gh({ sub: "x" })) as ClientRegistration, { ...federated([{ issuer: GITHUB, claims: { sub: "x" } }, { issuer: GITHUB, claims: { sub: { pattern: "x*" } } }]), client_id: "d" } as ClientRegistration] }), "clients[2].federated_credentials[0].claims"],
];

/** Server options with `issuer` at trustedIssuers[1]. */
const withIssuer = (issuer: unknown): () => ServerOptions => () => ({ issuer: ISSUER, clients: [good], trustedIssuers: [trustedIssuers[0], issuer] as never });

const issuerCases: Case[] = [
  // src/federation/trusted_issuer.ts
  ["not an array", () => ({ issuer: ISSUER, clients: [good], trustedIssuers: {} as never }), "trustedIssuers"],
  ["not an object", withIssuer(null), "trustedIssuers[1]"],
  ["an unknown member", withIssuer({ issuer: "https://k8s.example.com", jwks_uri: "https://x.example.com" }), "trustedIssuers[1].jwks_uri"],
  ["no issuer", withIssuer({}), "trustedIssuers[1].issuer"],
  ["an empty issuer", withIssuer({ issuer: "" }), "trustedIssuers[1].issuer"],
  ["an issuer that is no URL", withIssuer({ issuer: "k8s.example.com" }), "trustedIssuers[1].issuer"],
  ["an http issuer", withIssuer({ issuer: "http://k8s.example.com" }), "trustedIssuers[1].issuer"],
  ["an issuer with a query", withIssuer({ issuer: "https://k8s.example.com?a=1" }), "trustedIssuers[1].issuer"],
  ["an issuer with a fragment", withIssuer({ issuer: "https://k8s.example.com#a" }), "trustedIssuers[1].issuer"],
  ["an issuer with user information", withIssuer({ issuer: "https://u:p@k8s.example.com" }), "trustedIssuers[1].issuer"],
  ["a bad trust domain", withIssuer({ issuer: "spiffe://Example.org" }), "trustedIssuers[1].issuer"],
  ["the server's own issuer", withIssuer({ issuer: ISSUER }), "trustedIssuers[1].issuer"],
  ["the same issuer twice", withIssuer({ issuer: GITHUB }), "trustedIssuers[1].issuer"],
  ["jwks and jwksUri", withIssuer({ issuer: "https://k8s.example.com", jwks: { keys: [EC] }, jwksUri: "https://k8s.example.com/jwks" }), "trustedIssuers[1].jwksUri"],
  ["a bad jwksUri", withIssuer({ issuer: "https://k8s.example.com", jwksUri: "http://k8s.example.com/jwks" }), "trustedIssuers[1].jwksUri"],
  ["a trust domain without keys", withIssuer({ issuer: "spiffe://other.org" }), "trustedIssuers[1].jwksUri"],
  ["jwks not a JWK Set", withIssuer({ issuer: "https://k8s.example.com", jwks: [] }), "trustedIssuers[1].jwks"],
  ["a private key", withIssuer({ issuer: "https://k8s.example.com", jwks: { keys: [EC, { ...EC, d: "d" }] } }), "trustedIssuers[1].jwks.keys[1]"],
  ["a key that is no JWK", withIssuer({ issuer: "https://k8s.example.com", jwks: { keys: ["k"] } }), "trustedIssuers[1].jwks.keys[0]"],
  ["no usable key", withIssuer({ issuer: "https://k8s.example.com", jwks: { keys: [] } }), "trustedIssuers[1].jwks"],
  ["an empty audience", withIssuer({ issuer: "https://k8s.example.com", audience: [] }), "trustedIssuers[1].audience"],
  ["an empty audience value", withIssuer({ issuer: "https://k8s.example.com", audience: ["a", ""] }), "trustedIssuers[1].audience[1]"],
  ["no algorithms", withIssuer({ issuer: "https://k8s.example.com", algorithms: [] }), "trustedIssuers[1].algorithms"],
  ["a MAC algorithm", withIssuer({ issuer: "https://k8s.example.com", algorithms: ["ES256", "HS256"] }), "trustedIssuers[1].algorithms[1]"],
  ["a lifetime out of range", withIssuer({ issuer: "https://k8s.example.com", maxLifetime: 0 }), "trustedIssuers[1].maxLifetime"],
  ["allowReuse not a boolean", withIssuer({ issuer: "https://k8s.example.com", allowReuse: "yes" }), "trustedIssuers[1].allowReuse"],
  ["an unknown grant profile", withIssuer({ issuer: "https://k8s.example.com", grantProfile: "saml" }), "trustedIssuers[1].grantProfile"],
];

const server = (extra: Record<string, unknown>): () => ServerOptions => () => ({ issuer: ISSUER, clients: [good], ...extra } as ServerOptions);
const SECRET = "n".repeat(32);

const serverCases: Case[] = [
  // src/dpop/options.ts and src/dpop/nonce.ts
  ["dpop not an object", server({ dpop: "on" }), "dpop"],
  ["an unknown dpop member", server({ dpop: { requird: true } }), "dpop.requird"],
  ["dpop.algorithms empty", server({ dpop: { algorithms: [] } }), "dpop.algorithms"],
  ["a MAC algorithm for DPoP", server({ dpop: { algorithms: ["ES256", "HS256"] } }), "dpop.algorithms[1]"],
  ["dpop.required not a boolean", server({ dpop: { required: "yes" } }), "dpop.required"],
  ["dpop.maxAge out of range", server({ dpop: { maxAge: 0 } }), "dpop.maxAge"],
  ["dpop.clockTolerance out of range", server({ dpop: { clockTolerance: 301 } }), "dpop.clockTolerance"],
  ["dpop.nonce not an object", server({ dpop: { nonce: "x" } }), "dpop.nonce"],
  ["a nonce without a secret", server({ dpop: { nonce: {} } }), "dpop.nonce.secret"],
  ["a short nonce secret", server({ dpop: { nonce: { secret: "short" } } }), "dpop.nonce.secret"],
  ["a nonce window out of range", server({ dpop: { nonce: { secret: SECRET, windowSeconds: 5 } } }), "dpop.nonce.windowSeconds"],
  ["an unknown nonce member", server({ dpop: { nonce: { secret: SECRET, window: 60 } } }), "dpop.nonce.window"],
  // src/client_auth/assertion_options.ts
  ["clientAssertion not an object", server({ clientAssertion: 1 }), "clientAssertion"],
  ["an unknown clientAssertion setting", server({ clientAssertion: { strictAudiance: true } }), "clientAssertion.strictAudiance"],
  ["clientAssertion.strictAudience not a boolean", server({ clientAssertion: { strictAudience: "yes" } }), "clientAssertion.strictAudience"],
  ["clientAssertion.maxLifetime out of range", server({ clientAssertion: { maxLifetime: 0 } }), "clientAssertion.maxLifetime"],
  ["clientAssertion.clockTolerance out of range", server({ clientAssertion: { clockTolerance: 3_600 } }), "clientAssertion.clockTolerance"],
  ["clientAssertion.jwksCooldown out of range", server({ clientAssertion: { jwksCooldown: 0 } }), "clientAssertion.jwksCooldown"],
  ["clientAssertion.jwksTimeoutMs out of range", server({ clientAssertion: { jwksTimeoutMs: 0 } }), "clientAssertion.jwksTimeoutMs"],
  ["clientAssertion.jwksMaxBytes out of range", server({ clientAssertion: { jwksMaxBytes: 1 } }), "clientAssertion.jwksMaxBytes"],
  // src/http/cors.ts
  ["cors not an object", server({ cors: "*" }), "cors"],
  ["an unknown cors member", server({ cors: { origins: "*", credentials: true } }), "cors.credentials"],
  ["cors without origins", server({ cors: {} }), "cors.origins"],
  ["an empty list of origins", server({ cors: { origins: [] } }), "cors.origins"],
  ["an origin with a path", server({ cors: { origins: ["https://a.example", "https://b.example/path"] } }), "cors.origins[1]"],
  // src/clients/client_lookup.ts, src/server_profile.ts
  ["clients neither a list nor a store", server({ clients: {} }), "clients"],
  ["an unknown profile", server({ profile: "oidc" }), "profile"],
  ["the mcp profile without its authorization endpoint", server({ profile: "mcp", endpoints: { authorization: false } }), "endpoints.authorization"],
  // src/client_auth/brute_force.ts (its options)
  ["bruteForce not an object", server({ bruteForce: 5 }), "bruteForce"],
  ["an unknown bruteForce setting", server({ bruteForce: { maxAttempt: 5 } }), "bruteForce.maxAttempt"],
  ["bruteForce.store without get", server({ bruteForce: { store: {} } }), "bruteForce.store"],
  ["bruteForce.maxAttempts out of range", server({ bruteForce: { maxAttempts: 0 } }), "bruteForce.maxAttempts"],
  ["bruteForce.windowSeconds not an integer", server({ bruteForce: { windowSeconds: 1.5 } }), "bruteForce.windowSeconds"],
  ["bruteForce.knownCallerSeconds out of range", server({ bruteForce: { knownCallerSeconds: 0 } }), "bruteForce.knownCallerSeconds"],
  // src/mtls/options.ts
  ["clientCertificate not a function", server({ clientCertificate: "header" }), "clientCertificate"],
  ["certificateBoundAccessTokens not a boolean", server({ certificateBoundAccessTokens: "yes" }), "certificateBoundAccessTokens"],
  ["certificateBoundAccessTokens without a source", server({ certificateBoundAccessTokens: true }), "certificateBoundAccessTokens"],
  ["a TLS client without a source", server({ clients: [good, tls({ tls_client_auth_san_dns: "a.example" })] }), "clients[1].token_endpoint_auth_method"],
  ["bound tokens without a source", server({ clients: [good, secretClient({ tls_client_certificate_bound_access_tokens: true })] }), "clients[1].tls_client_certificate_bound_access_tokens"],
  // src/mtls/endpoint_aliases.ts
  ["mtlsEndpointAliases not an object", server({ clientCertificate: () => undefined, mtlsEndpointAliases: "x" }), "mtlsEndpointAliases"],
  ["mtlsEndpointAliases empty", server({ clientCertificate: () => undefined, mtlsEndpointAliases: {} }), "mtlsEndpointAliases"],
  ["an unknown alias", server({ clientCertificate: () => undefined, mtlsEndpointAliases: { jwks: "/x" } }), "mtlsEndpointAliases.jwks"],
  ["aliases without a source", server({ mtlsEndpointAliases: { token: "https://mtls.as.example.com/token" } }), "mtlsEndpointAliases"],
  ["an alias of an endpoint not served", server({ clientCertificate: () => undefined, mtlsEndpointAliases: { introspection: "/mi" }, endpoints: { introspection: false } }), "mtlsEndpointAliases.introspection"],
  ["an http alias", server({ clientCertificate: () => undefined, mtlsEndpointAliases: { token: "http://mtls.example.com/token" } }), "mtlsEndpointAliases.token"],
  ["an alias with a fragment", server({ clientCertificate: () => undefined, mtlsEndpointAliases: { token: "https://mtls.example.com/token#x" } }), "mtlsEndpointAliases.token"],
];

const API = "https://api.example.com";
const rsBase = { resource: API, issuer: ISSUER, jwksUri: `${ISSUER}/jwks` };
type RsCase = readonly [name: string, options: Record<string, unknown>, path: string];
const resourceServerCases: RsCase[] = [
  // src/resource_server/options.ts
  ["resource missing", { issuer: ISSUER, jwksUri: `${ISSUER}/jwks` }, "resource"],
  ["resource relative", { ...rsBase, resource: "/api" }, "resource"],
  ["resource not https with metadata", { ...rsBase, resource: "urn:billing", metadata: true }, "resource"],
  ["issuer not a string", { ...rsBase, issuer: 1 }, "issuer"],
  ["jwks not a JWK Set", { ...rsBase, jwksUri: undefined, jwks: [] }, "jwks"],
  ["jwks and jwksUri", { ...rsBase, jwks: { keys: [] } }, "jwksUri"],
  ["jwksUri over http", { ...rsBase, jwksUri: "http://as.example.com/jwks" }, "jwksUri"],
  ["JWTs without an issuer", { ...rsBase, issuer: undefined }, "jwksUri"],
  ["local keys without an issuer", { resource: API, jwks: { keys: [] } }, "jwks"],
  ["fetch not a function", { ...rsBase, fetch: "no" }, "fetch"],
  ["algorithms with none", { ...rsBase, algorithms: ["none"] }, "algorithms"],
  ["tokenStore without find", { ...rsBase, tokenStore: {} }, "tokenStore"],
  ["introspect not a function", { ...rsBase, introspect: "no" }, "introspect"],
  ["revocationStore without isRevoked", { ...rsBase, revocationStore: {} }, "revocationStore"],
  ["realm not a string", { ...rsBase, realm: 1 }, "realm"],
  ["metadata of the wrong type", { ...rsBase, metadata: "yes" }, "metadata"],
  ["metadata repeating resource", { ...rsBase, metadata: { resource: API } }, "metadata.resource"],
  ["allowFormToken not a boolean", { ...rsBase, allowFormToken: "yes" }, "allowFormToken"],
  ["clock not a function", { ...rsBase, clock: 1 }, "clock"],
  ["dpop of the wrong type", { ...rsBase, dpop: "yes" }, "dpop"],
  ["dpop.origin not a URL", { ...rsBase, dpop: { origin: "api" } }, "dpop.origin"],
  ["dpop.origin with a path", { ...rsBase, dpop: { origin: `${API}/v1` } }, "dpop.origin"],
  ["an unknown dpop member", { ...rsBase, dpop: { orign: API } }, "dpop.orign"],
  ["dpop.maxAge out of range", { ...rsBase, dpop: { maxAge: 0 } }, "dpop.maxAge"],
  ["replayStore without remember", { ...rsBase, dpop: true, replayStore: {} }, "replayStore"],
  ["clientCertificate not a function", { ...rsBase, clientCertificate: "header" }, "clientCertificate"],
  ["clockTolerance out of range", { ...rsBase, clockTolerance: 301 }, "clockTolerance"],
];

/** `f` throws a ConfigurationError whose path is exactly `path`, and whose message names it. */
function refusedDirectly(f: () => unknown, path: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ConfigurationError, String(e));
    assert.equal(e.path, path, e.message);
    assert.ok(e.message.includes(path), `the message names ${path}: ${e.message}`);
    return true;
  });
}

const refusedAt = (options: () => ServerOptions, path: string) => refusedDirectly(() => createAuthorizationServer(options()), path);

describe("unknown keys get a 'did you mean' where one is close", () => {
  const near: Case[] = [
    ["a federated credential's member", () => withClient(federated([{ issuer: GITHUB, claim: { sub: "x" } }])), "clients[1].federated_credentials[0].claim"],
    ["a trusted issuer's member", withIssuer({ issuer: "https://k8s.example.com", audiences: ["a"] }), "trustedIssuers[1].audiences"],
    ["a DPoP nonce setting", server({ dpop: { nonce: { secret: SECRET, windowSecond: 60 } } }), "dpop.nonce.windowSecond"],
    ["a cors member", server({ cors: { origin: "*" } }), "cors.origin"],
    ["an alias", server({ clientCertificate: () => undefined, mtlsEndpointAliases: { revocaton: "/r" } }), "mtlsEndpointAliases.revocaton"],
  ];
  const meant = ["claims", "audience", "windowSeconds", "origins", "revocation"];
  near.forEach(([name, options, path], i) => {
    test(`${name} -> did you mean '${meant[i]}'`, () => {
      assert.throws(() => createAuthorizationServer(options()), (e: unknown) =>
        e instanceof ConfigurationError && e.path === path && e.message.includes(`did you mean '${meant[i]}'?`) || assert.fail(String(e)));
    });
  });
});

describe("every ConfigurationError names its option's path", () => {
  test("protectedResourceMetadata without metadata -> metadata", () => {
    refusedDirectly(() => protectedResourceMetadata(rsBase as ResourceServerOptions), "metadata");
  });
  test("a store refuses a plaintext secret -> client_secret", () => {
    refusedDirectly(() => checkStorableRegistration(good), "client_secret");
  });
  describe("client registrations", () => {
    for (const [name, options, path] of clientCases) test(`${name} -> ${path}`, () => refusedAt(options, path));
  });
  describe("server options: dpop, clientAssertion, cors, mutual TLS", () => {
    for (const [name, options, path] of serverCases) test(`${name} -> ${path}`, () => refusedAt(options, path));
  });
  describe("resource server", () => {
    for (const [name, options, path] of resourceServerCases) {
      test(`${name} -> ${path}`, () => refusedDirectly(() => resolveResourceServerOptions(options as unknown as ResourceServerOptions), path));
    }
  });
  describe("trusted issuers", () => {
    for (const [name, options, path] of issuerCases) test(`${name} -> ${path}`, () => refusedAt(options, path));
  });
});
