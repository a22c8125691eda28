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
 * one needs `allow_multiple_resources` (SPEC B-6). Any failure is `invalid_target`. With no
 * `resource`, the audience is the client's `default_resource`, else the server's
 * `defaultResource`, else none (RFC 8707 s2.1 leaves the default to the server).
 *
 * @example
 * ```ts
 * import { grantResources } from "./resource_indicators.ts";
 * import type { Client } from "./clients/registration.ts";
 * declare const client: Client; // allowed_resources: ["https://api.example.com"]
 * grantResources(["https://api.example.com"], client, { allowedResources: new Set(), defaultResource: undefined });
 * // ["https://api.example.com"]
 * ```
 */
export function grantResources(requested: readonly string[], client: Client, policy: ResourcePolicy): string[] {
  const fallback = client.default_resource ?? policy.defaultResource;
  if (requested.length === 0) return fallback === undefined ? [] : [fallback];
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
