/**
 * Client registrations, named with RFC 7591 client metadata, and their validation.
 *
 * @module
 */

import { type CryptoProvider, webCrypto } from "../crypto/provider.ts";
import { ConfigurationError } from "../errors.ts";
import {
  arrayOf,
  boolean,
  type Checked,
  checkObject,
  custom,
  type Describes,
  type Field,
  integer,
  oneOf,
  oneOrMany,
  problem,
  string,
  url,
} from "../config/describe.ts";
import { isResourceIndicator } from "../resource_indicators.ts";
import { isScopeToken } from "../scope.ts";
import type { AccessTokenFormat } from "../tokens/access_token.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "../jose/algorithms.ts";
import { algorithmsOfJwk, isPrivateJwk, type Jwk, type JwkSet } from "../jose/jwk.ts";
import { KeyIndex } from "../jose/key_index.ts";
import { type FederatedCredential, type PreparedFederatedCredential, prepareFederatedCredentials } from "../federation/federated_credential.ts";
import { clientIdProblem } from "./client_id.ts";
import { parseSecretHash, type SecretHash } from "./secrets.ts";
import { type ExpectedSubject, expectedSubject, validateTlsRegistration } from "./tls_registration.ts";

/**
 * Client authentication methods at the token endpoint (RFC 7591 s2, RFC 8414 s2):
 * `client_secret_basic` and `client_secret_post` (RFC 6749 s2.3.1), `private_key_jwt` and
 * `client_secret_jwt` (signed assertions, RFC 7523 s2.2 with OpenID Connect Core s9's
 * names), `spiffe_jwt` (a SPIFFE JWT-SVID, draft-ietf-oauth-spiffe-client-auth s4),
 * `tls_client_auth` and `self_signed_tls_client_auth` (mutual TLS, RFC 8705 s2), and
 * `none` (a public client, which cannot use the client credentials grant).
 */
export type TokenEndpointAuthMethod =
  | "client_secret_basic"
  | "client_secret_post"
  | "private_key_jwt"
  | "client_secret_jwt"
  | "spiffe_jwt"
  | "tls_client_auth"
  | "self_signed_tls_client_auth"
  | "none";

/**
 * A client as registered with the server. Field names are RFC 7591 client metadata, plus
 * `client_secret_hash` and `default_scope`, which RFC 7591 has no name for.
 *
 * @example A registration to keep in configuration or a database
 * ```ts
 * import type { ClientRegistration } from "./registration.ts";
 * const billing: ClientRegistration = {
 *   client_id: "billing-service",
 *   client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *   token_endpoint_auth_method: "client_secret_basic",
 *   grant_types: ["client_credentials"],
 *   scope: "invoices:read invoices:write",
 *   default_scope: "invoices:read",
 * };
 * ```
 *
 * @example A client that authenticates with a signed assertion, private_key_jwt
 * ```ts
 * import type { ClientRegistration } from "./registration.ts";
 * const reporting: ClientRegistration = {
 *   client_id: "reporting",
 *   token_endpoint_auth_method: "private_key_jwt",
 *   jwks_uri: "https://reporting.example.com/.well-known/jwks.json", // or jwks: { keys: [...] }
 *   grant_types: ["client_credentials"],
 *   scope: "invoices:read",
 * };
 * ```
 */
