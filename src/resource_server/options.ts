/**
 * Options of the resource-server helper, validated once and turned into the context that
 * every verification reads.
 *
 * @module
 */

import type { ActorClaim } from "../tokens/actor.ts";
import { KeySet } from "../crypto/key_set.ts";
import { type CryptoProvider, webCrypto } from "../crypto/provider.ts";
import { ConfigurationError } from "../errors.ts";
import { boolean, checkObject, custom, type Describes, func, integer, problem, resolvedLater, string, url } from "../config/describe.ts";
import type { FetchLike } from "../http/fetch.ts";
import { ASYMMETRIC_ALGORITHMS, isJwsAlgorithm, type JwsAlgorithm } from "../jose/algorithms.ts";
import type { Jwk, JwkSet } from "../jose/jwk.ts";
import { isHttpsOrLoopback } from "../http/loopback.ts";
import { isResourceIndicator } from "../resource_indicators.ts";
import { type DpopContext, type DpopOptions, resolveDpopOptions } from "../dpop/options.ts";
import { normalizeHtu } from "../dpop/htu.ts";
import { deadlineReplayStore, deadlineRevocationStore, deadlineTokenStore, withDeadline } from "../stores/deadline.ts";
import { MemoryReplayStore, type ReplayStore } from "../stores/replay_store.ts";
import type { RevocationStore } from "../stores/revocation_store.ts";
import type { TokenStore } from "../stores/token_store.ts";
import { KeyIndex, keySetIndex } from "../jose/key_index.ts";
import { protectedResourceMetadataUrl } from "./metadata_url.ts";
import { RemoteJwks } from "../jose/remote_jwks.ts";
import { VerifiedTokenCache } from "./verified_token_cache.ts";
import { type ClientCertificateSource, RequestCertificates } from "../mtls/client_certificate.ts";

/**
 * What an introspection call (RFC 7662 s2.2) answers about a token. Only `active: true`
 * with a matching `aud` is accepted.
 */
export interface IntrospectionResponse {
  /** Whether the token is currently active. */
  active: boolean;
  /** Space-separated scope. */
  scope?: string;
  /** The client the token was issued to. */
  client_id?: string;
  /** The subject. */
  sub?: string;
  /** The audience(s). */
  aud?: string | string[];
  /** The issuer. */
  iss?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
  /** Issued at, seconds since the epoch. */
  iat?: number;
  /** Not before, seconds since the epoch. */
  nbf?: number;
  /** Token identifier. */
  jti?: string;
  /** Token type, e.g. `Bearer` or `DPoP`. */
  token_type?: string;
  /** Confirmation: present for sender-constrained tokens: `jkt` (DPoP, RFC 9449 s6.2), `x5t#S256` (mutual TLS, RFC 8705 s3.2). */
  cnf?: { jkt?: string; "x5t#S256"?: string };
  /** The actor of a delegated token (RFC 8693 s4.1). */
  act?: ActorClaim;
  /** Other members (RFC 7662 s2.2 allows extensions). */
  [member: string]: unknown;
}

/**
 * Members of this resource's RFC 9728 metadata document besides `resource` (which is the
 * `resource` option). Names are RFC 9728 s2's.
 */
export interface ProtectedResourceMetadataOptions {
  /** Issuer identifiers of the authorization servers that issue tokens for this resource; default `[issuer]`. */
  authorization_servers?: string[];
  /** Scopes this resource uses (RECOMMENDED). */
  scopes_supported?: string[];
  /** Ways of sending the token; default from `allowFormToken`/`allowQueryToken`: `["header", ...]`. */
  bearer_methods_supported?: string[];
  /** A human-readable name of the resource. */
  resource_name?: string;
  /** A page with documentation for developers. */
  resource_documentation?: string;
  /** The resource's policy page. */
  resource_policy_uri?: string;
  /** The resource's terms of service page. */
  resource_tos_uri?: string;
  /** The resource's own public keys, if it signs anything. */
  jwks_uri?: string;
  /** The DPoP proof algorithms accepted; default from the `dpop` option. */
  dpop_signing_alg_values_supported?: string[];
  /** Whether only DPoP-bound tokens are accepted; default from `dpop.required`. */
  dpop_bound_access_tokens_required?: boolean;
  /** Whether certificate-bound tokens (RFC 8705) are supported; default true when `clientCertificate` is set. */
  tls_client_certificate_bound_access_tokens?: boolean;
  /** Other members (RFC 9728 s2 allows extensions). */
  [member: string]: unknown;
}

