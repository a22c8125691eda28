/**
 * Options of the whole authorization server: the token endpoint's options plus the
 * endpoints around it; their description, and the checks of their fields that the one
 * resolver, `config/server_config.ts`, calls in order.
 *
 * @module
 */

import type { CorsOptions } from "./http/cors.ts";
import { ConfigurationError } from "./errors.ts";
import { custom, type Describes, func, objectOf, oneOf, problem, refuseUnknownKeys, resolvedLater } from "./config/describe.ts";
import { metadataUrl } from "./metadata.ts";
import { defaultIntrospectionPolicy, type IntrospectionPolicy } from "./introspection_policy.ts";
import { publicEndpointUrl, type TokenEndpointOptions } from "./options.ts";
import { isScopeToken } from "./scope.ts";
import { profileDefaults, type ServerProfile } from "./server_profile.ts";
import { deadlineRevocationStore } from "./stores/deadline.ts";
import { normalizeHtu } from "./dpop/htu.ts";
import { type MtlsEndpointAliases, resolveMtlsEndpointAliases } from "./mtls/endpoint_aliases.ts";
import { MemoryRevocationStore, type RevocationStore } from "./stores/revocation_store.ts";

/**
 * Public URLs of the endpoints. Each is an absolute URL, or a path (starting with `/`) on
 * the issuer's origin; `https` (`http` only for loopback hosts); never a fragment (RFC 6749
 * s3.1, s3.2), while a query is kept as given. The server routes requests by these URLs'
 * paths, never by `Host` or `X-Forwarded-*` headers (RFC 9700 s4.13).
 *
 * @example
 * ```ts
 * import type { EndpointOptions } from "./server_options.ts";
 * const endpoints: EndpointOptions = { token: "/oauth2/token", revocation: false };
 * ```
 */
export interface EndpointOptions {
  /** The token endpoint (RFC 6749 s3.2); default `<issuer>/token`. */
  token?: string;
  /** The introspection endpoint (RFC 7662 s2); default `<issuer>/introspect`; `false`: none. */
  introspection?: string | false;
  /** The revocation endpoint (RFC 7009 s2); default `<issuer>/revoke`; `false`: none. */
  revocation?: string | false;
  /**
   * The JWK Set document (RFC 7517 s5); default `<issuer>/jwks`. Served, and published as
   * `jwks_uri`, when the server has `signingKeys`; otherwise its path is still reserved.
   */
  jwks?: string;
  /**
   * An authorization endpoint to publish as `authorization_endpoint`; default none. This
   * server has no authorization endpoint (RFC 8414 s2 then omits the member), but some
   * clients' metadata parsers insist on it, the MCP TypeScript SDK's among them. Set it for
   * them: the URL is served, and every request there is refused with
   * `unsupported_response_type` (RFC 6749 s4.1.2.1), never redirected. Usually paired with
   * `responseTypesSupported`; `profile: "mcp"` sets both.
   */
  authorization?: string | false;
}

/**
 * What the revocation endpoint answers a client that revokes another client's token.
 *
 * @example
 * ```ts
 * import type { ForeignTokenRevocation } from "./server_options.ts";
 * const hideExistence: ForeignTokenRevocation = "silent";
 * ```
 */
export type ForeignTokenRevocation = "invalid_grant" | "silent";

/**
 * Options of {@link createAuthorizationServer}: every option of the token endpoint, plus the
 * endpoints around it.
 *
 * @example
 * ```ts
 * import type { ServerOptions } from "./server_options.ts";
 * const options: ServerOptions = {
 *   issuer: "https://auth.example.com",
 *   clients: [
 *     { client_id: "billing", client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *       grant_types: ["client_credentials"], scope: "invoices:read" },
 *     { client_id: "invoices-api", client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *       resource_server: "https://invoices.example.com" },
 *   ],
 *   endpoints: { revocation: false },
 *   onEvent: (event) => console.log(JSON.stringify(event)),
 * };
 * ```
 */