export interface ClientRegistration {
  /** The client identifier (RFC 6749 s2.2). */
  client_id: string;
  /**
   * How the client authenticates at the token endpoint (and at introspection and
   * revocation). RFC 7591 s2 default: `client_secret_basic`. Only the registered method is
   * accepted. `private_key_jwt` needs `jwks`, `jwks_uri` or `federated_credentials` (a
   * platform token is a private_key_jwt assertion signed by the platform's key);
   * `client_secret_jwt` needs the plaintext `client_secret`; `spiffe_jwt` needs
   * `federated_credentials` naming a SPIFFE trust domain; `tls_client_auth` one of the
   * `tls_client_auth_*` subject fields; `self_signed_tls_client_auth` `jwks` or `jwks_uri`
   * with its certificate's key.
   */
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  /**
   * The client's public keys, as a JWK Set (RFC 7591 s2). For `private_key_jwt`: the keys
   * its assertions are signed with; each key's type and curve (or `alg`) fix the algorithm
   * it verifies. For `self_signed_tls_client_auth` (RFC 8705 s2.2.2): the keys of its TLS
   * certificates; a certificate authenticates the client when its public key is one of
   * them (an `x5c` member, if given, must hold a certificate of that key). Public members
   * only. Give `jwks` or `jwks_uri`, never both.
   */
  jwks?: JwkSet;
  /**
   * Where the client publishes its JWK Set (RFC 7591 s2), for `private_key_jwt`: an `https`
   * URL (`http` only on loopback), fetched through the `fetch` option, cached for its
   * `max-age` and refetched (at most once per cooldown) when an assertion names an unknown
   * `kid`, so the client can rotate keys without a new registration.
   */
  jwks_uri?: string;
  /**
   * Tokens from trusted external issuers (the server's `trustedIssuers`) that authenticate
   * this client, with rules on their claims: a GitHub Actions workflow, a Kubernetes service
   * account, a SPIFFE ID. The workload presents its platform token as `client_assertion`;
   * with a client store it must also send `client_id`. See {@link FederatedCredential}.
   */
  federated_credentials?: readonly FederatedCredential[];
  /**
   * The one JWS algorithm the client signs its assertions with (OpenID Connect Dynamic
   * Client Registration s2). Default: any the key allows: ES256, ES384, EdDSA, RS256 or
   * PS256 for `private_key_jwt`; HS256 (the only one) for `client_secret_jwt`.
   */
  token_endpoint_auth_signing_alg?: JwsAlgorithm;
  /**
   * Grants the client may use. RFC 7591 s2 default: `["authorization_code"]`, so a client
   * must list `client_credentials` to get tokens from this server.
   */
  grant_types?: readonly string[];
  /** The scope the client may be granted: space-separated scope tokens (RFC 6749 s3.3). */
  scope?: string;
  /**
   * The scope granted when a request names none. Must be within `scope`. When absent, a
   * request without `scope` is granted the whole registered `scope`.
   */
  default_scope?: string;
  /**
   * Hash(es) of the client secret, from `hashClientSecret`. Give two during a rotation: both
   * are accepted until the old one is removed.
   */
  client_secret_hash?: string | readonly string[];
  /**
   * The secret in plain text. With `client_secret_basic` or `client_secret_post` it is
   * **for demos and tests only**: the server hashes it once and never compares plaintext,
   * but a plaintext secret in configuration is a secret at rest; store `client_secret_hash`.
   *
   * With `client_secret_jwt` it is required: the server must compute the HMAC of each
   * assertion with the secret itself (RFC 7523 s3, RFC 7518 s3.2), so it cannot be kept as a
   * hash, and it must be at least 32 bytes. Whoever reads the registrations can then
   * impersonate the client; prefer `private_key_jwt`, where the server holds only a public
   * key.
   */
  client_secret?: string;
  /** When the secret(s) stop working, in seconds since the epoch; 0 or absent: never (RFC 7591 s3.2.1). */
  client_secret_expires_at?: number;
  /** A human-readable name, for logs and events. */
  client_name?: string;
  /**
   * The format of this client's access tokens, overriding the server's `accessTokenFormat`:
   * `opaque` (random, looked up in the token store) or `jwt` (RFC 9068, self-contained).
   */
  access_token_format?: AccessTokenFormat;
  /**
   * The lifetime of this client's access tokens in seconds (1 to 86,400), overriding the
   * server's `accessTokenLifetime` (RFC 6750 s5.3: short-lived). A grant's own cap still
   * applies: a token never outlives the subject token or assertion it was granted for.
   */
  access_token_lifetime?: number;
  /**
   * The resource indicators (RFC 8707) this client may ask tokens for: absolute URIs
   * without fragment. Default: the server's `allowedResources`.
   */
  allowed_resources?: readonly string[];
  /**
   * The audience of a token requested without `resource`. Default: the server's
   * `defaultResource`. Must be within `allowed_resources` when both are given.
   */
  default_resource?: string;
  /**
   * Whether one request may name several resources, giving a token with several audiences
   * (RFC 8707 s2); default false: such a request gets `invalid_target` (RFC 8707 s2).
   */
  allow_multiple_resources?: boolean;
  /**
   * Marks this client as a resource server, identified by these audience values (the
   * resource indicators of RFC 8707, as they appear in a token's `aud`). By the default
   * introspection policy, it may introspect the tokens whose `aud` names one of them, in
   * addition to its own (RFC 7662 s2.2, s4: a token for another resource server is
   * `{"active":false}`).
   */
  resource_server?: string | readonly string[];
  /**
   * Whether this client always uses DPoP (RFC 9449 s5.2): its token requests without a
   * `DPoP` proof are refused with `invalid_dpop_proof`. Default false.
   */
  dpop_bound_access_tokens?: boolean;
  /**
   * `tls_client_auth` (RFC 8705 s2.1.2): the expected subject distinguished name of the
   * client's certificate, as an RFC 4514 string (`CN=billing,O=Acme,C=DE`), compared
   * attribute by attribute (case and insignificant spaces ignored). Give exactly one of
   * this and the `tls_client_auth_san_*` fields.
   */
  tls_client_auth_subject_dn?: string;
  /** `tls_client_auth`: a dNSName the certificate's subjectAltName must list (compared case-insensitively; no wildcard matching). */
  tls_client_auth_san_dns?: string;
  /** `tls_client_auth`: a uniformResourceIdentifier the subjectAltName must list (compared exactly), e.g. a SPIFFE ID. */
  tls_client_auth_san_uri?: string;
  /** `tls_client_auth`: an iPAddress the subjectAltName must list: dotted decimal or IPv6 text, compared as octets (RFC 5952 s8). */
  tls_client_auth_san_ip?: string;
  /** `tls_client_auth`: an rfc822Name (email address) the subjectAltName must list (the domain compared case-insensitively). */
  tls_client_auth_san_email?: string;
  /**
   * Whether this client's access tokens are bound to its TLS client certificate (RFC 8705
   * s3, s3.4): each carries `cnf: {"x5t#S256": ...}`, and a token request without a
   * certificate is refused. Default false (unless the server's
   * `certificateBoundAccessTokens` binds every client's).
   */
  tls_client_certificate_bound_access_tokens?: boolean;
}

