/**
 * An OAuth 2.0 token service for machine-to-machine auth: the client credentials grant
 * (RFC 6749 s4.4) on web-standard `Request` and `Response`, with zero dependencies, for
 * Deno, Bun, Node and edge runtimes.
 *
 * @example
 * ```ts
 * import { handleTokenRequest, type TokenEndpointOptions } from "./mod.ts";
 *
 * const options: TokenEndpointOptions = {
 *   issuer: "https://auth.example.com",
 *   clients: [{
 *     client_id: "billing",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *     scope: "invoices:read",
 *   }],
 * };
 * // Deno.serve((request) => handleTokenRequest(request, options));
 * ```
 *
 * @example The whole server: token, introspection, revocation, metadata
 * ```ts
 * import { createAuthorizationServer } from "./mod.ts";
 *
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: [{
 *     client_id: "billing",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *     scope: "invoices:read",
 *   }],
 * });
 * // Deno.serve(server.fetch); Bun.serve(server); export default server;
 * ```
 *
 * The other entry points: `m2m-oauth/resource-server` verifies the tokens at an API;
 * `m2m-oauth/stores/redis`, `m2m-oauth/stores/postgres` and `m2m-oauth/stores/deno-kv` share
 * one server's state between instances; `m2m-oauth/testing` holds the in-process test server
 * and the store conformance kits. (On JSR: `@m2m/oauth/resource-server`, and so on.)
 *
 * @module
 */

export { createTokenEndpoint, handleTokenRequest, validateTokenEndpointOptions } from "./src/token_endpoint.ts";
export type { TokenEndpointOptions } from "./src/options.ts";
export type { TokenExchangePolicy, TokenExchangeRequest } from "./src/token_exchange/policy.ts";
export type { ExchangedToken } from "./src/token_exchange/exchanged_token.ts";
export type { JwtBearerGrant, JwtBearerPolicy, JwtBearerRequest } from "./src/grants/jwt_bearer_policy.ts";
export { JWT_BEARER_GRANT } from "./src/grants/jwt_bearer.ts";
export { ID_JAG_GRANT_PROFILE, ID_JAG_TYPE } from "./src/grants/id_jag.ts";
export type { ActorClaim, MayActClaim } from "./src/tokens/actor.ts";
export { type AuthorizationServer, createAuthorizationServer } from "./src/server.ts";
export type {
  EndpointOptions,
  ForeignTokenRevocation,
  ServerEndpoints,
  ServerOptions,
} from "./src/server_options.ts";
export type { ServerProfile } from "./src/server_profile.ts";
export type { ActiveTokenIntrospection } from "./src/introspection.ts";
export { defaultIntrospectionPolicy, type IntrospectionPolicy } from "./src/introspection_policy.ts";
export { type AuthorizationServerMetadata, metadataUrl } from "./src/metadata.ts";
export type {
  ClientAuthenticationFailedEvent,
  EndpointName,
  EventHook,
  FederatedClientAuthenticatedEvent,
  JwtBearerAssertionEvent,
  IntrospectionEvent,
  ConfigurationErrorEvent,
  RevocationEvent,
  ServerEvent,
  TokenIssuedEvent,
  TokenRefusedEvent,
} from "./src/events.ts";
export { ConfigurationError, OAuthError, type OAuthErrorCode, type OAuthErrorOptions } from "./src/errors.ts";
export type { ClientRegistration, TokenEndpointAuthMethod } from "./src/clients/registration.ts";
export { type ClientStore, clientStoreFromArray, type WritableClientStore } from "./src/clients/client_store.ts";
export { MAX_CLIENT_ID_BYTES } from "./src/clients/client_id.ts";
export {
  generateClientId,
  generateClientSecret,
  hashClientSecret,
  type HashClientSecretOptions,
  type SecretHashAlgorithm,
} from "./src/clients/secrets.ts";
export { decodeBasicCredentials, encodeBasicCredentials, type BasicCredentials } from "./src/client_auth/basic.ts";
export type { BruteForceOptions } from "./src/client_auth/brute_force.ts";
export type { ClientAssertionOptions } from "./src/client_auth/assertion_options.ts";
export type { GrantProfile, TrustedIssuer } from "./src/federation/trusted_issuer.ts";
export type { FederatedCredential } from "./src/federation/federated_credential.ts";
export type { ClaimPattern, ClaimRule, ClaimRules } from "./src/federation/claim_rules.ts";
export { type CryptoProvider, type DigestAlgorithm, timingSafeEqual, webCrypto } from "./src/crypto/provider.ts";
export { StoreFullError, type TokenConfirmation, type TokenRecord, type TokenStore } from "./src/stores/token_store.ts";
export { MemoryTokenStore, type MemoryTokenStoreOptions } from "./src/stores/memory_token_store.ts";
export type { MemoryStoreOptions } from "./src/stores/expiring_map.ts";
export { MemoryReplayStore, type ReplayStore } from "./src/stores/replay_store.ts";
export { MemoryRevocationStore, type RevocationStore } from "./src/stores/revocation_store.ts";
export {
  type AttemptCount,
  type AttemptIncrementOptions,
  type AttemptStore,
  MemoryAttemptStore,
} from "./src/stores/attempt_store.ts";
export { tokenKey } from "./src/tokens/opaque.ts";
export type { AccessTokenFormat } from "./src/tokens/access_token.ts";
export type { FetchLike } from "./src/http/fetch.ts";
export type { CorsOptions } from "./src/http/cors.ts";
export type { JwsAlgorithm } from "./src/jose/algorithms.ts";
export { exportJwk, type Jwk, type JwkSet, publicJwk } from "./src/jose/jwk.ts";
export { jwkThumbprint } from "./src/jose/thumbprint.ts";
export { type CryptoKeySignerOptions, cryptoKeySigner, type Signer } from "./src/crypto/signer.ts";
export {
  type GeneratedSigningKey,
  generateSigningKey,
  type GenerateSigningKeyOptions,
  importSigningKey,
  type ImportSigningKeyOptions,
  type SigningKey,
} from "./src/crypto/signing_key.ts";
export { KeySet, type KeySetEntry, type KeySetOptions, type KeyStatus } from "./src/crypto/key_set.ts";
export { handleJwksRequest } from "./src/jwks.ts";
export type { DpopOptions } from "./src/dpop/options.ts";
export type { DpopNonceOptions } from "./src/dpop/nonce.ts";

// Mutual TLS (RFC 8705): where the client certificate of a request comes from.
export type { ClientCertificate, ClientCertificateSource } from "./src/mtls/client_certificate.ts";
export { clientCertificateHeader, type ClientCertificateHeaderOptions } from "./src/mtls/client_cert_header.ts";
export {
  socketClientCertificate,
  type TlsSocketClientCertificates,
  tlsSocketClientCertificates,
  type TlsSocketLike,
} from "./src/mtls/tls_socket.ts";
export { cloudflareClientCertificate, type CloudflareClientCertificateOptions } from "./src/mtls/cloudflare.ts";
export type { MtlsEndpointAliases } from "./src/mtls/endpoint_aliases.ts";

// X.509 (RFC 5280), as mutual TLS (RFC 8705) reads it.
export { type Certificate, MAX_CERTIFICATE_BYTES, parseCertificate } from "./src/x509/certificate.ts";
export { CertificateError } from "./src/x509/certificate_error.ts";
export type { AttributeTypeAndValue, DistinguishedName } from "./src/x509/name.ts";
export type { SubjectAltNames } from "./src/x509/general_names.ts";
export type { PublicKeyInfo } from "./src/x509/spki.ts";