export interface ServerOptions extends TokenEndpointOptions {
  /** Public URLs of the endpoints; see {@link EndpointOptions}. */
  endpoints?: EndpointOptions;
  /**
   * The path prefix a host framework strips before handing the request over, as Hono's
   * `app.mount("/oauth", server.fetch)` does. Requests are then routed by their path with
   * or without the prefix. Starts with `/`, does not end with one.
   */
  mountPath?: string;
  /** Who may introspect what; default {@link defaultIntrospectionPolicy}. */
  introspectionPolicy?: IntrospectionPolicy;
  /**
   * A client revoking a token issued to another client: `"invalid_grant"` (default) refuses
   * with 400, as RFC 7009 s2.1 asks, which tells the caller the token exists; `"silent"`
   * answers 200 and leaves the token alone (RFC 7009 s2.1 names no error code).
   */
  foreignTokenRevocation?: ForeignTokenRevocation;
  /**
   * Revoked JWT ids, remembered until the tokens expire; default a `MemoryRevocationStore`.
   * Share one store between every instance that introspects or verifies tokens.
   */
  revocationStore?: RevocationStore;
  /**
   * `scopes_supported` in the metadata (RFC 8414 s2). Default: every scope of the
   * registered clients when `clients` is an array; none for a client store.
   */
  scopesSupported?: readonly string[];
  /**
   * `response_types_supported` in the metadata. RFC 8414 s2 makes it REQUIRED, but this
   * server has no authorization endpoint and so supports no response type, and an empty
   * array is not allowed (s3.2): it is omitted by default. Set it only for a
   * validator that insists on the member (`profile: "mcp"` sets `["code"]`).
   */
  responseTypesSupported?: readonly string[];
  /**
   * A metadata preset for a family of clients; see {@link ServerProfile}. `"mcp"` publishes
   * the refusing `authorization_endpoint` (`<issuer>/authorize`) and
   * `response_types_supported: ["code"]` that the MCP TypeScript SDK's parser requires.
   * Default: none. Explicit `endpoints.authorization` and `responseTypesSupported` win.
   */
  profile?: ServerProfile;
  /**
   * Let web pages on these origins call the server from a browser (CORS): the metadata
   * document, the JWK Set and the token, introspection and revocation endpoints answer
   * preflights and carry `Access-Control-Allow-Origin`, exposing `DPoP-Nonce` and
   * `WWW-Authenticate` (RFC 9449 s7.1, s8). Default: off. Never with credentials (cookies).
   */
  cors?: CorsOptions;
  /**
   * Other URLs of the token, introspection and revocation endpoints, where your TLS layer
   * asks for client certificates (RFC 8705 s5): published as `mtls_endpoint_aliases` and
   * routed to the same endpoints (by path, like every endpoint). Requires
   * `clientCertificate`. DPoP proofs may name the token endpoint's alias in `htu`, and
   * client assertions any alias in `aud` (with `strictAudience: false`), as they may the
   * conventional URLs.
   */
  mtlsEndpointAliases?: MtlsEndpointAliases;
}

/**
 * The public URLs the server answers at.
 *
 * @example
 * ```ts
 * import type { ServerEndpoints } from "./server_options.ts";
 * const endpoints: ServerEndpoints = {
 *   token: "https://auth.example.com/token",
 *   introspection: "https://auth.example.com/introspect",
 *   revocation: undefined, // disabled
 *   metadata: "https://auth.example.com/.well-known/oauth-authorization-server",
 *   jwks: "https://auth.example.com/jwks",
 *   authorization: undefined, // not configured
 * };
 * ```
 */
export interface ServerEndpoints {
  /** The token endpoint. */
  readonly token: string;
  /** The introspection endpoint, unless disabled. */
  readonly introspection: string | undefined;
  /** The revocation endpoint, unless disabled. */
  readonly revocation: string | undefined;
  /** The authorization server metadata document (RFC 8414 s3). */
  readonly metadata: string;
  /** The JWK Set (RFC 7517 s5), served when the server has `signingKeys`. */
  readonly jwks: string | undefined;
  /** The authorization endpoint, only when configured (it refuses every request). */
  readonly authorization: string | undefined;
}