/** A registration checked and prepared for use on the request path. */
export interface Client {
  readonly client_id: string;
  readonly registration: ClientRegistration;
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod;
  readonly grant_types: ReadonlySet<string>;
  /** The registered scope tokens. */
  readonly scope: ReadonlySet<string>;
  /** The scope granted when a request names none, space-separated ("" for none). */
  readonly default_scope: string;
  /** Parsed secret hashes (empty for a client without a secret). */
  readonly secrets: readonly SecretHash[];
  /** The registered `jwks`, indexed for verification (`private_key_jwt`). */
  readonly jwks: KeyIndex | undefined;
  /** The registered `jwks_uri` (`private_key_jwt`). */
  readonly jwks_uri: string | undefined;
  /** The platform tokens that authenticate the client, compiled (empty for none). */
  readonly federated_credentials: readonly PreparedFederatedCredential[];
  /** The algorithms the client's assertions may use (empty for methods without assertions). */
  readonly assertion_algorithms: ReadonlySet<JwsAlgorithm>;
  /** 0: the secret does not expire. */
  readonly client_secret_expires_at: number;
  /** The token format registered for this client; `undefined`: the server's choice. */
  readonly access_token_format: AccessTokenFormat | undefined;
  /** This client's access token lifetime in seconds; `undefined`: the server's. */
  readonly access_token_lifetime: number | undefined;
  /** The resources this client may ask for; `undefined`: the server's list. */
  readonly allowed_resources: ReadonlySet<string> | undefined;
  /** The audience of a request without `resource`; `undefined`: the server's default. */
  readonly default_resource: string | undefined;
  /** Whether several resources may be named in one request. */
  readonly allow_multiple_resources: boolean;
  /** Whether every token of this client must be DPoP-bound (RFC 9449 s5.2). */
  readonly dpop_bound_access_tokens: boolean;
  /** `tls_client_auth`: what the certificate must show (RFC 8705 s2.1.2). */
  readonly tls_client_auth_subject: ExpectedSubject | undefined;
  /** Whether this client's tokens are bound to its certificate (RFC 8705 s3.4). */
  readonly tls_client_certificate_bound_access_tokens: boolean;
}

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "client_secret_jwt",
  "spiffe_jwt",
  "tls_client_auth",
  "self_signed_tls_client_auth",
  "none",
];

