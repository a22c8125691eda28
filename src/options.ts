/**
 * The token endpoint's options (the options of `handleTokenRequest`, which the server's
 * extend): their description, and the checks of their fields that the one resolver,
 * `config/server_config.ts`, calls in order.
 *
 * @module
 */

import type { ClientAssertionOptions } from "./client_auth/assertion_options.ts";
import type { BruteForceOptions } from "./client_auth/brute_force.ts";
import type { ClientStore } from "./clients/client_store.ts";
import type { ClientRegistration } from "./clients/registration.ts";
import type { CryptoProvider } from "./crypto/provider.ts";
import { ConfigurationError } from "./errors.ts";
import { boolean, custom, type Describes, func, integer, oneOf, problem, resolvedLater, string } from "./config/describe.ts";
import { KeySet } from "./crypto/key_set.ts";
import type { EventHook } from "./events.ts";
import type { FetchLike } from "./http/fetch.ts";
import { isHttpsOrLoopback } from "./http/loopback.ts";
import type { TrustedIssuer } from "./federation/trusted_issuer.ts";
import type { DpopOptions } from "./dpop/options.ts";
import type { ClientCertificateSource } from "./mtls/client_certificate.ts";
import { isResourceIndicator, type ResourcePolicy } from "./resource_indicators.ts";
import { isScopeToken } from "./scope.ts";
import { deadlineReplayStore, deadlineTokenStore } from "./stores/deadline.ts";
import { MemoryTokenStore } from "./stores/memory_token_store.ts";
import { MemoryReplayStore, type ReplayStore } from "./stores/replay_store.ts";
import type { TokenStore } from "./stores/token_store.ts";
import type { TokenExchangePolicy } from "./token_exchange/policy.ts";
import type { JwtBearerPolicy } from "./grants/jwt_bearer_policy.ts";
import type { AccessTokenFormat } from "./tokens/access_token.ts";

/**
 * Options of the token endpoint.
 *
 * Create the object once and pass the same one to every call: it is validated and prepared
 * on first use and cached by identity, and the default in-memory token store lives with it.
 *
 * @example
 * ```ts
 * import type { TokenEndpointOptions } from "./options.ts";
 * const options: TokenEndpointOptions = {
 *   issuer: "https://auth.example.com",
 *   clients: [{
 *     client_id: "billing",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *     scope: "invoices:read",
 *   }],
 *   accessTokenLifetime: 600,
 * };
 * ```
 */