const endpointField = (doc: string, fallback: string) => resolvedLater<string>("URL or path", doc, fallback);

/**
 * The description of {@link EndpointOptions}: known keys (with "did you mean") and the table.
 *
 * @example
 * ```ts
 * import { endpointsDescription } from "./server_options.ts";
 * endpointsDescription.token.kind; // "URL or path"
 * ```
 */
export const endpointsDescription = {
  token: endpointField("The token endpoint (RFC 6749 s3.2).", "`<issuer>/token`"),
  introspection: resolvedLater<string | false>("URL or path, or false", "The introspection endpoint (RFC 7662 s2); false: none.", "`<issuer>/introspect`"),
  revocation: resolvedLater<string | false>("URL or path, or false", "The revocation endpoint (RFC 7009 s2); false: none.", "`<issuer>/revoke`"),
  jwks: endpointField("The JWK Set document (RFC 7517 s5), served with `signingKeys`.", "`<issuer>/jwks`"),
  authorization: resolvedLater<string | false>("URL or path, or false", "An authorization endpoint to publish; every request there is refused.", "none"),
} satisfies Describes<EndpointOptions>;

const introspectionPolicyDescription = {
  allowCaller: func<NonNullable<IntrospectionPolicy["allowCaller"]>>("Whether the caller may introspect at all.", "", { defaultText: "defaultIntrospectionPolicy" }),
  allowToken: func<NonNullable<IntrospectionPolicy["allowToken"]>>("Whether the caller may see this token.", "", { defaultText: "defaultIntrospectionPolicy" }),
} satisfies Describes<IntrospectionPolicy>;

type ServerOnlyOptions = Omit<ServerOptions, keyof TokenEndpointOptions>;

/** An object of endpoint URLs with known names; the URLs are resolved against the issuer later. */
function endpointsField(value: unknown, path: string): EndpointOptions {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw problem(path, "must be an object");
  refuseUnknownKeys(value, Object.keys(endpointsDescription), path);
  return value as EndpointOptions;
}

function mountPathField(value: unknown, path: string): string {
  if (typeof value !== "string" || !/^\/[^?#]*[^/?#]$/.test(value)) {
    throw problem(path, "must start with '/', not end with '/', and have no query or fragment");
  }
  return value;
}

function revocationStoreField(value: unknown, path: string): RevocationStore {
  const s = value as Partial<RevocationStore> | null;
  if (typeof s?.revoke !== "function" || typeof s.isRevoked !== "function") throw problem(path, "must have revoke and isRevoked methods");
  return value as RevocationStore;
}

/** A list member of the metadata: valid strings, never empty (RFC 8414 s3.2: such members are omitted). */
function stringListField(check: (s: string) => boolean): (value: unknown, path: string) => readonly string[] {
  return (value, path) => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && check(v))) throw problem(path, "must be an array of valid strings");
    if (value.length === 0) throw problem(path, "must not be empty (leave it out instead)");
    return value as string[];
  };
}

/**
 * The description of the options {@link ServerOptions} adds to the token endpoint's
 * (`tokenEndpointDescription`): known keys, each field's check and default, and the table.
 *
 * @example
 * ```ts
 * import { serverDescription } from "./server_options.ts";
 * serverDescription.mountPath.kind; // "path"
 * serverDescription.foreignTokenRevocation.fallback; // "invalid_grant"
 * ```
 */