function scopeField(doc: string): Field<string> & { readonly required: false } {
  return custom("scope string", doc, (value, path) => {
    if (typeof value !== "string") throw problem(path, "must be a space-separated string");
    if (value !== "" && !value.split(" ").every(isScopeToken)) throw problem(path, "is not a valid scope (RFC 6749 s3.3)");
    return value;
  });
}

const resourceIndicator = custom("resource indicator", "An absolute URI without fragment (RFC 8707 s2).", (value, path) => {
  if (typeof value !== "string" || !isResourceIndicator(value)) throw problem(path, "must be an absolute URI without fragment (RFC 8707 s2)");
  return value;
});

// RFC 8705 s2.1.2: the subject fields are the metadata of tls_client_auth clients.
const subjectField = (doc: string) =>
  string(`\`tls_client_auth\` (RFC 8705 s2.1.2): ${doc}`, {
    nonEmpty: true,
    onlyWhen: { field: "token_endpoint_auth_method", values: ["tls_client_auth"] },
  });

/** A secret hash from `hashClientSecret`: its parse errors name the option's path. */
const secretHash = custom<string>("string", "A hash from `hashClientSecret`.", (value, path) => {
  if (typeof value !== "string") throw problem(path, "must be a string or an array of strings");
  try {
    parseSecretHash(value);
  } catch (e) {
    // The parser knows the value, not where it sits: name the option's path.
    if (e instanceof ConfigurationError) throw problem(path, e.message.replace(/^client_secret_hash /, ""));
    throw e;
  }
  return value;
});

/**
 * The description of a {@link ClientRegistration}: each field's kind, default and meaning.
 * Validation, the refusal of unknown fields and the README's table follow from it; the
 * rules between fields are {@link validateRegistration}'s.
 *
 * @example
 * ```ts
 * import { clientRegistrationDescription } from "./registration.ts";
 * clientRegistrationDescription.scope.kind; // "scope string"
 * ```
 */