export interface TokenEndpointOptions {
  /**
   * The issuer identifier (RFC 8414 s2): an `https` URL with no query or fragment
   * (`http` only for localhost).
   */
  issuer: string;
  /** The registered clients: a list, or a store that looks them up. */
  clients: readonly ClientRegistration[] | ClientStore;
  /** Where opaque tokens are recorded. Default: a {@link MemoryTokenStore} for these options. */
  tokenStore?: TokenStore;
  /** Access token lifetime in seconds; default 600 (RFC 6750 s5.3: short-lived). At most 86,400. */
  accessTokenLifetime?: number;
  /** Largest request body accepted, in bytes; default 8,192. */
  maxBodyBytes?: number;
  /** Longest time a request body may take to arrive, in milliseconds; default 10,000. */
  bodyTimeoutMs?: number;
  /** Source of randomness, digests and comparisons; default WebCrypto. */
  crypto?: CryptoProvider;
  /** Milliseconds since the epoch; default `Date.now`. Inject a fake clock in tests. */
  clock?: () => number;
  /**
   * Refuse requests whose URL is not `https:` (RFC 6749 s3.2, s10.9); default true.
   * Loopback hosts (localhost, 127.0.0.0/8, [::1]) are always allowed. Set false only when
   * TLS ends at a proxy in front of this server.
   */
  requireHttps?: boolean;
  /** The realm of `WWW-Authenticate` challenges; default the issuer. */
  realm?: string;
  /**
   * The format of access tokens: `opaque` (default; recorded in the token store) or `jwt`
   * (RFC 9068, signed with `signingKeys`, not stored). A client's `access_token_format`
   * overrides it.
   */
  accessTokenFormat?: AccessTokenFormat;
  /** The keys JWT access tokens are signed with; required when any client gets JWTs. */
  signingKeys?: KeySet;
  /**
   * Resource indicators (RFC 8707) any client may ask tokens for, unless its registration
   * lists its own `allowed_resources`. Absolute URIs without fragment. Default: none.
   */
  allowedResources?: readonly string[];
  /**
   * The audience of tokens requested without `resource`, unless the client registered a
   * `default_resource`. A JWT access token must have an audience (RFC 9068 s3): without
   * any default, such a request gets `invalid_target`.
   */
  defaultResource?: string;
  /**
   * The scopes each resource server understands, by resource indicator. With it, a token
   * requested without `resource` gets the audience its scope belongs to (RFC 9068 s3; scopes
   * of two resources are `invalid_scope`), and a token's scope is narrowed to what its
   * audience understands (RFC 8707 s2.2). Default: no map; scope and audience are independent.
   *
   * @example
   * ```ts
   * const resourceScopes = { "https://billing.example.com": ["invoices:read", "invoices:write"] };
   * ```
   */
  resourceScopes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Called for every event (token issued or refused, client authentication failed,
   * introspection, revocation); payloads never hold a secret or a token. Never awaited;
   * whatever it throws is ignored.
   */
  onEvent?: EventHook;
  /**
   * Brute-force protection of client secrets (RFC 6749 s2.3.1), on by default: 10 failures
   * per (client_id, caller) in 15 minutes, then `429` with `Retry-After` until the window
   * ends. See {@link BruteForceOptions}; `false` turns it off.
   */
  bruteForce?: BruteForceOptions | false;
  /**
   * Who is calling, as the host knows it: usually the peer address of the connection (or
   * the client address your proxy vouches for). Failed authentications are counted per
   * (client_id, caller), so an attacker cannot lock a client out from other addresses.
   * Return `undefined` when unknown. Examples: srvx `(r) => r.ip`; Bun
   * `(r) => server.requestIP(r)?.address`; Deno `info.remoteAddr.hostname` kept in a
   * `WeakMap<Request, string>` by the handler. Never read it from a header a client can set.
   */
  callerKey?: (request: Request) => string | undefined;
  /**
   * Longest wait for any call into a pluggable backend (client store, token store,
   * revocation store, attempt store, and asynchronous calls of a custom crypto provider), in
   * milliseconds; default 5,000. Past it the request is answered `503 temporarily_unavailable`.
   */
  storeTimeoutMs?: number;
  /**
   * How `private_key_jwt` and `client_secret_jwt` assertions are checked (RFC 7523): the
   * audience rule (`strictAudience`), the longest lifetime, the clock tolerance and the
   * limits on fetching a client's `jwks_uri`. See {@link ClientAssertionOptions}.
   */
  clientAssertion?: ClientAssertionOptions;
  /**
   * Remembers single-use values until they expire: assertion `jti`s (RFC 7523 s3,
   * "until expiration") and DPoP proof `jti`s (RFC 9449 s11.1). Default: a {@link MemoryReplayStore} for
   * these options. Several instances must share one store with an atomic `remember`, or a
   * value could be used once per instance.
   */
  replayStore?: ReplayStore;
  /**
   * The fetch used to read clients' `jwks_uri`; default `globalThis.fetch`. Give one that
   * refuses internal addresses if registrations come from untrusted parties.
   */
  fetch?: FetchLike;
  /**
   * The public URL of the token endpoint: an absolute URL, or a path on the issuer's origin;
   * default `<issuer>/token`. DPoP proofs must name it in `htu` (RFC 9449 s4.3) and client
   * assertions may name it in `aud` with `clientAssertion.strictAudience: false` (RFC 7523
   * s3); it is never derived from `Host` or
   * `X-Forwarded-*` headers (RFC 9700 s4.13). With `createAuthorizationServer`, set
   * `endpoints.token` instead.
   */
  tokenEndpoint?: string;
  /**
   * DPoP (RFC 9449): proofs accepted with the token request bind the token to the client's
   * key (`token_type: "DPoP"`, `cnf.jkt`). On by default with the defaults of
   * {@link DpopOptions}; `false` ignores `DPoP` headers and issues Bearer tokens only.
   */
  dpop?: DpopOptions | false;
  /**
   * External issuers whose tokens authenticate clients (federated client authentication):
   * GitHub Actions, Kubernetes clusters, SPIFFE trust domains, any OpenID provider. Each
   * names its exact `iss`, where its keys come from (its discovery document by default),
   * the audience its tokens must carry (default: this server's issuer) and limits on them;
   * registrations name an issuer in `federated_credentials`, with rules on the token's
   * claims. See {@link TrustedIssuer}. Default: none.
   */
  trustedIssuers?: readonly TrustedIssuer[];
  /**
   * Where the server gets a request's TLS client certificate (RFC 8705): for
   * `tls_client_auth` and `self_signed_tls_client_auth` clients and certificate-bound
   * tokens. A function of the request; `clientCertificateHeader` (behind a proxy, RFC 9440),
   * `tlsSocketClientCertificates` (node:https) and `cloudflareClientCertificate` make one.
   * The function is trusted to return only what the TLS layer saw. Default: none (no
   * mutual TLS).
   */
  clientCertificate?: ClientCertificateSource;
  /**
   * Bind every access token to the client's TLS certificate (RFC 8705 s3: `cnf` with
   * `x5t#S256`); a token request without a certificate is refused. Default false: only
   * clients registered with `tls_client_certificate_bound_access_tokens` get bound tokens.
   */
  certificateBoundAccessTokens?: boolean;
  /**
   * Turns on token exchange (RFC 8693): decides which client may exchange which subject
   * token, for which audience and scope, after the server's own checks have passed; only
   * `true` allows. Default: none, and the grant is unsupported. A client must also list
   * `urn:ietf:params:oauth:grant-type:token-exchange` in its `grant_types`. See
   * {@link TokenExchangePolicy}.
   */
  tokenExchangePolicy?: TokenExchangePolicy;
  /**
   * Turns on the JWT bearer grant (RFC 7523 s2.1), and with it Identity Assertion JWT
   * Authorization Grants (ID-JAG, what MCP's enterprise-managed authorization uses):
   * maps a verified assertion's subject, from one of the `trustedIssuers`, to the scope and
   * audience it may be granted, or refuses it. Default: none, and the grant is
   * unsupported. Needs `trustedIssuers`; a client must also list
   * `urn:ietf:params:oauth:grant-type:jwt-bearer` in its `grant_types`. See
   * {@link JwtBearerPolicy}.
   */
  jwtBearerPolicy?: JwtBearerPolicy;
}

