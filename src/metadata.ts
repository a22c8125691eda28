/**
 * Authorization server metadata (RFC 8414): where the document lives, and what it says.
 * Every member is derived from the configuration, so the document cannot promise what the
 * server does not do.
 *
 * @module
 */

import { assertionAlgorithms, type TokenEndpointAuthMethod } from "./clients/registration.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "./jose/algorithms.ts";
import { ID_JAG_GRANT_PROFILE } from "./grants/id_jag.ts";
import { JWT_BEARER_GRANT } from "./grants/jwt_bearer.ts";
import { grantTypesSupported } from "./grants/registry.ts";
import { jsonResponse } from "./http/response.ts";
import type { ServerConfig } from "./config/server_config.ts";
import { TLS_METHODS } from "./clients/tls_registration.ts";
import { ALIASED } from "./mtls/endpoint_aliases.ts";

/**
 * The authorization server metadata document (RFC 8414 s2). Members with no value are
 * left out rather than sent empty (s3.2).
 *
 * @example
 * ```ts
 * import type { AuthorizationServerMetadata } from "./metadata.ts";
 * const doc: AuthorizationServerMetadata = {
 *   issuer: "https://auth.example.com",
 *   token_endpoint: "https://auth.example.com/token",
 *   grant_types_supported: ["client_credentials"],
 * };
 * ```
 */
export interface AuthorizationServerMetadata {
  /**
   * The issuer identifier, exactly as configured (RFC 8414 s3.3). It is also the one
   * audience a client assertion (`private_key_jwt`, `client_secret_jwt`) may carry, as a
   * single string, unless `clientAssertion.strictAudience` is false (then the token
   * endpoint URL, the URL of the endpoint called and its mutual-TLS alias too); and the
   * audience an ID-JAG must carry (draft-ietf-oauth-identity-assertion-authz-grant s4.4.1).
   */
  readonly issuer: string;
  /** Only when configured (`endpoints.authorization`, or `profile: "mcp"`), for clients that insist; it refuses every request. */
  readonly authorization_endpoint?: string;
  readonly token_endpoint: string;
  /** The JWK Set, when the server signs tokens. */
  readonly jwks_uri?: string;
  readonly scopes_supported?: readonly string[];
  /** Omitted unless configured (`responseTypesSupported`, or `profile: "mcp"`): this server has no authorization endpoint. */
  readonly response_types_supported?: readonly string[];
  readonly grant_types_supported: readonly string[];
  /**
   * The authorization grant profiles the token endpoint processes
   * (draft-ietf-oauth-identity-assertion-authz-grant s7.2): the ID-JAG profile, when the
   * JWT bearer grant is on and some trusted issuer's `grantProfile` is `id-jag`.
   */
  readonly authorization_grant_profiles_supported?: readonly string[];
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  /** Present whenever `private_key_jwt` or `client_secret_jwt` is listed (RFC 8414 s2); never `none`. */
  readonly token_endpoint_auth_signing_alg_values_supported?: readonly string[];
  readonly revocation_endpoint?: string;
  readonly revocation_endpoint_auth_methods_supported?: readonly string[];
  readonly revocation_endpoint_auth_signing_alg_values_supported?: readonly string[];
  readonly introspection_endpoint?: string;
  readonly introspection_endpoint_auth_methods_supported?: readonly string[];
  readonly introspection_endpoint_auth_signing_alg_values_supported?: readonly string[];
  /** The algorithm of signed (JWT) introspection responses (RFC 9701 s7); absent when there are none. */
  readonly introspection_signing_alg_values_supported?: readonly string[];
  /** The DPoP proof algorithms accepted (RFC 9449 s5.1); absent when DPoP is off. */
  readonly dpop_signing_alg_values_supported?: readonly string[];
  /** `true` when the server issues certificate-bound access tokens (RFC 8705 s3.3). */
  readonly tls_client_certificate_bound_access_tokens?: boolean;
  /** The endpoints' mutual-TLS aliases (RFC 8705 s5), when configured. */
  readonly mtls_endpoint_aliases?: {
    readonly token_endpoint?: string;
    readonly introspection_endpoint?: string;
    readonly revocation_endpoint?: string;
  };
}