export const clientRegistrationDescription = {
  client_id: string("The client identifier (RFC 6749 s2.2).", { required: true, nonEmpty: true }),
  token_endpoint_auth_method: oneOf("How the client authenticates (RFC 7591 s2); only this method is accepted.", AUTH_METHODS, {
    default: "client_secret_basic",
    message: (v) => `${JSON.stringify(v)} is not supported`,
  }),
  jwks: custom<JwkSet>("JWK Set", "The client's public keys (`private_key_jwt`, `self_signed_tls_client_auth`); public members only.", (value, path) => {
    const set = value as { keys?: unknown } | null;
    if (typeof set !== "object" || set === null || !Array.isArray(set.keys)) throw problem(path, "must be a JWK Set ({ keys: [...] }, RFC 7517 s5)");
    return value as JwkSet;
  }),
  jwks_uri: url("Where the client publishes its JWK Set (`private_key_jwt`); fetched through the `fetch` option.", {
    // RFC 7591 s2: jwks and jwks_uri MUST NOT both be present.
    conflictsWith: { field: "jwks", message: "must not be given with jwks: give jwks or jwks_uri, not both (RFC 7591 s2)" },
  }),
  federated_credentials: custom<readonly FederatedCredential[]>(
    "array of federated credentials",
    "Tokens from `trustedIssuers` that authenticate this client, with rules on their claims.",
    // A platform token is a client assertion: private_key_jwt (RFC 7523), or spiffe_jwt
    // for JWT-SVIDs (draft-ietf-oauth-spiffe-client-auth). Compiled by validateRegistration.
    (value) => value as readonly FederatedCredential[],
    {
      onlyWhen: {
        field: "token_endpoint_auth_method",
        values: ["private_key_jwt", "spiffe_jwt"],
        message: "need token_endpoint_auth_method private_key_jwt (or spiffe_jwt for SPIFFE)",
      },
    },
  ),
  token_endpoint_auth_signing_alg: custom<JwsAlgorithm>(
    "JWS algorithm",
    "The one algorithm the client's assertions use; default any its key allows.",
    // Which algorithm a method allows is validateRegistration's (assertionAlgorithms).
    (value) => value as JwsAlgorithm,
    { onlyWhen: { field: "token_endpoint_auth_method", values: ["private_key_jwt", "client_secret_jwt"] } },
  ),
  grant_types: arrayOf(string("a grant type"), "Grants the client may use; list `client_credentials` to get tokens.", {
    default: ["authorization_code"],
    message: "must be an array of strings",
  }),
  scope: scopeField("The scope the client may be granted (space-separated, RFC 6749 s3.3)."),
  default_scope: scopeField("The scope granted when a request names none; within `scope`. Default: all of `scope`."),
  client_secret_hash: oneOrMany(secretHash, "Hash(es) of the client secret, from `hashClientSecret`; two during a rotation."),
  client_secret: string("The secret in plain text: for demos and tests, or required by `client_secret_jwt` (at least 32 bytes)."),
  client_secret_expires_at: integer("When the secret(s) stop working, seconds since the epoch; 0: never (RFC 7591 s3.2.1).", 0, Number.MAX_SAFE_INTEGER, {
    default: 0,
    message: "must be a non-negative integer (seconds)",
  }),
  client_name: string("A human-readable name, for logs and events."),
  access_token_format: oneOf("The format of this client's access tokens, overriding `accessTokenFormat`.", ["opaque", "jwt"], {
    message: (v) => `${JSON.stringify(v)} is not 'opaque' or 'jwt'`,
    defaultText: "the server's",
  }),
  access_token_lifetime: integer("The lifetime of this client's access tokens, seconds; grants' caps still apply.", 1, 86_400, {
    defaultText: "`accessTokenLifetime`",
  }),
  allowed_resources: arrayOf(resourceIndicator, "Resource indicators (RFC 8707) the client may ask tokens for.", {
    defaultText: "`allowedResources`",
    message: "must be absolute URIs without fragment (RFC 8707 s2)",
  }),
  default_resource: custom("resource indicator", "The audience of a token requested without `resource`; within `allowed_resources`.", (value, path) => resourceIndicator.check(value, path), {
    defaultText: "`defaultResource`",
  }),
  allow_multiple_resources: boolean("Whether one request may name several resources (RFC 8707 s2).", { default: false }),
  resource_server: oneOrMany(
    string("an audience", { nonEmpty: true, message: "must be a non-empty string or a non-empty array of them" }),
    "Marks the client as a resource server with these audiences: it may introspect their tokens.",
    { nonEmpty: true, message: "must be a non-empty string or a non-empty array of them" },
  ),
  dpop_bound_access_tokens: boolean("Whether the client always uses DPoP (RFC 9449 s5.2).", { default: false }),
  tls_client_auth_subject_dn: subjectField("the certificate's subject DN (RFC 4514)."),
  tls_client_auth_san_dns: subjectField("a dNSName of the certificate."),
  tls_client_auth_san_uri: subjectField("a URI of the certificate (e.g. a SPIFFE ID)."),
  tls_client_auth_san_ip: subjectField("an iPAddress of the certificate."),
  tls_client_auth_san_email: subjectField("an rfc822Name of the certificate."),
  tls_client_certificate_bound_access_tokens: boolean("Whether the client's tokens are bound to its TLS certificate (RFC 8705 s3).", { default: false }),
} satisfies Describes<ClientRegistration>;