/** RFC 8414 s2: an https URL (http for loopback hosts), no query, no fragment. */
function issuerField(issuer: unknown, path: string): string {
  if (typeof issuer !== "string") throw problem(path, "must be a string URL");
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigurationError(`${path} ${JSON.stringify(issuer)} is not a URL`, path);
  }
  if (!isHttpsOrLoopback(url)) throw problem(path, "must be an https URL (http is allowed for localhost only)");
  if (url.search !== "" || url.hash !== "" || issuer.includes("?") || issuer.includes("#")) {
    throw problem(path, "must not have a query or fragment (RFC 8414 s2)");
  }
  return issuer;
}

function tokenStoreField(store: unknown, path: string): TokenStore {
  const s = store as Partial<TokenStore> | null;
  if (typeof s !== "object" || s === null || typeof s.save !== "function" || typeof s.find !== "function" || typeof s.revoke !== "function") {
    throw problem(path, "must be a TokenStore (save, find and revoke)");
  }
  return store as TokenStore;
}

function replayStoreField(store: unknown, path: string): ReplayStore {
  if (typeof (store as Partial<ReplayStore> | null)?.remember !== "function") throw problem(path, "must be a ReplayStore (remember)");
  return store as ReplayStore;
}

function keySetField(keys: unknown, path: string): KeySet {
  if (!(keys instanceof KeySet)) throw problem(path, "must be a KeySet");
  return keys;
}

/** RFC 8707 s2: resource indicators are absolute URIs without a fragment. */
function resourceListField(value: unknown, path: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((r) => typeof r === "string" && isResourceIndicator(r))) {
    throw problem(path, "must be absolute URIs without fragment (RFC 8707 s2)");
  }
  return value;
}

function resourceField(value: unknown, path: string): string {
  if (typeof value !== "string" || !isResourceIndicator(value)) throw problem(path, "must be an absolute URI without fragment (RFC 8707 s2)");
  return value;
}

function resourceScopesField(map: unknown, path: string): Readonly<Record<string, readonly string[]>> {
  if (typeof map !== "object" || map === null || Array.isArray(map)) throw problem(path, "must map resource indicators to scope lists");
  for (const [resource, scopes] of Object.entries(map)) {
    const at = `${path}[${JSON.stringify(resource)}]`;
    if (!isResourceIndicator(resource)) throw problem(at, "is keyed by a resource indicator that is not an absolute URI without fragment (RFC 8707 s2)");
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === "string" && isScopeToken(s))) {
      throw problem(at, "must be a non-empty list of scope tokens");
    }
  }
  return map as Readonly<Record<string, readonly string[]>>;
}

