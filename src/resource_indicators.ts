/**
 * Resource indicators (RFC 8707) at the token endpoint: which resource servers a token is
 * for, carried as its audience (`aud`).
 *
 * @module
 */

import type { Client } from "./clients/registration.ts";
import { OAuthError } from "./errors.ts";

/** The server-wide resource policy, used for clients whose registration says nothing. */
export interface ResourcePolicy {
  /** Resources any client may ask for, unless its registration lists its own. */
  readonly allowedResources: ReadonlySet<string>;
  /** The audience of a token requested without `resource`, unless the client has its own. */
  readonly defaultResource: string | undefined;
  /** The scopes each listed resource understands (the `resourceScopes` option); empty when not configured. */
  readonly resourceScopes: ReadonlyMap<string, ReadonlySet<string>>;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Whether `value` may be a resource indicator: an absolute URI (RFC 3986 s4.3) with no
 * fragment and no whitespace (RFC 8707 s2). A query is allowed, though discouraged.
 *
 * @example
 * ```ts
 * import { isResourceIndicator } from "./resource_indicators.ts";
 * isResourceIndicator("https://api.example.com/v1"); // true
 * isResourceIndicator("/api"); // false: relative
 * isResourceIndicator("https://api.example.com/#x"); // false: fragment
 * ```
 */
export function isResourceIndicator(value: string): boolean {
  if (!SCHEME.test(value) || value.includes("#") || /[\s\x00-\x1f\x7f]/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides the audience of a token from the `resource` parameters of a request (RFC 8707
 * s2): each must be an absolute URI without fragment, and one the client may ask for (its
 * `allowed_resources`, else the server's `allowedResources`, plus its default); more than
 * one needs `allow_multiple_resources` (RFC 8707 s2 lets the server refuse several). Any failure is `invalid_target`. With no
 * `resource`, the audience is the client's `default_resource`, else the server's
 * `defaultResource`, else none (RFC 8707 s2.1 leaves the default to the server).
 *
 * @example
 * ```ts
 * import { grantResources } from "./resource_indicators.ts";
 * import type { Client } from "./clients/registration.ts";
 * declare const client: Client; // allowed_resources: ["https://api.example.com"]
 * grantResources(["https://api.example.com"], client, { allowedResources: new Set(), defaultResource: undefined, resourceScopes: new Map() });
 * // ["https://api.example.com"]
 * ```
 */
export function grantResources(requested: readonly string[], client: Client, policy: ResourcePolicy): string[] {
  const fallback = client.default_resource ?? policy.defaultResource;
  if (requested.length === 0) return fallback === undefined ? [] : [fallback];
  return checkRequested(requested, client, policy, fallback);
}

function checkRequested(requested: readonly string[], client: Client, policy: ResourcePolicy, fallback: string | undefined): string[] {
  const resources = requested.length === 1 ? [requested[0]!] : [...new Set(requested)];
  const allowed = client.allowed_resources ?? policy.allowedResources;
  for (const r of resources) {
    if (!isResourceIndicator(r)) {
      throw new OAuthError("invalid_target", "resource must be an absolute URI without a fragment (RFC 8707 s2)");
    }
    if (!allowed.has(r) && r !== fallback) throw new OAuthError("invalid_target", "the resource is not allowed for this client");
  }
  if (resources.length > 1 && !client.allow_multiple_resources) {
    throw new OAuthError("invalid_target", "this client may ask for one resource per token");
  }
  return resources;
}

/** What a token is for: its audience and the scope it carries there. */
export interface AudienceAndScope {
  /** The resources (the token's `aud`); empty for an opaque token with no audience. */
  readonly resource: string[];
  /** The granted scope, space-separated, narrowed to what the audience understands. */
  readonly scope: string;
}

/** The resources in `policy.resourceScopes` that understand at least one of `scopes`. */
function owners(scopes: readonly string[], policy: ResourcePolicy): string[] {
  const found: string[] = [];
  for (const [resource, known] of policy.resourceScopes) {
    if (scopes.some((s) => known.has(s))) found.push(resource);
  }
  return found;
}

/**
 * Decides the audience and the scope together, once the scope has been granted (RFC
 * 8707 s2.2: scope, then resource). Without a `resourceScopes` map this is
 * {@link grantResources} and the scope unchanged. With one:
 *
 * - No `resource` requested: the audience is derived from the scope (RFC 9068 s3 SHOULD):
 *   the one resource whose scopes include the granted ones. Scopes belonging to two
 *   resources are `invalid_scope` (RFC 9068 s3: the token's authority would be ambiguous);
 *   scopes belonging to none fall back to the default resource.
 * - Then the scope is narrowed to what the audience understands (RFC 8707 s2.2 down-scoping;
 *   RFC 9068 s2.2.3: every scope must mean something to the audience); the response reports
 *   the narrowed scope (RFC 6749 s5.1). A resource not in the map understands every scope.
 *   Nothing left of a non-empty scope is `invalid_scope`.
 *
 * @example
 * ```ts
 * import { grantAudienceAndScope } from "./resource_indicators.ts";
 * import type { Client } from "./clients/registration.ts";
 * declare const client: Client; // allowed_resources: ["https://a.example", "https://b.example"]
 * const policy = {
 *   allowedResources: new Set<string>(),
 *   defaultResource: undefined,
 *   resourceScopes: new Map([["https://a.example", new Set(["a:read"])], ["https://b.example", new Set(["b:read"])]]),
 * };
 * grantAudienceAndScope([], "a:read", client, policy); // { resource: ["https://a.example"], scope: "a:read" }
 * grantAudienceAndScope(["https://b.example"], "a:read b:read", client, policy); // { resource: ["https://b.example"], scope: "b:read" }
 * ```
 */
export function grantAudienceAndScope(requested: readonly string[], scope: string, client: Client, policy: ResourcePolicy): AudienceAndScope {
  if (policy.resourceScopes.size === 0) return { resource: grantResources(requested, client, policy), scope };
  const fallback = client.default_resource ?? policy.defaultResource;
  const scopes = scope === "" ? [] : scope.split(" ");
  let resource: string[];
  if (requested.length > 0) {
    resource = checkRequested(requested, client, policy, fallback);
  } else {
    const derived = owners(scopes, policy);
    if (derived.length > 1) {
      throw new OAuthError("invalid_scope", "the scope belongs to more than one resource; name one with the resource parameter");
    }
    if (derived.length === 1) {
      const only = derived[0]!;
      const allowed = client.allowed_resources ?? policy.allowedResources;
      if (!allowed.has(only) && only !== fallback) {
        throw new OAuthError("invalid_target", "the resource this scope belongs to is not allowed for this client");
      }
      resource = derived;
    } else {
      resource = fallback === undefined ? [] : [fallback];
    }
  }
  // A resource outside the map, or no audience at all, narrows nothing.
  const maps = resource.map((r) => policy.resourceScopes.get(r));
  if (resource.length === 0 || maps.includes(undefined)) return { resource, scope };
  const narrowed = scopes.filter((s) => maps.some((known) => known!.has(s)));
  if (narrowed.length === 0 && scopes.length > 0) {
    throw new OAuthError("invalid_scope", "none of the scope is meant for the requested resource");
  }
  return { resource, scope: narrowed.length === scopes.length ? scope : narrowed.join(" ") };
}