/**
 * The algorithms an assertion of `method` may be signed with, narrowed to the registered
 * `token_endpoint_auth_signing_alg`: asymmetric ones only for `private_key_jwt` (the server
 * holds no secret), HS256 only for `client_secret_jwt` (RFC 7523 s3, RFC 8725 s3.1).
 */
export function assertionAlgorithms(
  method: TokenEndpointAuthMethod,
  signingAlg: JwsAlgorithm | undefined,
): readonly JwsAlgorithm[] {
  const all: readonly JwsAlgorithm[] = method === "private_key_jwt" || method === "spiffe_jwt"
    ? ASYMMETRIC_ALGORITHMS
    : method === "client_secret_jwt"
    ? ["HS256"]
    : [];
  return signingAlg === undefined ? all : all.filter((a) => a === signingAlg);
}

function checkJwks(id: string, value: unknown, forAssertions: boolean, path: string): void {
  const set = value as { keys?: unknown } | null;
  if (typeof set !== "object" || set === null || !Array.isArray(set.keys)) fail(id, path, "must be a JWK Set ({ keys: [...] }, RFC 7517 s5)");
  let usable = 0;
  for (const [i, key] of (set.keys as unknown[]).entries()) {
    const at = `${path}.keys[${i}]`;
    if (typeof key !== "object" || key === null || typeof (key as Jwk).kty !== "string") fail(id, at, "must be a JWK object (every key in jwks)");
    // RFC 7591 s2: the client's public keys. A private member here means the client's
    // private key (or a shared secret) was pasted into the server's configuration.
    if (isPrivateJwk(key as Jwk)) fail(id, at, "is private: jwks must hold public keys only (no d, p, q, dp, dq, qi, oth or k)");
    if (algorithmsOfJwk(key as Jwk).some((a) => a !== "HS256")) usable++;
  }
  if (usable === 0 && forAssertions) fail(id, path, "has no key for ES256, ES384, EdDSA, RS256 or PS256");
}

const SECRET_METHODS: ReadonlySet<string> = new Set(["client_secret_basic", "client_secret_post"]);

/**
 * A platform token is a client assertion: `private_key_jwt` for tokens with an `iss`
 * (RFC 7523), `spiffe_jwt` for JWT-SVIDs of a SPIFFE trust domain
 * (draft-ietf-oauth-spiffe-client-auth), each with its own kind of issuer. (That only
 * those two methods take them is the description's `onlyWhen`.)
 */
function checkFederatedCredentials(id: string, method: string, r: Record<string, unknown>, path: string): void {
  const credentials = prepareFederatedCredentials(id, r.federated_credentials, path);
  for (const [i, c] of credentials.entries()) {
    const spiffe = c.issuer.startsWith("spiffe://");
    const at = `${path}[${i}].issuer`;
    if (method === "spiffe_jwt" && !spiffe) fail(id, at, `is not spiffe://<trust domain>: spiffe_jwt authenticates with JWT-SVIDs only; ${c.issuer} is not one`);
    if (method === "private_key_jwt" && spiffe) fail(id, at, `names a SPIFFE trust domain (${c.issuer}), which needs token_endpoint_auth_method spiffe_jwt`);
  }
  if (method === "spiffe_jwt" && (r.jwks !== undefined || r.jwks_uri !== undefined || r.client_secret !== undefined || r.client_secret_hash !== undefined)) {
    fail(id, path, "is the only credential of a spiffe_jwt client: it holds no keys or secret of its own, its trust domain's bundle verifies it");
  }
}