export const serverDescription = {
  endpoints: custom<EndpointOptions>("object", "Public URLs of the endpoints (see the endpoints table).", endpointsField),
  mountPath: custom<string>("path", "The path prefix a host framework strips (Hono's `app.mount`).", mountPathField),
  introspectionPolicy: objectOf(introspectionPolicyDescription, "Who may introspect what.", { defaultText: "defaultIntrospectionPolicy" }),
  foreignTokenRevocation: oneOf<ForeignTokenRevocation, { default: "invalid_grant" }>(
    "What revoking another client's token answers.",
    ["invalid_grant", "silent"],
    { default: "invalid_grant" },
  ),
  revocationStore: custom<RevocationStore>("RevocationStore", "Revoked JWT ids, until the tokens expire.", revocationStoreField, { defaultText: "a MemoryRevocationStore" }),
  scopesSupported: custom<readonly string[]>("array of scope tokens", "`scopes_supported` in the metadata (RFC 8414 s2).", stringListField(isScopeToken), {
    defaultText: "the clients' scopes",
  }),
  responseTypesSupported: custom<readonly string[]>("array of strings", "`response_types_supported` in the metadata.", stringListField((s) => s !== ""), {
    defaultText: "omitted",
  }),
  // Checked with endpoints.authorization, which it must not contradict (server_profile.ts).
  profile: resolvedLater<ServerProfile>(`"mcp"`, "A metadata preset for a family of clients."),
  cors: resolvedLater<CorsOptions>("object", "Origins whose web pages may call the server (CORS)."),
  // Resolved against the issuer; needs clientCertificate and served endpoints.
  mtlsEndpointAliases: resolvedLater<MtlsEndpointAliases>("object", "Other URLs of the endpoints where TLS asks for certificates (RFC 8705 s5)."),
} satisfies Describes<ServerOnlyOptions>;

/**
 * The request paths an endpoint at `url` answers: its URL's path (as `Request.url` shows it
 * for a request to that URL) and, when the path lies under `mountPath`, the path without it.
 */
export function routedPaths(url: string, mountPath: string | undefined): string[] {
  const path = new URL(url).pathname;
  return mountPath !== undefined && path.startsWith(`${mountPath}/`) ? [path, path.slice(mountPath.length)] : [path];
}

function endpointUrl(name: string, value: unknown, issuer: string): string {
  return publicEndpointUrl(`endpoints.${name}`, value, issuer);
}

/** What the endpoints' URLs are resolved from, besides the options. */
export interface EndpointFacts {
  readonly issuer: string;
  /** The token endpoint's URL, resolved already (DPoP proofs name it). */
  readonly tokenEndpoint: string;
  /** Whether the JWK Set is served (there are `signingKeys`). */
  readonly servesJwks: boolean;
  /** Whether the server reads TLS client certificates (mTLS aliases need it). */
  readonly readsCertificates: boolean;
}

/** The endpoints' URLs, resolved and checked distinct by path. */
export interface ResolvedEndpoints {
  readonly endpoints: ServerEndpoints;
  readonly jwksUrl: string;
  readonly mountPath: string | undefined;
  readonly aliases: Readonly<MtlsEndpointAliases>;
  readonly tokenEndpointHtu: string;
  readonly tokenEndpointAliasHtu: string | undefined;
  /** The profile's `response_types_supported`, unless configured. */
  readonly responseTypesSupported: readonly string[] | undefined;
}

/**
 * Resolves `endpoints`, `mountPath`, `profile` and `mtlsEndpointAliases`: every URL absolute,
 * and every path (with and without the mount prefix) answered by one endpoint only, so that
 * routing by path is unambiguous; the JWK Set's path is reserved even when not served.
 */