/**
 * DPoP at a resource server (RFC 9449 s7): the proof settings, plus the public origin the
 * proofs' `htu` is compared against.
 *
 * @example
 * ```ts
 * import type { ResourceServerDpopOptions } from "./options.ts";
 * const dpop: ResourceServerDpopOptions = { origin: "https://api.example.com", algorithms: ["ES256"] };
 * ```
 */
export interface ResourceServerDpopOptions extends DpopOptions {
  /**
   * The public origin of this API (`https://api.example.com`): a proof's `htu` must be this
   * origin plus the request's path. Default: the origin of `resource`. Never taken from
   * `Host` or `X-Forwarded-*` headers, which a proxy rewrites and a client can forge
   * (RFC 9700 s4.13).
   */
  origin?: string;
}

/**
 * Options of {@link verifyAccessToken}: who this resource is, whom it trusts, and how it
 * reaches the keys or the token store.
 *
 * Create the object once and pass the same one on every call: it is validated once, and
 * the cache of a remote JWK Set lives with it.
 *
 * @example JWT access tokens verified with the authorization server's published keys
 * ```ts
 * import type { ResourceServerOptions } from "./options.ts";
 * const options: ResourceServerOptions = {
 *   resource: "https://api.example.com",
 *   issuer: "https://auth.example.com",
 *   jwksUri: "https://auth.example.com/jwks",
 * };
 * ```
 */
export interface ResourceServerOptions {
  /**
   * This resource server's identifier (an RFC 8707 resource indicator): every token must
   * name it in `aud` (RFC 9068 s4), and it is the `resource` of its RFC 9728 metadata.
   */
  resource: string;
  /** The issuer identifier of the authorization server; required for JWTs (RFC 9068 s4: `iss` must match exactly). */
  issuer?: string;
  /**
   * Local verification keys: a JWK Set (public keys; an `oct` key for HS256 setups), or the
   * authorization server's own {@link KeySet} when both run in one process.
   */
  jwks?: JwkSet | KeySet;
  /** The authorization server's `jwks_uri`, fetched when needed and cached. */
  jwksUri?: string;
  /** The fetch used for `jwksUri`; default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Accepted JWS algorithms; default the asymmetric ones (ES256, ES384, EdDSA, RS256, PS256). */
  algorithms?: readonly JwsAlgorithm[];
  /** Allowed clock difference for `exp`, `nbf` and `iat`, in seconds; default 5, at most 300. */
  clockTolerance?: number;
  /** Least time between two fetches of `jwksUri`, in seconds; default 30. */
  jwksCooldown?: number;
  /** Where opaque tokens are looked up (shared with the authorization server). */
  tokenStore?: TokenStore;
  /** Asks about an opaque token, e.g. by calling the authorization server's introspection endpoint. */
  introspect?: (token: string) => Promise<IntrospectionResponse>;
  /** Revoked token ids (`jti`): tokens listed there are refused. */
  revocationStore?: RevocationStore;
  /** The realm of challenges; default `resource`. */
  realm?: string;
  /**
   * Serve RFC 9728 metadata for this resource and name it in challenges
   * (`resource_metadata`). `true` for the defaults, or extra members.
   */
  metadata?: boolean | ProtectedResourceMetadataOptions;
  /** Accept the token in a form body `access_token` (RFC 6750 s2.2); default false. */
  allowFormToken?: boolean;
  /** Accept the token in a query `access_token` (RFC 6750 s2.3, discouraged by RFC 9700); default false. */
  allowQueryToken?: boolean;
  /** Source of digests; default WebCrypto. */
  crypto?: CryptoProvider;
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: () => number;
  /**
   * Accept DPoP-bound tokens (RFC 9449 s7): `Authorization: DPoP <token>` with a `DPoP`
   * proof. `true` for the defaults, or settings; `required: true` accepts DPoP only.
   * Default off: only Bearer tokens, and bound tokens are refused.
   */
  dpop?: boolean | ResourceServerDpopOptions;
  /**
   * Remembers used DPoP proofs so none is accepted twice (RFC 9449 s11.1); default a
   * {@link MemoryReplayStore}. Share one between instances of this resource server.
   */
  replayStore?: ReplayStore;
  /**
   * Longest wait for the token store, the revocation store, the replay store and
   * `introspect`, in milliseconds; default 5,000. Past it the request is answered `503
   * temporarily_unavailable`, never left hanging.
   */
  storeTimeoutMs?: number;
  /**
   * How many verified JWTs to remember, by the SHA-256 of the token, so that a token
   * presented again skips its signature check (the costly step: 60-100 µs of CPU per
   * WebCrypto ES256 or EdDSA verification on Node 20). Every other check, expiry and the
   * revocation list included, still runs on every request; an entry is used only while the
   * key that verified it is still the key found for the token, and goes when its token
   * expires. `0` turns it off. Default 10,000 (about 1.2 MB when full: 124 B an entry on Node).
   */
  verifiedTokenCache?: number;
  /**
   * Where the resource server gets a request's TLS client certificate, to check tokens
   * bound to one (RFC 8705 s3: `cnf` `x5t#S256`); the same kind of function as the
   * authorization server's option (`clientCertificateHeader`, `tlsSocketClientCertificates`,
   * `cloudflareClientCertificate`). Without it, a certificate-bound token is always refused.
   */
  clientCertificate?: ClientCertificateSource;
}