/** `path`: the option at fault (`clients[3].jwks`, or `jwks` for a registration on its own), named in the message too. */
function fail(client_id: unknown, path: string, message: string): never {
  throw new ConfigurationError(`client ${JSON.stringify(client_id)}: ${path} ${message}`, path);
}

/**
 * Checks a registration's shape and meaning without touching secrets, so mistakes surface at
 * start-up: an unknown field (a typo: `scopes` for `scope`), unknown auth methods, a secret
 * method without a secret, a public client allowed the client credentials grant, a default
 * scope outside the scope. `path` is where the registration sits in the options
 * (`clients[3]`); errors name the field's full path. Returns the fields with their defaults.
 */
export function validateRegistration(registration: ClientRegistration, path = ""): Checked<typeof clientRegistrationDescription> {
  const r = registration as unknown as Record<string, unknown>;
  if (typeof r !== "object" || r === null || Array.isArray(r)) {
    throw new ConfigurationError(`${path === "" ? "a client registration" : path} must be an object`, path === "" ? undefined : path);
  }
  const id = r.client_id;
  const at = (field: string) => path === "" ? field : `${path}.${field}`;
  if (typeof id !== "string" || id === "") fail(id, at("client_id"), "must be a non-empty string");
  const idProblem = clientIdProblem(id);
  if (idProblem !== undefined) fail(id.slice(0, 40), at("client_id"), idProblem);
  let checked: Checked<typeof clientRegistrationDescription>;
  try {
    checked = checkObject(clientRegistrationDescription, r, path);
  } catch (e) {
    if (e instanceof ConfigurationError) throw new ConfigurationError(`client ${JSON.stringify(id)}: ${e.message}`, e.path);
    throw e;
  }
  const method = checked.token_endpoint_auth_method;
  const grants = checked.grant_types;
  // RFC 6749 s4.4: the client credentials grant is for confidential clients only.
  if (method === "none" && grants.includes("client_credentials")) {
    fail(id, at("grant_types"), "cannot list client_credentials: a public client (token_endpoint_auth_method 'none') cannot use client_credentials");
  }
  const hashes = checked.client_secret_hash;
  const hasSecret = (hashes !== undefined && (typeof hashes === "string" || hashes.length > 0)) || r.client_secret !== undefined;
  if (SECRET_METHODS.has(method) && !hasSecret) fail(id, at("client_secret_hash"), `is missing: ${method} needs client_secret_hash (or client_secret)`);
  // A self-signed TLS client's keys need not sign JWSs (a P-521 or Ed448 certificate is fine).
  if (r.jwks !== undefined) checkJwks(id, r.jwks, method !== "self_signed_tls_client_auth", at("jwks"));
  if (r.federated_credentials !== undefined) checkFederatedCredentials(id, method, r, at("federated_credentials"));
  if (method === "private_key_jwt" && r.jwks === undefined && r.jwks_uri === undefined && r.federated_credentials === undefined) {
    fail(id, at("jwks"), "is missing: private_key_jwt needs the client's public keys (jwks or jwks_uri) or federated_credentials");
  }
  if (method === "spiffe_jwt" && r.federated_credentials === undefined) {
    fail(id, at("federated_credentials"), "is missing: spiffe_jwt needs federated_credentials naming a SPIFFE trust domain (spiffe://...)");
  }
  if (method === "client_secret_jwt") {
    // The HMAC key is the secret itself (RFC 7523 s3), so only a readable secret will do.
    if (typeof r.client_secret !== "string") {
      fail(id, at("client_secret"), "is missing: client_secret_jwt needs the plaintext client_secret (a hash cannot key an HMAC)");
    }
    if (hashes !== undefined) fail(id, at("client_secret_hash"), "must not be given: client_secret_jwt verifies with client_secret; client_secret_hash cannot be used");
    // RFC 7518 s3.2: an HS256 key MUST be at least as long as the hash output.
    if (new TextEncoder().encode(r.client_secret).length < 32) {
      fail(id, at("client_secret"), "is too short: client_secret_jwt needs a client_secret of at least 32 bytes (RFC 7518 s3.2)");
    }
  }
  const signingAlg = checked.token_endpoint_auth_signing_alg;
  if (signingAlg !== undefined && !assertionAlgorithms(method, undefined).includes(signingAlg)) {
    fail(id, at("token_endpoint_auth_signing_alg"), `${JSON.stringify(signingAlg)} is not supported for ${method}`);
  }
  const scope = new Set(checked.scope === undefined || checked.scope === "" ? [] : checked.scope.split(" "));
  if (checked.default_scope !== undefined && checked.default_scope !== "") {
    for (const token of checked.default_scope.split(" ")) {
      if (!scope.has(token)) fail(id, at("default_scope"), `'${token}' is not within scope`);
    }
  }
  const resources = checked.allowed_resources;
  const fallback = checked.default_resource;
  if (fallback !== undefined && resources !== undefined && !resources.includes(fallback)) {
    fail(id, at("default_resource"), "must be one of allowed_resources");
  }
  validateTlsRegistration(r, id, method, at);
  return checked;
}