export function resolveEndpoints(options: ServerOptions, facts: EndpointFacts): ResolvedEndpoints {
  const { issuer, tokenEndpoint } = facts;
  const tokenEndpointHtu = normalizeHtu(tokenEndpoint);
  if (tokenEndpointHtu === undefined) {
    const path = options.endpoints?.token === undefined ? "tokenEndpoint" : "endpoints.token";
    throw new ConfigurationError(`${path}: the token endpoint URL must not carry user information`, path);
  }
  const e = options.endpoints ?? {};
  const base = issuer.replace(/\/+$/, "");
  const optional = (name: "introspection" | "revocation", fallback: string): string | undefined =>
    e[name] === false ? undefined : endpointUrl(name, e[name] ?? `${base}${fallback}`, issuer);
  const jwksUrl = endpointUrl("jwks", e.jwks ?? `${base}/jwks`, issuer);
  const preset = profileDefaults(options.profile, base, e.authorization);
  const authorization = e.authorization ?? preset.authorization;
  const endpoints: ServerEndpoints = Object.freeze({
    token: tokenEndpoint,
    introspection: optional("introspection", "/introspect"),
    revocation: optional("revocation", "/revoke"),
    metadata: metadataUrl(issuer),
    jwks: facts.servesJwks ? jwksUrl : undefined,
    authorization: authorization === undefined || authorization === false
      ? undefined
      : endpointUrl("authorization", authorization, issuer),
  });

  const mountPath = options.mountPath;
  const seen = new Map<string, string>();
  let mounted = false;
  for (const [name, url] of [...Object.entries(endpoints), ["jwks", jwksUrl]] as [string, string | undefined][]) {
    if (url === undefined) continue;
    const paths = routedPaths(url, mountPath);
    if (paths.length > 1) mounted = true;
    for (const path of paths) {
      const other = seen.get(path);
      if (other !== undefined && other !== name) {
        // The metadata document's URL follows from the issuer (RFC 8414 s3): name the other one.
        throw new ConfigurationError(`endpoints ${other} and ${name} share the path ${path}`, `endpoints.${name === "metadata" ? other : name}`);
      }
      seen.set(path, name);
    }
  }
  const aliases = resolveMtlsEndpointAliases(options.mtlsEndpointAliases, {
    served: { token: true, introspection: endpoints.introspection !== undefined, revocation: endpoints.revocation !== undefined },
    readsCertificates: facts.readsCertificates,
    resolveUrl: (name, url) => publicEndpointUrl(name, url, issuer),
  });
  // An alias may share its own endpoint's path (on another host, usually), never another's.
  for (const [name, url] of Object.entries(aliases)) {
    for (const path of routedPaths(url, mountPath)) {
      const other = seen.get(path);
      if (other !== undefined && other !== name) throw new ConfigurationError(`mtlsEndpointAliases.${name} shares the path ${path} with endpoints.${other}`, `mtlsEndpointAliases.${name}`);
      seen.set(path, name);
    }
  }
  const tokenEndpointAliasHtu = aliases.token === undefined ? undefined : normalizeHtu(aliases.token);
  if (aliases.token !== undefined && tokenEndpointAliasHtu === undefined) throw new ConfigurationError("mtlsEndpointAliases.token must not carry user information", "mtlsEndpointAliases.token");

  if (mountPath !== undefined && !mounted) {
    throw new ConfigurationError(`mountPath ${JSON.stringify(mountPath)} contains none of the endpoints`, "mountPath");
  }
  return { endpoints, jwksUrl, mountPath, aliases, tokenEndpointHtu, tokenEndpointAliasHtu, responseTypesSupported: preset.responseTypesSupported };
}

/** The introspection policy: the default's functions where it names none. */
export function introspectionPolicyOf(policy: Partial<IntrospectionPolicy> | undefined): Required<IntrospectionPolicy> {
  return {
    allowCaller: policy?.allowCaller ?? defaultIntrospectionPolicy.allowCaller,
    allowToken: policy?.allowToken ?? defaultIntrospectionPolicy.allowToken,
  };
}

/**
 * The revocation store: default a {@link MemoryRevocationStore}. As for the token store, the
 * built-in store answers at once; any other (a Redis or SQL round trip) gets the deadline,
 * so a hung engine is a 503, not a hung request.
 */
export function revocationStoreOf(store: RevocationStore | undefined, clock: () => number, timeoutMs: number): RevocationStore {
  if (store === undefined) return new MemoryRevocationStore({ clock });
  return store.constructor === MemoryRevocationStore ? store : deadlineRevocationStore(store, timeoutMs);
}
