/**
 * Client registrations, named with RFC 7591 client metadata, and their validation.
 *
 * @module
 */

import { type CryptoProvider, webCrypto } from "../crypto/provider.ts";
import { ConfigurationError } from "../errors.ts";
import { isResourceIndicator } from "../resource_indicators.ts";
import { isScopeToken } from "../scope.ts";
import type { AccessTokenFormat } from "../tokens/access_token.ts";
import { parseSecretHash, type SecretHash } from "./secrets.ts";

/** Client authentication methods at the token endpoint (RFC 7591 s2, RFC 8414 s2). */
export type TokenEndpointAuthMethod =
  | "client_secret_basic"
  | "client_secret_post"
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
 */
export interface ClientRegistration {
  /** The client identifier (RFC 6749 s2.2). */
  client_id: string;
  /**
   * How the client authenticates at the token endpoint. RFC 7591 s2 default:
   * `client_secret_basic`.
   */
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
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
   * The secret in plain text. **For demos and tests only**: the server hashes it once and
   * never compares plaintext, but a plaintext secret in configuration is a secret at rest.
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
   * (RFC 8707 s2); default false: such a request gets `invalid_target` (SPEC B-6).
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
  /** 0: the secret does not expire. */
  readonly client_secret_expires_at: number;
  /** The token format registered for this client; `undefined`: the server's choice. */
  readonly access_token_format: AccessTokenFormat | undefined;
  /** The resources this client may ask for; `undefined`: the server's list. */
  readonly allowed_resources: ReadonlySet<string> | undefined;
  /** The audience of a request without `resource`; `undefined`: the server's default. */
  readonly default_resource: string | undefined;
  /** Whether several resources may be named in one request. */
  readonly allow_multiple_resources: boolean;
  /** Whether every token of this client must be DPoP-bound (RFC 9449 s5.2). */
  readonly dpop_bound_access_tokens: boolean;
}

const AUTH_METHODS: ReadonlySet<string> = new Set<TokenEndpointAuthMethod>([
  "client_secret_basic",
  "client_secret_post",
  "none",
]);

const SECRET_METHODS: ReadonlySet<string> = new Set(["client_secret_basic", "client_secret_post"]);

function fail(client_id: unknown, message: string): never {
  throw new ConfigurationError(`client ${JSON.stringify(client_id)}: ${message}`);
}

function scopeTokens(client_id: string, field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== "string") fail(client_id, `${field} must be a space-separated string`);
  if (value === "") return [];
  const tokens = value.split(" ");
  if (!tokens.every(isScopeToken)) fail(client_id, `${field} is not a valid scope (RFC 6749 s3.3)`);
  return tokens;
}

/**
 * Checks a registration's shape and meaning without touching secrets, so mistakes surface at
 * start-up: unknown auth methods, a secret method without a secret, a public client allowed
 * the client credentials grant, a default scope outside the scope.
 */