const prepared = new WeakMap<ClientRegistration, Client>();

/**
 * Validates a registration and prepares it for the request path: secret hashes parsed, a
 * plaintext `client_secret` hashed once, scopes as sets. Cached per registration object, and
 * a cached one comes without a promise (the request path's case: each promise is an
 * allocation and a turn on every request); a validation error is a rejected promise.
 */
export function preparedClient(registration: ClientRegistration, crypto: CryptoProvider = webCrypto): Client | Promise<Client> {
  return prepared.get(registration) ?? prepareNew(registration, crypto);
}

async function prepareNew(registration: ClientRegistration, crypto: CryptoProvider): Promise<Client> {
  const checked = validateRegistration(registration);
  const hashes = registration.client_secret_hash;
  const secrets: SecretHash[] = (hashes === undefined ? [] : typeof hashes === "string" ? [hashes] : hashes)
    .map(parseSecretHash);
  if (registration.client_secret !== undefined) {
    const d = crypto.digest("SHA-256", new TextEncoder().encode(registration.client_secret));
    secrets.push({ scheme: "sha256", digest: d instanceof Uint8Array ? d : await d });
  }
  const scope = registration.scope ? registration.scope.split(" ") : [];
  const method = checked.token_endpoint_auth_method;
  const client: Client = {
    client_id: registration.client_id,
    registration,
    token_endpoint_auth_method: method,
    grant_types: new Set(checked.grant_types),
    scope: new Set(scope),
    default_scope: registration.default_scope ?? registration.scope ?? "",
    secrets,
    jwks: registration.jwks === undefined ? undefined : new KeyIndex(registration.jwks.keys, false),
    jwks_uri: registration.jwks_uri,
    federated_credentials: registration.federated_credentials === undefined
      ? []
      : prepareFederatedCredentials(registration.client_id, registration.federated_credentials),
    assertion_algorithms: new Set(assertionAlgorithms(method, registration.token_endpoint_auth_signing_alg)),
    client_secret_expires_at: checked.client_secret_expires_at,
    access_token_format: registration.access_token_format,
    access_token_lifetime: checked.access_token_lifetime,
    allowed_resources: registration.allowed_resources === undefined ? undefined : new Set(registration.allowed_resources),
    default_resource: registration.default_resource,
    allow_multiple_resources: checked.allow_multiple_resources,
    dpop_bound_access_tokens: checked.dpop_bound_access_tokens,
    tls_client_auth_subject: method === "tls_client_auth" ? expectedSubject(registration as unknown as Record<string, unknown>) : undefined,
    tls_client_certificate_bound_access_tokens: checked.tls_client_certificate_bound_access_tokens,
  };
  prepared.set(registration, client);
  return client;
}