/** Where the verification keys of JWTs come from. */
export interface KeySource {
  /** The key for `kid` that may verify `alg`. */
  find(kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | undefined>;
}

/** The prepared form of {@link ResourceServerOptions}. */
export interface ResourceServerContext {
  readonly resource: string;
  readonly issuer: string | undefined;
  readonly keys: KeySource | undefined;
  readonly algorithms: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly tokenStore: TokenStore | undefined;
  readonly introspect: ((token: string) => Promise<IntrospectionResponse>) | undefined;
  readonly revocationStore: RevocationStore | undefined;
  readonly realm: string;
  /** The URL of the RFC 9728 document, when served. */
  readonly metadataUrl: string | undefined;
  readonly metadata: ProtectedResourceMetadataOptions | undefined;
  readonly allowFormToken: boolean;
  readonly allowQueryToken: boolean;
  readonly crypto: CryptoProvider;
  readonly clock: () => number;
  /** DPoP settings; `undefined` when only Bearer tokens are accepted. */
  readonly dpop: DpopContext | undefined;
  /** The public origin a proof's `htu` names, with the request's path. */
  readonly dpopOrigin: string;
  /** Verified JWT signatures, when on. */
  readonly verifiedTokens: VerifiedTokenCache | undefined;
  /** The requests' TLS client certificates, when `clientCertificate` is set. */
  readonly clientCertificates: RequestCertificates | undefined;
}

/** RFC 9068 s4: the `iss` claim MUST match the issuer, so JWTs cannot be accepted without one. */
const VERIFYING_JWTS = { field: "issuer", message: "needs the issuer option: verifying JWTs needs the issuer option (RFC 9068 s4)" } as const;

/**
 * The description of {@link ResourceServerOptions}: the known keys (unknown ones are
 * refused with a "did you mean"), the integer ranges and defaults, and the README's table.
 *
 * @example
 * ```ts
 * import { resourceServerDescription } from "./options.ts";
 * resourceServerDescription.clockTolerance.kind; // "integer 0-300"
 * ```
 */
export const resourceServerDescription = {
  resource: custom<string, { required: true }>("resource indicator", "This resource server's identifier (RFC 8707); every token must name it in `aud`.", (v, path) => {
    if (typeof v !== "string" || !isResourceIndicator(v)) throw problem(path, "must be an absolute URI without fragment (RFC 8707 s2)");
    return v;
  }, { required: true }),
  issuer: string("The authorization server's issuer; required for JWTs (RFC 9068 s4)."),
  jwks: custom<JwkSet | KeySet>("JWK Set or KeySet", "Local verification keys.", (v, path) => {
    if (v instanceof KeySet) return v;
    const set = v as { keys?: unknown } | null;
    if (typeof set !== "object" || set === null || !Array.isArray(set.keys)) throw problem(path, "must be a JWK Set ({ keys: [...] }) or a KeySet");
    return v as JwkSet;
  }, { requires: VERIFYING_JWTS }),
  jwksUri: url("The authorization server's `jwks_uri`, fetched when needed and cached.", {
    conflictsWith: { field: "jwks", message: "must not be given with jwks: give jwks or jwksUri, not both" },
    requires: VERIFYING_JWTS,
  }),
  fetch: func<FetchLike>("The fetch used for `jwksUri`.", "", { defaultText: "`globalThis.fetch`" }),
  algorithms: custom<readonly JwsAlgorithm[]>("array of JWS algorithms", "Accepted JWS algorithms.", (v, path) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every(isJwsAlgorithm)) throw problem(path, "must list supported JWS algorithms (never 'none')");
    return v;
  }, { defaultText: "ES256, ES384, EdDSA, RS256, PS256" }),
  clockTolerance: integer("Allowed clock difference for `exp`, `nbf` and `iat`, seconds.", 0, 300, { default: 5 }),
  jwksCooldown: integer("Least time between two fetches of `jwksUri`, seconds.", 0, 3_600, { default: 30 }),
  tokenStore: custom<TokenStore>("TokenStore", "Where opaque tokens are looked up.", (v, path) => {
    if (typeof (v as Partial<TokenStore> | null)?.find !== "function") throw problem(path, "must be a TokenStore");
    return v as TokenStore;
  }),
  introspect: func<(token: string) => Promise<IntrospectionResponse>>("Asks about an opaque token (RFC 7662)."),
  revocationStore: custom<RevocationStore>("RevocationStore", "Revoked token ids: tokens listed there are refused.", (v, path) => {
    if (typeof (v as Partial<RevocationStore> | null)?.isRevoked !== "function") throw problem(path, "must be a RevocationStore");
    return v as RevocationStore;
  }),
  realm: string("The realm of challenges.", { defaultText: "`resource`" }),
  metadata: custom<boolean | ProtectedResourceMetadataOptions>("boolean or object", "Serve RFC 9728 metadata (and name it in challenges).", (v, path) => {
    if (typeof v === "boolean") return v;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw problem(path, "must be true, false or an object of metadata members");
    if ("resource" in v) throw problem(`${path}.resource`, "is the resource option; do not repeat it");
    return v as ProtectedResourceMetadataOptions;
  }),
  allowFormToken: boolean("Accept the token in a form body (RFC 6750 s2.2).", { default: false }),
  allowQueryToken: boolean("Accept the token in a query (RFC 6750 s2.3, discouraged).", { default: false }),
  // Not checked: a provider's methods are called as they are needed, and WebCrypto is the usual one.
  crypto: resolvedLater<CryptoProvider>("CryptoProvider", "Source of digests.", "WebCrypto"),
  clock: func<() => number>("Milliseconds since the epoch.", "returning milliseconds", { defaultText: "`Date.now`" }),
  // Checked by resolveDpopOptions, with the proof settings of the token endpoint plus `origin`.
  dpop: custom<boolean | ResourceServerDpopOptions>("boolean or object", "Accept DPoP-bound tokens (RFC 9449 s7).", (v, path) => {
    if (typeof v !== "boolean" && (typeof v !== "object" || v === null || Array.isArray(v))) throw problem(path, "must be true, false or an object");
    return v as boolean | ResourceServerDpopOptions;
  }, { defaultText: "false" }),
  // Checked when DPoP is on: only then is it used.
  replayStore: resolvedLater<ReplayStore>("ReplayStore", "Remembers used DPoP proofs (RFC 9449 s11.1).", "a MemoryReplayStore"),
  storeTimeoutMs: integer("Longest wait for stores and `introspect`, milliseconds; then 503.", 1, 600_000, { default: 5_000 }),
  verifiedTokenCache: integer("How many verified JWTs to remember (skipping the signature check); 0: off.", 0, 10_000_000, { default: 10_000 }),
  clientCertificate: func<ClientCertificateSource>("Where a request's TLS client certificate comes from (RFC 8705 s3).", "(request) => certificate | undefined"),
} satisfies Describes<ResourceServerOptions>;