export function validateRegistration(registration: ClientRegistration): void {
  const r = registration as unknown as Record<string, unknown>;
  if (typeof r !== "object" || r === null) throw new ConfigurationError("a client registration must be an object");
  const id = r.client_id;
  if (typeof id !== "string" || id === "") fail(id, "client_id must be a non-empty string");
  const method = r.token_endpoint_auth_method ?? "client_secret_basic";
  if (typeof method !== "string" || !AUTH_METHODS.has(method)) {
    fail(id, `token_endpoint_auth_method ${JSON.stringify(method)} is not supported`);
  }
  const grants = r.grant_types ?? ["authorization_code"];
  if (!Array.isArray(grants) || !grants.every((g) => typeof g === "string")) {
    fail(id, "grant_types must be an array of strings");
  }
  // RFC 6749 s4.4: the client credentials grant is for confidential clients only.
  if (method === "none" && grants.includes("client_credentials")) {
    fail(id, "a public client (token_endpoint_auth_method 'none') cannot use client_credentials");
  }
  const hashes = r.client_secret_hash;
  if (hashes !== undefined) {
    const list = typeof hashes === "string" ? [hashes] : hashes;
    if (!Array.isArray(list) || !list.every((h) => typeof h === "string")) {
      fail(id, "client_secret_hash must be a string or an array of strings");
    }
    for (const h of list) parseSecretHash(h);
  }
  if (r.client_secret !== undefined && typeof r.client_secret !== "string") fail(id, "client_secret must be a string");
  const hasSecret = (hashes !== undefined && (typeof hashes === "string" || (hashes as unknown[]).length > 0)) ||
    r.client_secret !== undefined;
  if (SECRET_METHODS.has(method) && !hasSecret) fail(id, `${method} needs client_secret_hash (or client_secret)`);
  const expires = r.client_secret_expires_at ?? 0;
  if (typeof expires !== "number" || !Number.isSafeInteger(expires) || expires < 0) {
    fail(id, "client_secret_expires_at must be a non-negative integer (seconds)");
  }
  const rs = r.resource_server;
  if (rs !== undefined) {
    const list = typeof rs === "string" ? [rs] : rs;
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "string" && a !== "")) {
      fail(id, "resource_server must be a non-empty string or a non-empty array of them");
    }
  }
  const scope = new Set(scopeTokens(id, "scope", r.scope));
  for (const token of scopeTokens(id, "default_scope", r.default_scope)) {
    if (!scope.has(token)) fail(id, `default_scope '${token}' is not within scope`);
  }
  const format = r.access_token_format;
  if (format !== undefined && format !== "opaque" && format !== "jwt") {
    fail(id, `access_token_format ${JSON.stringify(format)} is not 'opaque' or 'jwt'`);
  }
  const resources = r.allowed_resources;
  if (resources !== undefined) {
    if (!Array.isArray(resources) || !resources.every((x) => typeof x === "string" && isResourceIndicator(x))) {
      fail(id, "allowed_resources must be absolute URIs without fragment (RFC 8707 s2)");
    }
  }
  const fallback = r.default_resource;
  if (fallback !== undefined) {
    if (typeof fallback !== "string" || !isResourceIndicator(fallback)) {
      fail(id, "default_resource must be an absolute URI without fragment (RFC 8707 s2)");
    }
    if (resources !== undefined && !(resources as string[]).includes(fallback)) {
      fail(id, "default_resource must be one of allowed_resources");
    }
  }
  if (r.allow_multiple_resources !== undefined && typeof r.allow_multiple_resources !== "boolean") {
    fail(id, "allow_multiple_resources must be a boolean");
  }
  if (r.dpop_bound_access_tokens !== undefined && typeof r.dpop_bound_access_tokens !== "boolean") {
    fail(id, "dpop_bound_access_tokens must be a boolean");
  }
}

const prepared = new WeakMap<ClientRegistration, Client>();

/**
 * Validates a registration and prepares it for the request path: secret hashes parsed, a
 * plaintext `client_secret` hashed once, scopes as sets. Cached per registration object.
 */
export async function prepareClient(
  registration: ClientRegistration,
  crypto: CryptoProvider = webCrypto,
): Promise<Client> {
  const cached = prepared.get(registration);
  if (cached !== undefined) return cached;
  validateRegistration(registration);
  const hashes = registration.client_secret_hash;
  const secrets: SecretHash[] = (hashes === undefined ? [] : typeof hashes === "string" ? [hashes] : hashes)
    .map(parseSecretHash);
  if (registration.client_secret !== undefined) {
    const d = crypto.digest("SHA-256", new TextEncoder().encode(registration.client_secret));
    secrets.push({ scheme: "sha256", digest: d instanceof Uint8Array ? d : await d });
  }
  const scope = registration.scope ? registration.scope.split(" ") : [];
  const client: Client = {
    client_id: registration.client_id,
    registration,
    token_endpoint_auth_method: registration.token_endpoint_auth_method ?? "client_secret_basic",
    grant_types: new Set(registration.grant_types ?? ["authorization_code"]),
    scope: new Set(scope),
    default_scope: registration.default_scope ?? registration.scope ?? "",
    secrets,
    client_secret_expires_at: registration.client_secret_expires_at ?? 0,
    access_token_format: registration.access_token_format,
    allowed_resources: registration.allowed_resources === undefined ? undefined : new Set(registration.allowed_resources),
    default_resource: registration.default_resource,
    allow_multiple_resources: registration.allow_multiple_resources ?? false,
    dpop_bound_access_tokens: registration.dpop_bound_access_tokens ?? false,
  };
  prepared.set(registration, client);
  return client;
}