/**
 * The description of {@link TokenEndpointOptions}: the known keys (unknown ones are refused
 * with a "did you mean"), each field's check, range and default, and the README's table.
 * The few rules that span fields, and the options whose own module checks them
 * (`resolvedLater`), are checked by the resolver (`config/server_config.ts`).
 *
 * @example
 * ```ts
 * import { tokenEndpointDescription } from "./options.ts";
 * tokenEndpointDescription.accessTokenLifetime.kind; // "integer 1-86400"
 * tokenEndpointDescription.accessTokenFormat.check("jwt", "accessTokenFormat"); // "jwt"
 * ```
 */
export const tokenEndpointDescription = {
  issuer: custom<string, { required: true }>("URL", "The issuer identifier (RFC 8414 s2): https, no query or fragment.", issuerField, { required: true }),
  clients: custom<readonly ClientRegistration[] | ClientStore, { required: true }>(
    "array of registrations or ClientStore",
    "The registered clients (see the client registration table).",
    (v) => v as readonly ClientRegistration[] | ClientStore,
    { required: true },
  ),
  tokenStore: custom<TokenStore>("TokenStore", "Where opaque tokens are recorded.", tokenStoreField, { defaultText: "a MemoryTokenStore" }),
  accessTokenLifetime: integer("Access token lifetime, seconds (RFC 6750 s5.3); a client's `access_token_lifetime` overrides it.", 1, 86_400, { default: 600 }),
  maxBodyBytes: integer("Largest request body accepted, bytes.", 1, 1_048_576, { default: 8_192 }),
  bodyTimeoutMs: integer("Longest time a request body may take to arrive, milliseconds.", 1, 600_000, { default: 10_000 }),
  // Checked on every call (crypto/checked_provider.ts): a provider is trusted for nothing.
  crypto: resolvedLater<CryptoProvider>("CryptoProvider", "Source of randomness, digests and comparisons.", "WebCrypto"),
  clock: func<() => number>("Milliseconds since the epoch.", "returning milliseconds", { defaultText: "`Date.now`" }),
  requireHttps: boolean("Refuse requests whose URL is not https (RFC 6749 s3.2); loopback is always allowed.", { default: true }),
  realm: string("The realm of `WWW-Authenticate` challenges.", { defaultText: "the issuer" }),
  accessTokenFormat: oneOf<AccessTokenFormat, { default: "opaque" }>(
    "The format of access tokens (RFC 9068 for jwt); a client's `access_token_format` overrides it.",
    ["opaque", "jwt"],
    { default: "opaque" },
  ),
  signingKeys: custom<KeySet>("KeySet", "The keys JWT access tokens are signed with.", keySetField),
  allowedResources: custom<readonly string[]>("array of resource indicators", "Resource indicators (RFC 8707) any client may ask tokens for.", resourceListField, {
    defaultText: "none",
  }),
  defaultResource: custom<string>("resource indicator", "The audience of tokens requested without `resource`.", resourceField),
  resourceScopes: custom<Readonly<Record<string, readonly string[]>>>("object", "The scopes each resource server understands, by resource indicator.", resourceScopesField),
  onEvent: func<EventHook>("Called for every event; never awaited."),
  bruteForce: resolvedLater<BruteForceOptions | false>("object or false", "Brute-force protection of client secrets (RFC 6749 s2.3.1).", "on"),
  callerKey: func<(request: Request) => string | undefined>("Who is calling (the peer address), for the brute-force counters.", "(request) => string | undefined"),
  storeTimeoutMs: integer("Longest wait for any pluggable backend, milliseconds; then 503.", 1, 600_000, { default: 5_000 }),
  clientAssertion: resolvedLater<ClientAssertionOptions>("object", "How client assertions are checked (RFC 7523)."),
  replayStore: custom<ReplayStore>("ReplayStore", "Remembers single-use values (assertion and DPoP `jti`s).", replayStoreField, { defaultText: "a MemoryReplayStore" }),
  fetch: func<FetchLike>("The fetch used to read clients' `jwks_uri`.", "", { defaultText: "`globalThis.fetch`" }),
  // Resolved against the issuer, and exclusive with the server's endpoints.token.
  tokenEndpoint: resolvedLater<string>("URL or path", "The public URL of the token endpoint.", "`<issuer>/token`"),
  dpop: resolvedLater<DpopOptions | false>("object or false", "DPoP (RFC 9449): sender-constrained tokens.", "on"),
  trustedIssuers: resolvedLater<readonly TrustedIssuer[]>("array of trusted issuers", "External issuers whose tokens authenticate clients.", "none"),
  clientCertificate: resolvedLater<ClientCertificateSource>("function", "Where a request's TLS client certificate comes from (RFC 8705)."),
  certificateBoundAccessTokens: resolvedLater<boolean>("boolean", "Bind every access token to the client's certificate (RFC 8705 s3).", "false"),
  tokenExchangePolicy: func<TokenExchangePolicy>("Turns on token exchange (RFC 8693).", "(request) => boolean | Promise<boolean>"),
  jwtBearerPolicy: func<JwtBearerPolicy>("Turns on the JWT bearer grant (RFC 7523 s2.1).", "(request) => { scope, resource? } | false", {
    // The grant accepts assertions of trusted issuers only.
    requires: { field: "trustedIssuers", message: "needs trustedIssuers: the issuers whose assertions the JWT bearer grant accepts" },
  }),
} satisfies Describes<TokenEndpointOptions>;