const DPOP_EXTRA: ReadonlySet<string> = new Set(["origin"]);

/** The DPoP settings of a resource server, and the origin its proofs name. */
function resourceDpop(
  options: ResourceServerOptions,
  resource: string,
  crypto: CryptoProvider,
  clock: () => number,
  timeoutMs: number,
): { dpop: DpopContext | undefined; origin: string } {
  const value = options.dpop ?? false;
  if (value === false) return { dpop: undefined, origin: "" };
  const settings: ResourceServerDpopOptions = value === true ? {} : value;
  let origin: string;
  try {
    origin = new URL(settings.origin ?? resource).origin;
  } catch {
    throw problem("dpop.origin", "must be a URL");
  }
  if (normalizeHtu(origin) === undefined || (settings.origin !== undefined && normalizeHtu(settings.origin) !== normalizeHtu(origin))) {
    throw problem("dpop.origin", "must be an http(s) origin (set it when resource is not an https URL)");
  }
  const given = options.replayStore ?? new MemoryReplayStore({ clock });
  if (typeof (given as Partial<ReplayStore> | null)?.remember !== "function") throw problem("replayStore", "must be a ReplayStore");
  // The built-in store answers at once; a user's gets the deadline.
  const store = given instanceof MemoryReplayStore ? given : deadlineReplayStore(given, timeoutMs);
  const dpop = resolveDpopOptions(settings, { label: resource, replayStore: store, crypto, clock, extraKeys: DPOP_EXTRA });
  return { dpop, origin };
}