const WELL_KNOWN = "/.well-known/oauth-authorization-server";

/**
 * The URL of the authorization server metadata for `issuer` (RFC 8414 s3.1): the well-known
 * suffix is inserted between the host and the issuer's path, after any trailing `/` of the
 * path is removed. Not appended, as OpenID Connect discovery does.
 *
 * @example
 * ```ts
 * import { metadataUrl } from "./metadata.ts";
 * metadataUrl("https://as.example.com/tenants/t1/");
 * // "https://as.example.com/.well-known/oauth-authorization-server/tenants/t1"
 * ```
 */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  return `${url.origin}${WELL_KNOWN}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The client authentication methods this server implements at the token, introspection and
 * revocation endpoints, in the order metadata lists them.
 */
const IMPLEMENTED_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "client_secret_jwt",
  // draft-ietf-oauth-spiffe-client-auth s4: JWT-SVIDs of a trusted SPIFFE trust domain.
  "spiffe_jwt",
  "tls_client_auth",
  "self_signed_tls_client_auth",
];

/** The methods, and the assertion algorithms they accept, that metadata advertises. */
interface AuthMethods {
  readonly methods: readonly string[] | undefined;
  readonly signingAlgs: readonly JwsAlgorithm[] | undefined;
}

function authMethods(config: ServerConfig): AuthMethods {
  const registrations = config.registrations;
  // A client store may hold any client: every method (spiffe_jwt when a SPIFFE trust domain
  // is trusted, mutual TLS when the server reads client certificates), every algorithm.
  if (registrations === undefined) {
    const spiffe = config.federation?.issuers.hasSpiffe === true;
    const tls = config.clientCertificates !== undefined;
    return {
      methods: IMPLEMENTED_AUTH_METHODS.filter((m) => (m !== "spiffe_jwt" || spiffe) && (!TLS_METHODS.has(m) || tls)),
      signingAlgs: [...ASYMMETRIC_ALGORITHMS, "HS256"],
    };
  }
  // A fixed list of clients: only the methods some client is registered for, and only the
  // algorithms some client's assertions may use.
  const used = new Set<string>();
  const algs = new Set<JwsAlgorithm>();
  for (const r of registrations) {
    const method = r.token_endpoint_auth_method ?? "client_secret_basic";
    used.add(method);
    for (const alg of assertionAlgorithms(method, r.token_endpoint_auth_signing_alg)) algs.add(alg);
  }
  const methods = IMPLEMENTED_AUTH_METHODS.filter((m) => used.has(m));
  // RFC 8414 s2: the alg list MUST be present when private_key_jwt or client_secret_jwt is
  // listed, and is derived from the same clients, so it can never be missing or empty then.
  // (A federated private_key_jwt client's platform tokens are signed with one of these too.)
  const signingAlgs = [...ASYMMETRIC_ALGORITHMS, "HS256" as const].filter((a) => algs.has(a));
  return { methods: methods.length === 0 ? undefined : methods, signingAlgs: signingAlgs.length === 0 ? undefined : signingAlgs };
}

function scopes(config: ServerConfig): readonly string[] | undefined {
  if (config.scopesSupported !== undefined) return config.scopesSupported;
  if (config.registrations === undefined) return undefined;
  const all = new Set<string>();
  for (const r of config.registrations) {
    if (r.scope) for (const s of r.scope.split(" ")) all.add(s);
  }
  return all.size === 0 ? undefined : [...all];
}

/** RFC 8705 s5: `mtls_endpoint_aliases`, the alias of each endpoint under its metadata name. */
function mtlsAliases(config: ServerConfig): Record<string, string> | undefined {
  const entries = Object.entries(config.endpointAliases).map(([name, url]) => [ALIASED[name as keyof typeof ALIASED], url]);
  return entries.length === 0 ? undefined : Object.freeze(Object.fromEntries(entries));
}

/**
 * draft-ietf-oauth-identity-assertion-authz-grant s7.2: the ID-JAG profile is listed only
 * with `jwt-bearer` in `grant_types_supported` (it MUST be), and only when an issuer's
 * assertions are read as ID-JAGs. Listing it promises the processing rules, not that any
 * issuer, client or subject will be accepted.
 */
function grantProfiles(config: ServerConfig): readonly string[] | undefined {
  if (!grantTypesSupported(config).includes(JWT_BEARER_GRANT)) return undefined;
  const idJag = config.federation?.issuers.list().some((i) => i.trustDomain === undefined && i.grantProfile === "id-jag") === true;
  return idJag ? [ID_JAG_GRANT_PROFILE] : undefined;
}

/**
 * Builds the metadata document from the configuration. Members with no value are omitted
 * (RFC 8414 s3.2).
 */
export function buildMetadata(config: ServerConfig): AuthorizationServerMetadata {
  const { methods, signingAlgs } = authMethods(config);
  const doc: Record<string, unknown> = {
    issuer: config.issuer,
    authorization_endpoint: config.endpoints.authorization,
    token_endpoint: config.endpoints.token,
    // RFC 8414 s2: where resource servers find the keys that verify JWT access tokens.
    jwks_uri: config.endpoints.jwks,
    scopes_supported: scopes(config),
    response_types_supported: config.responseTypesSupported,
    grant_types_supported: grantTypesSupported(config),
    authorization_grant_profiles_supported: grantProfiles(config),
    token_endpoint_auth_methods_supported: methods,
    token_endpoint_auth_signing_alg_values_supported: signingAlgs,
    // RFC 9449 s5.1: the algorithms the token endpoint accepts in DPoP proofs.
    dpop_signing_alg_values_supported: config.dpop === undefined ? undefined : [...config.dpop.algorithms],
    // RFC 8705 s3.3: only when some token can be bound.
    tls_client_certificate_bound_access_tokens: config.clientCertificates !== undefined &&
        (config.certificateBoundAccessTokens || config.registrations === undefined ||
          config.registrations.some((r) => r.tls_client_certificate_bound_access_tokens === true))
      ? true
      : undefined,
    mtls_endpoint_aliases: mtlsAliases(config),
  };
  // RFC 7009 s2.1 and RFC 7662 s2.1: these endpoints authenticate clients as the token
  // endpoint does, so they list the same methods and algorithms (RFC 8414 s2).
  if (config.endpoints.revocation !== undefined) {
    doc.revocation_endpoint = config.endpoints.revocation;
    doc.revocation_endpoint_auth_methods_supported = methods;
    doc.revocation_endpoint_auth_signing_alg_values_supported = signingAlgs;
  }
  if (config.endpoints.introspection !== undefined) {
    doc.introspection_endpoint = config.endpoints.introspection;
    doc.introspection_endpoint_auth_methods_supported = methods;
    doc.introspection_endpoint_auth_signing_alg_values_supported = signingAlgs;
    // RFC 9701 s7: the algorithms of JWT introspection responses, those of the key set's
    // asymmetric signers (active and next) at start-up; HS256 never signs these responses.
    const algs = new Set((config.signingKeys?.list() ?? []).flatMap((e) => e.signer !== undefined && e.signer.alg !== "HS256" ? [e.signer.alg] : []));
    if (algs.size > 0) doc.introspection_signing_alg_values_supported = [...algs];
  }
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) delete doc[key];
    else if (Array.isArray(value)) doc[key] = Object.freeze([...value]);
  }
  return Object.freeze(doc) as unknown as AuthorizationServerMetadata;
}

/** Answers a GET (or HEAD) for the metadata document (RFC 8414 s3.1, s3.2). */
export function metadataEndpoint(request: Request, metadata: AuthorizationServerMetadata): Response {
  const response = jsonResponse(200, metadata);
  return request.method === "HEAD" ? new Response(null, response) : response;
}