/**
 * Checks a configured public endpoint URL: an absolute URL or a path (starting with `/`) on
 * the issuer's origin; `https` (`http` only for loopback hosts); never a fragment (RFC 6749
 * s3.1, s3.2), while a query is kept. Returns the absolute URL.
 */
export function publicEndpointUrl(name: string, value: unknown, issuer: string): string {
  if (typeof value !== "string" || value === "") throw problem(name, "must be a URL or a path starting with '/'");
  if (value.includes("#")) throw problem(name, "must not have a fragment");
  let url: URL;
  try {
    if (value.startsWith("//")) throw new TypeError("scheme-relative");
    url = value.startsWith("/") ? new URL(value, new URL(issuer).origin) : new URL(value);
  } catch {
    throw new ConfigurationError(`${name} ${JSON.stringify(value)} is not a URL or a path starting with '/'`, name);
  }
  if (!isHttpsOrLoopback(url)) throw problem(name, "must be an https URL (http is allowed for localhost only)");
  return url.href;
}

/**
 * The token endpoint's public URL: `tokenEndpoint`, or `endpoints.token` (the server's
 * option for the same URL; one of them, not both), or `<issuer>/token`.
 */
export function tokenEndpointUrl(options: TokenEndpointOptions & { endpoints?: { token?: unknown } }, issuer: string): string {
  // `endpoints` was checked to be an object by its description.
  const fromEndpoints = options.endpoints?.token;
  if (options.tokenEndpoint !== undefined && fromEndpoints !== undefined) {
    throw new ConfigurationError("give tokenEndpoint or endpoints.token, not both", "tokenEndpoint");
  }
  if (fromEndpoints !== undefined) return publicEndpointUrl("endpoints.token", fromEndpoints, issuer);
  return publicEndpointUrl("tokenEndpoint", options.tokenEndpoint ?? `${issuer.replace(/\/+$/, "")}/token`, issuer);
}

/**
 * The token store: default a {@link MemoryTokenStore}. The built-in store answers at once;
 * any other (a Redis or SQL round trip) gets the deadline, so a hung engine is a 503.
 */
export function tokenStoreOf(store: TokenStore | undefined, clock: () => number, timeoutMs: number): TokenStore {
  if (store === undefined) return new MemoryTokenStore({ clock });
  return store.constructor === MemoryTokenStore ? store : deadlineTokenStore(store, timeoutMs);
}

/** The replay store: default a {@link MemoryReplayStore}, which answers at once; a user's gets the deadline. */
export function replayStoreOf(store: ReplayStore | undefined, clock: () => number, timeoutMs: number): ReplayStore {
  if (store === undefined) return new MemoryReplayStore({ clock });
  return store instanceof MemoryReplayStore ? store : deadlineReplayStore(store, timeoutMs);
}

/** The resource policy (RFC 8707) of checked `allowedResources`, `defaultResource` and `resourceScopes`. */
export function resourcePolicy(
  allowed: readonly string[] | undefined,
  defaultResource: string | undefined,
  scopes: Readonly<Record<string, readonly string[]>> | undefined,
): ResourcePolicy {
  const resourceScopes = new Map<string, ReadonlySet<string>>();
  for (const [resource, list] of Object.entries(scopes ?? {})) resourceScopes.set(resource, new Set(list));
  return { allowedResources: new Set(allowed ?? []), defaultResource, resourceScopes };
}

/** JWT access tokens, the server's default or a registered client's, need `signingKeys` (RFC 9068). */
export function requireSigningKeys(format: AccessTokenFormat, keys: KeySet | undefined, clients: TokenEndpointOptions["clients"]): void {
  const jwtClient = Array.isArray(clients) && (clients as readonly ClientRegistration[]).some((c) => c?.access_token_format === "jwt");
  if (keys === undefined && (format === "jwt" || jwtClient)) {
    throw new ConfigurationError("JWT access tokens need the signingKeys option (a KeySet)", "signingKeys");
  }
}