/** RFC 9728 s1.2: a resource identifier with metadata is an https URL without fragment. */
function httpsResource(value: string): string {
  if (!isHttpsOrLoopback(new URL(value))) {
    throw problem("resource", "must be an https URL (http is allowed for localhost only) when metadata is served (RFC 9728 s1.2)");
  }
  return value;
}

/** A key source over a local JWK Set, or over a {@link KeySet} that may rotate. */
function localKeys(jwks: JwkSet | KeySet): KeySource {
  if (jwks instanceof KeySet) return { find: (kid, alg) => keySetIndex(jwks).find(kid, alg) };
  const index = new KeyIndex(jwks.keys as Jwk[], true);
  return { find: (kid, alg) => index.find(kid, alg) };
}

function cacheOf(maxEntries: number): VerifiedTokenCache | undefined {
  return maxEntries === 0 ? undefined : new VerifiedTokenCache(maxEntries);
}

const contexts = new WeakMap<ResourceServerOptions, ResourceServerContext>();

/**
 * Validates resource-server options once and prepares the context. Throws a
 * `ConfigurationError` naming the first problem.
 *
 * @example
 * ```ts
 * import { resolveResourceServerOptions } from "./options.ts";
 * const ctx = resolveResourceServerOptions({ resource: "https://api.example.com", issuer: "https://as.example.com", jwksUri: "https://as.example.com/jwks" });
 * ```
 */
export function resolveResourceServerOptions(options: ResourceServerOptions): ResourceServerContext {
  const cached = contexts.get(options);
  if (cached !== undefined) return cached;
  const o = checkObject(resourceServerDescription, options, "");
  const resource = o.resource;
  const clock = o.clock ?? Date.now;
  let keys: KeySource | undefined;
  if (o.jwks !== undefined) keys = localKeys(o.jwks);
  if (o.jwksUri !== undefined) {
    keys = new RemoteJwks(o.jwksUri, {
      fetch: o.fetch ?? globalThis.fetch,
      clock,
      cooldownMs: o.jwksCooldown * 1000,
      defaultMaxAgeMs: 300_000,
      timeoutMs: 5_000,
    });
  }
  if (keys === undefined && o.tokenStore === undefined && o.introspect === undefined) {
    // No one field is at fault: any of four would do.
    throw new ConfigurationError("give jwks or jwksUri (JWTs), or tokenStore or introspect (opaque tokens)");
  }
  const crypto = o.crypto ?? webCrypto;
  const timeoutMs = o.storeTimeoutMs;
  const { dpop, origin: dpopOrigin } = resourceDpop(options, resource, crypto, clock, timeoutMs);
  const metadata = o.metadata === undefined || o.metadata === false ? undefined : o.metadata === true ? {} : o.metadata;
  const metadataUrl = metadata === undefined ? undefined : protectedResourceMetadataUrl(httpsResource(resource));
  const introspect = o.introspect;
  const clientCertificate = o.clientCertificate;
  const context: ResourceServerContext = {
    resource,
    issuer: o.issuer,
    keys,
    algorithms: new Set(o.algorithms ?? ASYMMETRIC_ALGORITHMS),
    clockTolerance: o.clockTolerance,
    // Every call out ends by the deadline: a hung store gets the caller a 503, not a hang.
    tokenStore: o.tokenStore === undefined ? undefined : deadlineTokenStore(o.tokenStore, timeoutMs),
    introspect: introspect === undefined ? undefined : (token) => withDeadline("introspect", timeoutMs, () => introspect(token)),
    revocationStore: o.revocationStore === undefined ? undefined : deadlineRevocationStore(o.revocationStore, timeoutMs),
    realm: o.realm ?? resource,
    metadataUrl,
    metadata,
    allowFormToken: o.allowFormToken,
    allowQueryToken: o.allowQueryToken,
    crypto,
    clock,
    dpop,
    dpopOrigin,
    verifiedTokens: cacheOf(o.verifiedTokenCache),
    clientCertificates: clientCertificate === undefined ? undefined : new RequestCertificates(clientCertificate, timeoutMs),
  };
  contexts.set(options, context);
  return context;
}
